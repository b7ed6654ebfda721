/**
 * hypha-rpc clients subscribing to the hub's system events: each event arrives as `{type, data}`
 * with Hypha's payloads.
 */
import { describe, expect, it } from 'vitest';
import { nextEvent, startInteropSession } from '../helpers/interop.js';

const SYSTEM_EVENTS = ['service_added', 'service_removed', 'client_connected', 'client_disconnected'];

describe('hypha-rpc events from a Mycel hub', () => {
  it('delivers client_connected with the bare client id and workspace', async () => {
    const { connect } = await startInteropSession();
    const watcher = await connect({ client_id: 'watcher' });
    expect(await watcher.subscribe(SYSTEM_EVENTS)).toBe(true);
    const connected = nextEvent(watcher, 'client_connected', (e) => e.data.id === 'newcomer');
    await connect({ client_id: 'newcomer' });
    const event = await connected;
    expect(event.type).toBe('client_connected');
    expect(event.data).toEqual({ id: 'newcomer', workspace: 'public' });
  });

  it('delivers service_added and service_removed with the service info', async () => {
    const { connect } = await startInteropSession();
    const watcher = await connect({ client_id: 'watcher' });
    await watcher.subscribe(SYSTEM_EVENTS);
    const worker = await connect({ client_id: 'w' });

    const added = nextEvent(watcher, 'service_added', (e) => e.data.id === 'public/w:evented');
    await worker.registerService({ id: 'evented', description: 'watch me', hello: () => 'hi' });
    const addedEvent = await added;
    expect(addedEvent.type).toBe('service_added');
    expect(addedEvent.data).toMatchObject({
      id: 'public/w:evented',
      name: 'evented',
      description: 'watch me',
      type: 'generic',
      config: { workspace: 'public' },
    });
    expect(addedEvent.data.service_schema).toHaveProperty('hello');

    const removed = nextEvent(watcher, 'service_removed', (e) => e.data.id === 'public/w:evented');
    await worker.unregisterService('evented');
    const removedEvent = await removed;
    expect(removedEvent.type).toBe('service_removed');
    expect(removedEvent.data).toMatchObject({ id: 'public/w:evented', name: 'evented' });
  });

  it('delivers client_disconnected with the bare client id when a client leaves', async () => {
    const { connect } = await startInteropSession();
    const watcher = await connect({ client_id: 'watcher' });
    await watcher.subscribe(SYSTEM_EVENTS);
    const leaver = await connect({ client_id: 'leaver' });
    await leaver.registerService({ id: 'leaving', x: () => 1 });

    const removed = nextEvent(watcher, 'service_removed', (e) => e.data.id === 'public/leaver:leaving');
    const disconnected = nextEvent(watcher, 'client_disconnected', (e) => e.data.id === 'leaver');
    await leaver.disconnect();
    const event = await disconnected;
    expect(event.type).toBe('client_disconnected');
    expect(event.data).toEqual({ id: 'leaver', workspace: 'public' });
    expect((await removed).data).toMatchObject({ id: 'public/leaver:leaving' });
  });

  it('sends nothing to a client that did not subscribe', async () => {
    const { connect } = await startInteropSession();
    const quiet = await connect({ client_id: 'quiet' });
    const loud = await connect({ client_id: 'loud' });
    await loud.subscribe(['service_added']);
    const heardByQuiet: unknown[] = [];
    quiet.on('service_added', (e) => heardByQuiet.push(e));

    const heardByLoud = nextEvent(loud, 'service_added', (e) => e.data.id === 'public/loud:s1');
    await loud.registerService({ id: 's1', x: () => 1 });
    await heardByLoud;
    // Round trips to the hub from the quiet client: any event would have arrived before the reply.
    await quiet.echo('flush');
    expect(heardByQuiet).toEqual([]);
  });

  it('stops delivering after unsubscribe', async () => {
    const { connect } = await startInteropSession();
    const watcher = await connect({ client_id: 'watcher' });
    await watcher.subscribe(['service_added']);
    const heard: string[] = [];
    watcher.on('service_added', (e) => heard.push(String((e as { data: { id: string } }).data.id)));
    const first = nextEvent(watcher, 'service_added', (e) => e.data.id === 'public/watcher:one');
    await watcher.registerService({ id: 'one', x: () => 1 });
    await first;

    expect(await (watcher.unsubscribe as (t: string) => Promise<unknown>)('service_added')).toBe(true);
    await watcher.registerService({ id: 'two', x: () => 2 });
    await watcher.echo('flush');
    expect(heard).toEqual(['public/watcher:one']);
  });
});
