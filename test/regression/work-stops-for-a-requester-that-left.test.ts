/**
 * The manager stops working for a requester that is gone. A selection on a client's behalf went
 * on after that client had left: the probe round ran out and the chosen provider was asked for
 * its description, for a reply nobody would read. Now an operation checks that its requester is
 * still there before it starts and between its steps.
 */
import { describe, expect, it, vi } from 'vitest';
import { decodeHead } from '@mycel/protocol';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { connectWirePeer, type WirePeer } from '../helpers/wire-peer.js';

/** A provider of `task` whose load probe waits until the test answers it; records the methods it is called with. */
async function provider(hub: TestHub, id: string) {
  const peer = await connectWirePeer(hub.url, id);
  const methods: string[] = [];
  const probes: Array<(load: number) => void> = [];
  peer.socket.ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) methods.push(String((decodeHead(data).main as { method?: unknown }).method));
  });
  peer.peer.addService({
    id: 'task',
    config: { visibility: 'public' },
    get_load: () => new Promise<number>((resolve) => probes.push(resolve)),
  });
  await peer.peer.call(hub.managerId, 'services.default.register_service', [peer.peer.serviceInfo('task')]);
  return { peer, methods, probes };
}

/** Two round trips through the manager: whatever earlier frames set off has happened. */
async function settled(hub: TestHub, peer: WirePeer): Promise<void> {
  await peer.peer.call(hub.managerId, 'services.default.echo', ['one']);
  await peer.peer.call(hub.managerId, 'services.default.echo', ['two']);
}

describe('a selection for a requester that left', () => {
  it('does not go on to fetch the chosen service', async () => {
    await using hub = await startTestHub();
    const a = await provider(hub, 'a');
    const b = await provider(hub, 'b');
    const requester = await connectWirePeer(hub.url, 'requester');
    requester.peer
      .call(hub.managerId, 'services.default.get_service', ['task', { mode: 'select:first_success:get_load' }])
      .catch(() => {});
    await vi.waitFor(() => expect([a.probes.length, b.probes.length]).toEqual([1, 1]));

    requester.socket.ws.terminate();
    await vi.waitFor(() => expect(hub.clients.has('public/requester')).toBe(false));
    a.probes[0]?.(1);
    await settled(hub, a.peer);
    expect(a.methods).not.toContain('services.built-in.get_service');
  });
});
