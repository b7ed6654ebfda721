/**
 * A `list_services` reply is bounded. A 60-byte request returned every matching service info,
 * however large: services with big docs made it a 59 MiB reply, and a few such requests at once
 * stalled the hub and lifted its memory by hundreds of MiB. Past `maxListReplyBytes` (4 MiB by
 * default) the request is refused with `LIMIT_EXCEEDED`, before the reply is built, and asks for a
 * narrower query.
 */
import { describe, expect, it } from 'vitest';
import type { MycelError } from '@mycel/client';
import { connectTestClient } from '../helpers/clients.js';
import { startTestHub } from '../helpers/hub.js';

const SERVICES = 80;
const DOCS = 'd'.repeat(60_000);

describe('list_services', () => {
  it('refuses a reply larger than 4 MiB and serves a narrower query', async () => {
    await using hub = await startTestHub();
    const provider = await connectTestClient(hub.url, { client_id: 'verbose', reconnect: false });
    for (let i = 0; i < SERVICES; i++) {
      await provider.registerService({ id: `s${i}`, config: { visibility: 'public' }, docs: DOCS, f: () => i });
    }
    const reader = await connectTestClient(hub.url, { reconnect: false });
    const error = (await reader.listServices().catch((e: unknown) => e)) as MycelError;
    expect(error).toMatchObject({ code: 'LIMIT_EXCEEDED' });
    expect(error.message).toContain(
      `the list of ${SERVICES + 2} services is larger than ${4 * 1024 * 1024} bytes: narrow the query`,
    );

    const one = await reader.listServices({ service_id: 's7' });
    expect(one.map((s) => s.id)).toEqual(['public/verbose:s7']);
    expect(await reader.echo('still served')).toBe('still served');
  });
});
