/**
 * Hypha's HTTP service routes against a real hub, with Node's fetch: listing, service info,
 * calls by GET (query parameters) and POST (JSON or msgpack bodies) with `?_mode=`, answers in
 * JSON or msgpack, and every error as JSON with its code and status.
 */
import { pack, unpack } from 'msgpackr';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { withParamNames } from '@mycel/protocol';
import { connectTestClient } from '../helpers/clients.js';
import { startTestHub } from '../helpers/hub.js';
import { startProcess } from '../helpers/process.js';

async function hubWithWorkers(options: Parameters<typeof startTestHub>[0] = {}) {
  const hub = await startTestHub(options);
  onTestFinished(() => hub.close());
  for (const [id, load] of [['w1', 5], ['w2', 1], ['w3', 3]] as const) {
    const worker = await connectTestClient(hub.url, { client_id: id });
    await worker.registerService({
      id: 'math',
      description: 'numbers',
      config: { visibility: 'public' },
      add: withParamNames((a: number, b: number) => a + b, ['a', 'b']),
      echo: withParamNames((value: unknown) => value, ['value']),
      whoami: () => id,
      bytes: () => new Uint8Array([1, 2, 3]),
      fail: () => {
        throw new Error('it broke');
      },
      hang: () => new Promise(() => {}),
      get_load: () => load,
      version: '1.2',
    });
  }
  return hub;
}

async function json(response: Response): Promise<unknown> {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return response.json();
}

describe('HTTP service routes', () => {
  it('lists the services of a workspace with ids relative to it, with or without the trailing slash', async () => {
    const hub = await hubWithWorkers();
    for (const path of ['/public/services', '/public/services/']) {
      const response = await fetch(`${hub.url}${path}`);
      expect(response.status).toBe(200);
      const ids = ((await json(response)) as { id: string }[]).map((s) => s.id);
      expect(ids).toEqual(expect.arrayContaining(['w1:math', 'w2:math', 'w3:math']));
    }
    const empty = await fetch(`${hub.url}/nobody-here/services`);
    expect(await json(empty)).toEqual([]);
  });

  it('answers the info of the instance a mode picks', async () => {
    const hub = await hubWithWorkers();
    const info = (await json(await fetch(`${hub.url}/public/services/math?_mode=select:min:get_load`))) as { id: string };
    expect(info.id).toBe('public/w2:math');
    const last = (await json(await fetch(`${hub.url}/public/services/math?_mode=last`))) as { id: string };
    expect(last.id).toBe('public/w3:math');
  });

  it('calls with query parameters as keyword arguments, numbers parsed, and with every mode', async () => {
    const hub = await hubWithWorkers();
    const sum = await fetch(`${hub.url}/public/services/math/add?a=2&b=3.5&_mode=first`);
    expect(sum.status).toBe(200);
    expect(await json(sum)).toBe(5.5);
    const expected: Record<string, string> = { first: 'w1', last: 'w3', 'select:min:get_load': 'w2', 'select:max:get_load': 'w1' };
    for (const [mode, who] of Object.entries(expected)) {
      const response = await fetch(`${hub.url}/public/services/math/whoami?_mode=${encodeURIComponent(mode)}`);
      expect(await json(response), mode).toBe(who);
    }
    const random = await fetch(`${hub.url}/public/services/math/whoami?_mode=random`);
    expect(['w1', 'w2', 'w3']).toContain(await json(random));
    const firstSuccess = await fetch(`${hub.url}/public/services/math/whoami?_mode=select:first_success:get_load`);
    expect(['w1', 'w2', 'w3']).toContain(await json(firstSuccess));
    // A balance: mode picks per call: round robin gives each of the three instances its turn.
    const turns: unknown[] = [];
    for (let i = 0; i < 6; i++) turns.push(await json(await fetch(`${hub.url}/public/services/math/whoami?_mode=balance:round_robin`)));
    expect(turns.filter((w) => w === 'w1')).toHaveLength(2);
    expect(turns.filter((w) => w === 'w2')).toHaveLength(2);
    expect(turns.filter((w) => w === 'w3')).toHaveLength(2);
    const exact = await fetch(`${hub.url}/public/services/w3:math/whoami`);
    expect(await json(exact)).toBe('w3');
    const object = await fetch(`${hub.url}/public/services/w1:math/echo?value=${encodeURIComponent('{"k":[1,2]}')}`);
    expect(await json(object)).toEqual({ k: [1, 2] });
  });

  it('takes a JSON body: object as keyword arguments, array as positional, scalar as one argument', async () => {
    const hub = await hubWithWorkers();
    const post = (body: string, type = 'application/json') =>
      fetch(`${hub.url}/public/services/w1:math/${body.startsWith('"') ? 'echo' : 'add'}`, { method: 'POST', body, headers: { 'content-type': type } });
    expect(await json(await post('{"a": 1, "b": 2}'))).toBe(3);
    expect(await json(await post('[10, 20]'))).toBe(30);
    expect(await json(await post('"hello"'))).toBe('hello');
    const viaQuery = await fetch(`${hub.url}/public/services/math/whoami?_mode=last`, { method: 'POST' });
    expect(await json(viaQuery)).toBe('w3');
  });

  it('takes a msgpack body and answers msgpack when asked; bytes are base64 in JSON', async () => {
    const hub = await hubWithWorkers();
    const response = await fetch(`${hub.url}/public/services/w1:math/add`, {
      method: 'POST',
      body: new Uint8Array(pack({ a: 4, b: 5 })),
      headers: { 'content-type': 'application/msgpack' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/msgpack');
    expect(unpack(new Uint8Array(await response.arrayBuffer()))).toBe(9);
    const bytes = await fetch(`${hub.url}/public/services/w1:math/bytes`, { headers: { accept: 'application/msgpack' } });
    expect(new Uint8Array(unpack(new Uint8Array(await bytes.arrayBuffer())) as Uint8Array)).toEqual(new Uint8Array([1, 2, 3]));
    expect(await json(await fetch(`${hub.url}/public/services/w1:math/bytes`))).toBe('AQID');
    // A member that is not a function is returned as it is.
    expect(await json(await fetch(`${hub.url}/public/services/w1:math/version`))).toBe('1.2');
  });

  it('answers errors as JSON with the code and the status of each kind of failure', async () => {
    const hub = await hubWithWorkers({ httpCallTimeoutMs: 300 });
    const cases: [string, RequestInit, number, string][] = [
      ['/public/services/nothing/add', {}, 404, 'SERVICE_NOT_FOUND'],
      ['/public/services/w1:math/nope', {}, 404, 'METHOD_NOT_FOUND'],
      ['/public/services/math/add?_mode=select:avg:x', {}, 400, 'BAD_MODE'],
      ['/public/services/w1:math/add', { method: 'POST', body: '{oops', headers: { 'content-type': 'application/json' } }, 400, 'BAD_MESSAGE'],
      ['/public/services/w1:math/add', { method: 'POST', body: 'x', headers: { 'content-type': 'text/csv' } }, 415, 'BAD_MESSAGE'],
      ['/public/services/w1:math/add', { method: 'DELETE' }, 405, 'BAD_MESSAGE'],
      ['/bad*ws/services', {}, 400, 'BAD_MESSAGE'],
      ['/public/services/w1:math/fail', {}, 500, 'REMOTE_ERROR'],
      ['/public/services/w1:math/hang', {}, 504, 'TIMEOUT'],
      ['/no/such/route/at/all', {}, 404, 'BAD_MESSAGE'],
    ];
    for (const [path, init, status, code] of cases) {
      const response = await fetch(`${hub.url}${path}`, init);
      const body = (await json(response)) as { success: boolean; detail: string; code: string; status: number };
      expect({ path, status: response.status, code: body.code }).toEqual({ path, status, code });
      expect(body).toMatchObject({ success: false, status });
      expect(body.detail.length).toBeGreaterThan(0);
    }
  });

  it('answers 502 at once when the instance dies during the call', async () => {
    const hub = await startTestHub();
    onTestFinished(() => hub.close());
    const worker = startProcess('test/fixtures/worker-process.ts', [], { MYCEL_SERVER_URL: hub.url, WORKER_ID: 'doomed' });
    onTestFinished(() => worker.kill());
    await worker.waitForLine(/^ready /);
    const pending = fetch(`${hub.url}/public/services/victim/hang`);
    await vi.waitFor(() => expect(hub.inFlightTo('public/doomed')).toBe(1));
    await worker.kill();
    const response = await pending;
    expect(response.status).toBe(502);
    expect(await json(response)).toMatchObject({ code: 'CONNECTION_CLOSED', status: 502 });
  });

  it('refuses a body over its limit with 413 and a query string over its limit with 414', async () => {
    const hub = await hubWithWorkers({ maxHttpBodyBytes: 1024, maxHttpQueryChars: 100 });
    const big = await fetch(`${hub.url}/public/services/w1:math/echo`, {
      method: 'POST',
      body: JSON.stringify({ value: 'x'.repeat(2000) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(big.status).toBe(413);
    expect(await json(big)).toMatchObject({ code: 'LIMIT_EXCEEDED', status: 413 });
    const long = await fetch(`${hub.url}/public/services/w1:math/echo?value=${'y'.repeat(200)}`);
    expect(long.status).toBe(414);
    // The hub still serves after both.
    expect(await json(await fetch(`${hub.url}/public/services/w1:math/add?a=1&b=1`))).toBe(2);
  });

  it('reaches the callee as an anonymous caller of the URL workspace, never as the manager', async () => {
    const hub = await startTestHub();
    onTestFinished(() => hub.close());
    const worker = await connectTestClient(hub.url, { client_id: 'ctx', workspace: 'team' });
    await worker.registerService({
      id: 'who',
      config: { require_context: true },
      ask: withParamNames((context: { from: string; ws: string; user: { id: string; is_anonymous: boolean } }) => ({
        from: context.from,
        ws: context.ws,
        user: context.user.id,
        anonymous: context.user.is_anonymous,
      }), ['context']),
    });
    const answer = await json(await fetch(`${hub.url}/team/services/who/ask`));
    expect(answer).toEqual({ from: 'team/http-mycel', ws: 'team', user: 'http-anonymous', anonymous: true });
  });
});
