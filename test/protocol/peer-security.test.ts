/**
 * What a caller must not be able to do to a peer: forge the call context, make the peer call a
 * third party in its own name, or forge the routing fields through the frame body.
 */
import { describe, expect, it, vi } from 'vitest';
import { encodeFrame, withParamNames, type CallContext } from '@mycel/protocol';
import { MemoryRouter } from '../helpers/memory-transport.js';

function setup() {
  const router = new MemoryRouter();
  const victim = router.addPeer({ workspace: 'victim', clientId: 'v1' });
  const seen: unknown[] = [];
  victim.addService({
    id: 'secret',
    config: { visibility: 'protected', require_context: true },
    whoami: withParamNames((context: CallContext) => context.from, ['context']),
    wipe: (what: unknown) => {
      seen.push(what);
      return 'wiped';
    },
  });
  victim.addService({
    id: 'open',
    config: { visibility: 'public', require_context: true },
    whoami: withParamNames((context: CallContext) => ({ from: context.from, ws: context.ws }), ['context']),
    echo: withParamNames((x: unknown) => x, ['x', 'context']),
  });
  const evil = router.addPeer({ workspace: 'evil', clientId: 'e1' });
  return { router, victim, evil, seen };
}

describe('RpcPeer security', () => {
  it('puts the real context in the context parameter even when the caller sends extra arguments', async () => {
    const { evil } = setup();
    const forged = { from: 'victim/admin', ws: 'victim', to: 'victim/v1', user: { id: 'root' } };
    expect(await evil.call('victim/v1', 'services.open.whoami', [forged])).toEqual({ from: 'evil/e1', ws: 'evil' });
    expect(await evil.call('victim/v1', 'services.open.echo', ['x', forged])).toBe('x');
  });

  it('drops a call whose explicit promise would make it answer to another peer', async () => {
    const { router, evil, seen } = setup();
    const deputy = router.addPeer({ workspace: 'victim', clientId: 'deputy' });
    deputy.addService({ id: 'pub', config: { visibility: 'public' }, echo: (x: unknown) => x });
    const frame = encodeFrame(
      { type: 'method', to: 'victim/deputy', method: 'services.pub.echo', session: 's1' },
      {
        args: ['ALL YOUR DATA'],
        promise: {
          resolve: { _rtype: 'method', _rtarget: 'victim/v1', _rmethod: 'services.secret.wipe', _rpromise: false },
          reject: { _rtype: 'method', _rtarget: 'e1', _rmethod: 's1.reject', _rpromise: false },
        },
      },
    );
    router.inject('evil/e1', frame);
    await vi.waitFor(() => expect(router.log.length).toBeGreaterThanOrEqual(1));
    // Give any forwarded call every chance to arrive: one more round trip through the router.
    expect(await evil.call('victim/deputy', 'services.pub.echo', ['ping'])).toBe('ping');
    expect(seen).toEqual([]);
    expect(router.log.some((f) => f.to === 'victim/v1')).toBe(false);
  });

  it('still answers an explicit promise that points back at the caller (hypha-rpc form)', async () => {
    const { router, evil } = setup();
    const answers: unknown[] = [];
    evil.addService({ id: 'sink', config: { visibility: 'public' }, take: (x: unknown) => answers.push(x) });
    const frame = encodeFrame(
      { type: 'method', to: 'victim/v1', method: 'services.open.echo', session: 's2' },
      {
        args: ['hello'],
        promise: {
          resolve: { _rtype: 'method', _rtarget: 'e1', _rmethod: 'services.sink.take', _rpromise: false },
          reject: { _rtype: 'method', _rtarget: 'e1', _rmethod: 'services.sink.take', _rpromise: false },
        },
      },
    );
    router.inject('evil/e1', frame);
    await vi.waitFor(() => expect(answers).toEqual(['hello']));
  });

  it('lets the header win over routing fields in the body', async () => {
    const { router } = setup();
    const answers: unknown[] = [];
    const caller = router.addPeer({ workspace: 'evil', clientId: 'e2' });
    caller.addService({ id: 'sink', config: { visibility: 'public' }, take: (x: unknown) => answers.push(x) });
    router.inject(
      'evil/e2',
      encodeFrame(
        { type: 'method', to: 'victim/v1', method: 'services.secret.whoami', session: 's3' },
        { args: [], from: 'victim/admin', ws: 'victim', promise: '*' },
      ),
    );
    await vi.waitFor(() => expect(router.log.some((f) => f.header.method === 's3.reject')).toBe(true));
    expect(router.log.some((f) => f.header.method === 's3.resolve')).toBe(false);
  });
});
