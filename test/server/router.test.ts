/**
 * The router's in-flight table, over raw sockets against a real hub: calls are rejected when
 * their callee leaves, the per-callee limit holds, and answered calls free their slot.
 */
import { describe, expect, it } from 'vitest';
import { encodeFrame } from '@mycel/protocol';
import { startTestHub } from '../helpers/hub.js';
import { RawSocket } from '../helpers/raw-socket.js';

const call = (to: string, session: string) =>
  encodeFrame({ type: 'method', to, method: 'services.svc.fn', session }, { args: [], promise: '*' });
const answer = (to: string, session: string) =>
  encodeFrame({ type: 'method', to, method: `${session}.resolve`, parent: session }, { args: ['done'] });

describe('Router', () => {
  it('stamps from, to, ws and user and forwards the body untouched', async () => {
    await using hub = await startTestHub();
    const { socket: worker } = await RawSocket.connect(hub.url, 'w');
    const { socket: caller } = await RawSocket.connect(hub.url, 'a');
    caller.ws.send(
      encodeFrame({ type: 'method', to: 'w', from: 'spoofed/x', ws: 'spoofed', method: 'services.svc.fn', session: 's1' }, {
        args: [1, 'two', new Uint8Array([3])],
        promise: '*',
      }),
    );
    const { main, extra } = await worker.nextBinary();
    expect(main).toMatchObject({ type: 'method', from: 'public/a', to: 'public/w', ws: 'public', session: 's1' });
    expect(main.user).toMatchObject({ is_anonymous: true, scope: { client_id: 'a' } });
    expect(extra).toEqual({ args: [1, 'two', expect.any(Uint8Array)], promise: '*' });
    expect([...((extra?.args as unknown[])[2] as Uint8Array)]).toEqual([3]);
  });

  it('replaces a user that a client put on its call with its own', async () => {
    await using hub = await startTestHub();
    const { socket: worker } = await RawSocket.connect(hub.url, 'w');
    const { socket: caller } = await RawSocket.connect(hub.url, 'a');
    const forged = { id: 'root', is_anonymous: false, roles: ['admin'] };
    caller.ws.send(encodeFrame({ type: 'method', to: 'w', method: 'services.svc.fn', session: 's1', user: forged }, { args: [], promise: '*' }));
    const { main } = await worker.nextBinary();
    expect(main.user).toMatchObject({ is_anonymous: true, roles: ['anonymous'], scope: { client_id: 'a' } });
    expect((main.user as { id: string }).id).not.toBe('root');
  });

  it('rejects the calls waiting on a callee that disconnects', async () => {
    await using hub = await startTestHub();
    const { socket: worker } = await RawSocket.connect(hub.url, 'w');
    const { socket: caller } = await RawSocket.connect(hub.url, 'a');
    caller.ws.send(call('public/w', 's1'));
    caller.ws.send(call('public/w', 's2'));
    await worker.nextBinary();
    await worker.nextBinary();
    worker.ws.close();
    const rejects = [await caller.nextBinary(), await caller.nextBinary()];
    expect(rejects.map((r) => r.main.method).sort()).toEqual(['s1.reject', 's2.reject']);
    for (const { main, extra } of rejects) {
      expect(main.from).toBe('public/w');
      expect(extra?.args).toEqual([
        { _rtype: 'error', _rvalue: 'peer "public/w" disconnected', _rcode: 'CONNECTION_CLOSED' },
      ]);
    }
  });

  it('refuses calls past the in-flight limit and frees a slot when a call is answered', async () => {
    await using hub = await startTestHub({ maxInFlightPerClient: 1 });
    const { socket: worker } = await RawSocket.connect(hub.url, 'w');
    const { socket: caller } = await RawSocket.connect(hub.url, 'a');
    caller.ws.send(call('public/w', 's1'));
    expect((await worker.nextBinary()).main.session).toBe('s1');

    caller.ws.send(call('public/w', 's2'));
    const refused = await caller.nextBinary();
    expect(refused.main.method).toBe('s2.reject');
    expect(refused.extra?.args).toEqual([
      {
        _rtype: 'error',
        _rvalue: 'peer "public/w" has too many calls in flight (limit 1)',
        _rcode: 'LIMIT_EXCEEDED',
      },
    ]);

    worker.ws.send(answer('public/a', 's1'));
    expect((await caller.nextBinary()).main.method).toBe('s1.resolve');
    caller.ws.send(call('public/w', 's3'));
    expect((await worker.nextBinary()).main.session).toBe('s3');
  });

  it('frees the slot of a call answered after its caller left', async () => {
    await using hub = await startTestHub({ maxInFlightPerClient: 1 });
    const { socket: worker } = await RawSocket.connect(hub.url, 'w');
    const { socket: leaver } = await RawSocket.connect(hub.url, 'leaver');
    leaver.ws.send(call('public/w', 's1'));
    expect((await worker.nextBinary()).main.session).toBe('s1');
    leaver.ws.close();
    await expect.poll(() => hub.clients.has('public/leaver')).toBe(false);

    // The worker finishes the call; its answer has nowhere to go, but the slot must be freed.
    worker.ws.send(answer('public/leaver', 's1'));
    await worker.ping();
    expect(hub.inFlightTo('public/w')).toBe(0);

    const { socket: caller } = await RawSocket.connect(hub.url, 'b');
    caller.ws.send(call('public/w', 's2'));
    await caller.ping();
    expect(caller.pending).toBe(0);
    expect((await worker.nextBinary()).main.session).toBe('s2');
  });

  it('frees the slots of a caller that left even when the callee never answers', async () => {
    await using hub = await startTestHub({ maxInFlightPerClient: 2 });
    const { socket: worker } = await RawSocket.connect(hub.url, 'w');
    const { socket: leaver } = await RawSocket.connect(hub.url, 'leaver');
    leaver.ws.send(call('public/w', 's1'));
    leaver.ws.send(call('public/w', 's2'));
    await worker.nextBinary();
    await worker.nextBinary();
    expect(hub.inFlightTo('public/w')).toBe(2);
    leaver.ws.close();
    await expect.poll(() => hub.clients.has('public/leaver')).toBe(false);
    expect(hub.inFlightTo('public/w')).toBe(0);
  });

  it('leaves the user off answers, and drops one a client put there', async () => {
    await using hub = await startTestHub();
    const { socket: worker } = await RawSocket.connect(hub.url, 'w');
    const { socket: caller } = await RawSocket.connect(hub.url, 'a');
    caller.ws.send(call('public/w', 's1'));
    expect((await worker.nextBinary()).main.user).toMatchObject({ scope: { client_id: 'a' } });
    worker.ws.send(
      encodeFrame({ type: 'method', to: 'public/a', method: 's1.resolve', user: { id: 'root' } }, { args: ['done'] }),
    );
    const { main } = await caller.nextBinary();
    expect(main).toMatchObject({ method: 's1.resolve', from: 'public/w' });
    expect(main).not.toHaveProperty('user');
  });
});
