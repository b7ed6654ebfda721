/**
 * Bad input against a real hub over raw sockets: every bad frame gets a clear answer or is
 * dropped, the socket closes only when it must, and the hub keeps serving everyone else.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFrame, packValue } from '@mycel/protocol';
import { startTestHub } from '../helpers/hub.js';
import { startInteropSession } from '../helpers/interop.js';
import { RawSocket } from '../helpers/raw-socket.js';

/** Sends a first frame and expects Hypha's refusal: an `error` text frame, then close 1008. */
async function expectRefused(socket: RawSocket, send: () => void): Promise<string> {
  send();
  const reply = await socket.nextText();
  expect(reply.type).toBe('error');
  expect(typeof reply.message).toBe('string');
  const { code } = await socket.closed;
  expect(code).toBe(1008);
  return reply.message as string;
}

describe('hub handshake with bad input', () => {
  it('refuses a binary first frame with an error, then closes 1008', async () => {
    await using hub = await startTestHub();
    const socket = await RawSocket.open(hub.url);
    const message = await expectRefused(socket, () => socket.ws.send(encodeFrame({ client_id: 'x' })));
    expect(message).toBe('the first message must be a JSON text frame with the connection request');
  });

  it('refuses a first frame that is not JSON', async () => {
    await using hub = await startTestHub();
    const socket = await RawSocket.open(hub.url);
    const message = await expectRefused(socket, () => socket.ws.send('client_id=x'));
    expect(message).toBe('the connection request is not valid JSON');
  });

  it('refuses a connection request with fields of the wrong type', async () => {
    await using hub = await startTestHub();
    for (const request of ['{"client_id":42}', '{"workspace":{"a":1}}', '[1,2]', 'null']) {
      const socket = await RawSocket.open(hub.url);
      const message = await expectRefused(socket, () => socket.ws.send(request));
      expect(message).toMatch(/^invalid connection request: /);
    }
    expect(hub.clients.size).toBe(0);
  });

  it('closes a socket whose handshake never arrives', async () => {
    await using hub = await startTestHub({ handshakeTimeoutMs: 200 });
    const socket = await RawSocket.open(hub.url);
    const reply = await socket.nextText();
    expect(reply).toEqual({ type: 'error', message: 'no connection request within 200ms' });
    expect((await socket.closed).code).toBe(1008);
  });

  it('refuses legacy query-string authentication', async () => {
    await using hub = await startTestHub();
    const socket = await RawSocket.open(`${hub.url.replace('http', 'ws')}/ws?client_id=x&workspace=public`);
    const reply = await socket.nextText();
    expect(reply.type).toBe('error');
    expect(reply.message).toMatch(/query-string authentication is not supported/);
    expect((await socket.closed).code).toBe(1008);
    expect(hub.clients.size).toBe(0);
  });

  it('refuses a client id of non-ASCII characters with a close reason that fits the protocol', async () => {
    await using hub = await startTestHub();
    const socket = await RawSocket.open(hub.url);
    const clientId = 'é'.repeat(100);
    const message = await expectRefused(socket, () => socket.ws.send(JSON.stringify({ client_id: clientId })));
    expect(message).toBe(`invalid client id "${clientId}"`);
    // The hub is still up.
    const { socket: good } = await RawSocket.connect(hub.url, 'good');
    await good.ping();
  });
});

describe('hub after a good handshake, with bad frames', () => {
  it('answers the handshake with connection_info', async () => {
    await using hub = await startTestHub();
    const { info } = await RawSocket.connect(hub.url, 'x');
    expect(info).toMatchObject({
      type: 'connection_info',
      workspace: 'public',
      client_id: 'x',
      manager_id: hub.managerId.slice(2),
      public_base_url: hub.url,
    });
    expect(typeof info.reconnection_token).toBe('string');
    // No announcement, no key: hypha-rpc's Python client prints any it finds (`None` for null).
    expect(info).not.toHaveProperty('announcement');
  });

  it('keeps the socket open after a malformed msgpack frame', async () => {
    await using hub = await startTestHub();
    const { socket } = await RawSocket.connect(hub.url, 'x');
    socket.ws.send(Buffer.from([0xc1])); // never used in msgpack
    socket.ws.send(Buffer.from([0x92, 0x01])); // an array of two holding one element
    socket.ws.send(Buffer.from([0xdb, 0xff, 0xff, 0xff, 0xff])); // a 4 GiB string, truncated
    socket.ws.send(Buffer.alloc(0));
    await socket.ping();
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    expect(socket.pending).toBe(0);
  });

  it('drops a header that is not a map and stays open', async () => {
    await using hub = await startTestHub();
    const { socket } = await RawSocket.connect(hub.url, 'x');
    for (const header of [42, 'method', [1, 2, 3], null, true]) socket.ws.send(packValue(header));
    await socket.ping();
    expect(socket.pending).toBe(0);
  });

  it('answers a header of wrong types that carries a session with a BAD_MESSAGE reject', async () => {
    await using hub = await startTestHub();
    const { socket } = await RawSocket.connect(hub.url, 'x');
    socket.ws.send(encodeFrame({ type: 'method', to: 42, method: 'services.x.y', session: 's2' }, { args: [] }));
    const { main, extra } = await socket.nextBinary();
    expect(main).toMatchObject({ type: 'method', to: 'public/x', method: 's2.reject' });
    const error = (extra?.args as unknown[])[0];
    expect(error).toMatchObject({ _rtype: 'error', _rcode: 'BAD_MESSAGE' });
    expect((error as { _rvalue: string })._rvalue).toMatch(/^invalid frame header: to: /);
    await socket.ping();
  });

  it('rejects a call to an unknown peer with a reject from that peer', async () => {
    await using hub = await startTestHub();
    const { socket } = await RawSocket.connect(hub.url, 'x');
    socket.ws.send(encodeFrame({ type: 'method', to: 'public/nobody', method: 'services.x.y', session: 's1' }, { args: [] }));
    const { main, extra } = await socket.nextBinary();
    expect(main).toMatchObject({ type: 'method', from: 'public/nobody', to: 'public/x', method: 's1.reject' });
    expect(extra?.args).toEqual([
      { _rtype: 'error', _rvalue: 'peer "public/nobody" is not connected', _rcode: 'CONNECTION_CLOSED' },
    ]);
  });

  it('drops a fire-and-forget message to an unknown peer silently', async () => {
    await using hub = await startTestHub();
    const { socket } = await RawSocket.connect(hub.url, 'x');
    socket.ws.send(encodeFrame({ type: 'method', to: 'public/nobody', method: 's9.resolve' }, { args: [1] }));
    await socket.ping();
    expect(socket.pending).toBe(0);
  });

  it('ignores text frames that are not control frames', async () => {
    await using hub = await startTestHub();
    const { socket } = await RawSocket.connect(hub.url, 'x');
    for (const text of ['not json', '{"type":"dance"}', 'null', '[]', `{"type":"ping","pad":"${'x'.repeat(2000)}"}`]) {
      socket.ws.send(text);
    }
    await socket.ping();
    expect(socket.pending).toBe(0);
  });

  it('closes an oversize frame with 1009 and keeps serving the others', async () => {
    await using hub = await startTestHub({ maxPayloadBytes: 4096 });
    const { socket: bystander } = await RawSocket.connect(hub.url, 'bystander');
    const { socket } = await RawSocket.connect(hub.url, 'big');
    socket.ws.send(encodeFrame({ type: 'method', to: 'public/bystander', method: 'x' }, { args: [new Uint8Array(8192)] }));
    expect((await socket.closed).code).toBe(1009);
    await expect.poll(() => hub.clients.has('public/big')).toBe(false);
    await bystander.ping();
    // The bystander can still call through the hub, and newcomers are admitted.
    bystander.ws.send(encodeFrame({ type: 'method', to: 'public/big', method: 'services.x.y', session: 's1' }, { args: [] }));
    expect((await bystander.nextBinary()).main.method).toBe('s1.reject');
    const { socket: newcomer } = await RawSocket.connect(hub.url, 'newcomer');
    await newcomer.ping();
  });

  it('survives a flood of random binary frames and still serves hypha-rpc clients', async () => {
    const { hub, connect } = await startInteropSession();
    const { socket } = await RawSocket.connect(hub.url, 'fuzzer');
    const frame = fc.oneof(
      fc.uint8Array({ maxLength: 256 }),
      fc.anything().map((value) => packValue(value)),
      fc
        .tuple(
          fc.record({
            type: fc.oneof(fc.constant('method'), fc.string()),
            to: fc.oneof(fc.constant(hub.managerId), fc.constant('public/fuzzer'), fc.constant('*'), fc.string()),
            method: fc.oneof(fc.constant('services.default.echo'), fc.constant('services.built-in.ping'), fc.string()),
            session: fc.option(fc.string({ minLength: 1 }), { nil: undefined }),
          }),
          fc.anything(),
        )
        .map(([main, extra]) => encodeFrame(main, { args: extra })),
      fc.tuple(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 })).map(([a, b]) => Buffer.concat([a, b])),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 20 }), async (frames) => {
        for (const bytes of frames) socket.ws.send(bytes);
        // A pong after the flood means the hub read every frame and kept this socket.
        socket.ws.send(JSON.stringify({ type: 'ping' }));
        for (;;) {
          const reply = await socket.next();
          if (!reply.isBinary) {
            expect(JSON.parse(reply.data.toString('utf8'))).toEqual({ type: 'pong' });
            break;
          }
        }
      }),
      { numRuns: 150 },
    );
    expect(hub.clients.has('public/fuzzer')).toBe(true);

    const worker = await connect({ client_id: 'worker' });
    await worker.registerService({ id: 'after-flood', add: (a: number, b: number) => a + b });
    const caller = await connect();
    expect(await (await caller.getService('after-flood')).add?.(20, 22)).toBe(42);
  });
});
