/**
 * Issue 9, item 3: the manager decoded and deep-copied whole bodies on the hub's only thread (a
 * 4 MiB Int8Array extension stalled it 5 s at 770 MiB, a plain map of a million keys 4 s), and
 * every SDK peer did the same for its public `built-in`, callable from any workspace. Bodies are
 * now bounded in bytes and values before they are decoded, and typed arrays are never walked
 * index by index.
 */
import { describe, expect, it } from 'vitest';
import {
  BUILT_IN_DECODE_BOUNDS,
  decodeValue,
  encodeFrame,
  packValue,
  type ValueHooks,
} from '@mycel/protocol';
import { connectToServer } from '@mycel/client';
import { DEFAULT_HUB_OPTIONS } from '@mycel/server';
import { concatBytes } from '../helpers/assertions.js';
import { startTestHub } from '../helpers/hub.js';
import { RawSocket } from '../helpers/raw-socket.js';
import { connectWirePeer } from '../helpers/wire-peer.js';

/** A body `{promise: "*", args: [[n fixints]]}`: n + 6 values in about n bytes. */
function manyValues(n: number): Uint8Array {
  const head = packValue({ promise: '*', args: [] }).slice(0, -1);
  return concatBytes(head, Uint8Array.of(0x91, 0xdd, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff), new Uint8Array(n));
}

/** A body whose one argument is `bytes` of binary. */
const manyBytes = (bytes: number) => packValue({ promise: '*', args: [new Uint8Array(bytes)] });

/** Sends a call with a hand-made body and returns the code and message of its answer. */
async function answerTo(socket: RawSocket, header: Record<string, unknown>, body: Uint8Array): Promise<string> {
  socket.ws.send(concatBytes(encodeFrame(header), body));
  const { main, extra } = await socket.nextBinary();
  const value = (extra?.args as unknown[] | undefined)?.[0] as Record<string, unknown> | undefined;
  return String(main.method).endsWith('.reject') ? `${String(value?._rcode)}: ${String(value?._rvalue)}` : `resolved`;
}

describe("the hub's manager", () => {
  it('refuses bodies over its byte or value bound unread, with LIMIT_EXCEEDED, and keeps serving', async () => {
    await using hub = await startTestHub();
    const { socket } = await RawSocket.connect(hub.url, 'heavy');
    const call = (session: string) => ({ type: 'method', to: hub.managerId, method: 'services.default.echo', session });
    const values = DEFAULT_HUB_OPTIONS.maxManagerBodyValues;
    expect(await answerTo(socket, call('v'), manyValues(values + 1))).toMatch(
      new RegExp(`^LIMIT_EXCEEDED: message body of ${values + 7} values is more than this endpoint accepts \\(limit ${values}\\)$`),
    );
    expect(await answerTo(socket, call('b'), manyBytes(DEFAULT_HUB_OPTIONS.maxManagerBodyBytes))).toMatch(
      new RegExp(`^LIMIT_EXCEEDED: message body of \\d+ bytes is larger than this endpoint accepts \\(limit ${DEFAULT_HUB_OPTIONS.maxManagerBodyBytes}\\)$`),
    );
    expect(await answerTo(socket, call('ok'), manyValues(1000))).toBe('resolved');
  });

  it('bounds a message reassembled from chunks the same way', async () => {
    await using hub = await startTestHub();
    const wire = await connectWirePeer(hub.url, 'chunker');
    const cache = (fn: string, ...args: unknown[]) => wire.peer.call(hub.managerId, `services.built-in.message_cache.${fn}`, args);
    const frame = concatBytes(encodeFrame({ type: 'method', to: hub.managerId, method: 'services.default.echo' }), manyValues(100_000));
    await cache('create', 'k1', false);
    for (let i = 0; i * 200_000 < frame.length; i++) await cache('set', 'k1', i, frame.subarray(i * 200_000, (i + 1) * 200_000), false);
    await expect(cache('process', 'k1', false)).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
  });
});

describe("an SDK peer's built-in service", () => {
  it('refuses calls over its bounds unread, in its own name, whatever the workspace of the caller', async () => {
    await using hub = await startTestHub();
    const worker = await connectToServer({ server_url: hub.url, client_id: 'w', workspace: 'team', reconnect: false });
    const { socket } = await RawSocket.connect(hub.url, 'outsider');
    const call = (session: string) => ({ type: 'method', to: 'team/w', method: 'services.built-in.get_service', session });
    const { maxBodyValues, maxBodyBytes } = BUILT_IN_DECODE_BOUNDS;
    expect(await answerTo(socket, call('v'), manyValues(maxBodyValues))).toBe(
      `LIMIT_EXCEEDED: message body of ${maxBodyValues + 6} values is more than this endpoint accepts (limit ${maxBodyValues})`,
    );
    expect(await answerTo(socket, call('b'), manyBytes(maxBodyBytes))).toMatch(/^LIMIT_EXCEEDED: message body of \d+ bytes/);
    expect(await answerTo(socket, call('ok'), packValue({ promise: '*', args: ['built-in'] }))).toBe('resolved');
    await worker.disconnect();
  });
});

describe('decodeValue', () => {
  it('passes typed arrays through instead of walking them index by index', () => {
    const hooks: ValueHooks = {
      exportFunction: () => {
        throw new Error('unused');
      },
      importMethod: () => () => undefined,
    };
    const big = new Int8Array(65_536);
    expect(decodeValue(big, hooks)).toBe(big);
    const floats = new Float64Array(3);
    expect(decodeValue({ nested: [floats] }, hooks)).toEqual({ nested: [floats] });
  });
});
