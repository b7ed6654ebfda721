/**
 * Issue 9, item 1: a header value that msgpackr decodes into something it cannot pack again (a
 * BigInt from its 0x42 extension, a BigInt64Array from its typed-array extension) made the hub's
 * re-pack throw out of the router, and the process exited. Headers may now hold only what every
 * official client reads (no extension but the timestamp), checked before anything is decoded.
 */
import { describe, expect, it } from 'vitest';
import { decodeHead, isMycelError } from '@mycel/protocol';
import { connectToServer } from '@mycel/client';
import { startTestHub } from '../helpers/hub.js';
import { ext, obj, str, uint64, type Raw } from '../helpers/raw-msgpack.js';
import { RawSocket } from '../helpers/raw-socket.js';

/** A call header with one extra field `x`. */
const header = (x: Raw): Raw =>
  obj({ type: str('method'), to: str('public/w'), method: str('services.math.add'), session: str('s1'), x });

const UNPACKABLE: { name: string; value: Raw }[] = [
  { name: 'a BigInt (msgpackr extension 0x42)', value: ext(0x42, [1, 2, 3, 4, 5, 6, 7, 8, 9]) },
  { name: 'a BigInt64Array (typed-array extension, code 9)', value: ext(0x74, [9, 0, 0, 0, 0, 0, 0, 0, 1]) },
  { name: 'a BigUint64Array (typed-array extension, code 10)', value: ext(0x74, [10, 0, 0, 0, 0, 0, 0, 0, 1]) },
  { name: 'an Int8Array (typed-array extension, code 0)', value: ext(0x74, [0, 1, 2, 3]) },
  { name: 'a structured-clone pointer (extension 0x70)', value: ext(0x70, [0, 0, 0, 1]) },
  { name: 'a RegExp (extension 0x78)', value: ext(0x78, [0]) },
];

describe('header values the hub cannot pack again', () => {
  it('are refused by the header decoder with BAD_MESSAGE', () => {
    for (const { name, value } of UNPACKABLE) {
      let outcome = 'decoded';
      try {
        decodeHead(header(value));
      } catch (error) {
        outcome = isMycelError(error) && error.code === 'BAD_MESSAGE' ? 'refused' : String(error);
      }
      expect({ name, outcome }).toEqual({ name, outcome: 'refused' });
    }
  });

  it('keep a uint64 above 2^53 routable (it decodes as a number)', () => {
    const { main } = decodeHead(header(uint64(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)));
    expect(typeof (main as { x: unknown }).x).toBe('number');
  });

  it('neither kill the hub nor cut off the sender or anyone else', async () => {
    await using hub = await startTestHub();
    const worker = await connectToServer({ server_url: hub.url, client_id: 'w', reconnect: false });
    await worker.registerService({ id: 'math', config: { visibility: 'public' }, add: (a: number, b: number) => a + b });
    const { socket: attacker } = await RawSocket.connect(hub.url, 'attacker');
    for (const { value } of UNPACKABLE) attacker.ws.send(header(value));
    // The hub read every frame before this ping (frames of one socket are handled in order).
    await attacker.ping();
    const caller = await connectToServer({ server_url: hub.url, reconnect: false });
    const math = await caller.getService<{ add(a: number, b: number): number }>('math');
    expect(await math.add(2, 3)).toBe(5);
    expect(hub.clients.has('public/attacker')).toBe(true);
    expect(attacker.pending).toBe(0);
    await caller.disconnect();
    await worker.disconnect();
  });
});
