/**
 * Callers of the interop service (`test/fixtures/interop-service.ts` and its Python twin) behind
 * one interface, so the same checks run for every pairing of caller and worker. Arguments use
 * markers that each side turns into its own values (`{$bytes: n}`, `{$matrix: [r, c]}`,
 * `{$callback: k}`, `{$generator: n}`); results come back summarised the way the Python agent
 * reports them (bytes as size and SHA-256, arrays as dtype, shape and nested lists, generators
 * drained).
 */
import { NdArray } from '@mycel/protocol';
import { connectToServer, type MycelClient } from '@mycel/client';
import { digestOf, interopService, pattern } from '../fixtures/interop-service.js';
import { startTestHub, type TestHub } from './hub.js';
import { startPythonAgent, type PythonAgent } from './python.js';

/** One call of the interop service. */
export interface InteropCall {
  service: string;
  method: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  /** Call the function that comes back with these arguments. */
  thenCall?: unknown[];
  mode?: string;
}

/** A caller of the interop service. */
export interface InteropCaller {
  readonly kind: 'python' | 'sdk';
  call(call: InteropCall): Promise<unknown>;
}

/** A Python caller: connection `conn` of `agent`. */
export function pythonCaller(agent: PythonAgent, conn: string): InteropCaller {
  return {
    kind: 'python',
    call: ({ service, method, args = [], kwargs, thenCall, mode }) =>
      agent.request({ op: 'call', conn, service, method, args, ...(kwargs && { kwargs }), ...(thenCall && { then_call: thenCall }), ...(mode && { mode }) }, 60_000),
  };
}

/** An SDK caller. */
export function sdkCaller(client: MycelClient): InteropCaller {
  return {
    kind: 'sdk',
    async call({ service, method, args = [], kwargs, thenCall, mode }) {
      const proxy = (await client.getService(service, mode ? { mode } : {})) as Record<string, (...a: unknown[]) => Promise<unknown>>;
      const fn = proxy[method];
      if (typeof fn !== 'function') throw new Error(`no function "${method}" on "${service}"`);
      const built = args.map(build);
      let result = await fn(...(kwargs ? [...built, { ...kwargs, _rkwargs: true }] : built));
      if (thenCall) result = await (result as (...a: unknown[]) => Promise<unknown>)(...thenCall.map(build));
      return summarise(result);
    },
  };
}

/** Turns argument markers into SDK values. */
function build(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(build);
  if (value === null || typeof value !== 'object') return value;
  const marker = value as Record<string, unknown>;
  if (typeof marker.$bytes === 'number') return pattern(marker.$bytes);
  if (Array.isArray(marker.$matrix)) {
    const [rows, cols] = marker.$matrix as [number, number];
    return new NdArray(Float64Array.from({ length: rows * cols }, (_, i) => i), [rows, cols]);
  }
  if (typeof marker.$callback === 'number') {
    const k = marker.$callback;
    return (x: number) => x * k;
  }
  if (typeof marker.$generator === 'number') {
    const n = marker.$generator;
    return (function* numbers() {
      for (let i = 0; i < n; i++) yield i;
    })();
  }
  return Object.fromEntries(Object.entries(marker).map(([k, v]) => [k, build(v)]));
}

/** What came back, summarised as the Python agent does. */
export async function summarise(value: unknown): Promise<unknown> {
  if (value instanceof Uint8Array) return { $bytes: value.length, sha256: digestOf(value).sha256 };
  if (value instanceof NdArray) return { $ndarray: value.dtype, shape: [...value.shape], data: nest(Array.from(value.data as ArrayLike<number>), value.shape) };
  if (typeof value === 'function') return { $function: true };
  if (value !== null && typeof value === 'object' && Symbol.asyncIterator in value) {
    const items: unknown[] = [];
    for await (const item of value as AsyncIterable<unknown>) items.push(await summarise(item));
    return { $generator: items };
  }
  if (Array.isArray(value)) return Promise.all(value.map(summarise));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await summarise(v);
    return out;
  }
  return value;
}

/** Row-major flat data as nested lists of `shape` (numpy's `tolist()`). */
function nest(flat: unknown[], shape: readonly number[]): unknown {
  if (shape.length <= 1) return shape.length === 0 ? flat[0] : flat;
  const [first = 0, ...rest] = shape;
  const step = flat.length / first;
  return Array.from({ length: first }, (_, i) => nest(flat.slice(i * step, (i + 1) * step), rest));
}

/** The expected summary of `size` pattern bytes. */
export function bytesSummary(size: number): { $bytes: number; sha256: string } {
  return { $bytes: size, sha256: digestOf(pattern(size)).sha256 };
}

/** A hub with the interop service on a Python worker and an SDK worker, and a caller of each kind. */
export interface PairingWorld {
  hub: TestHub;
  agent: PythonAgent;
  sdkWorker: MycelClient;
  sdkClient: MycelClient;
  callers: Record<'python' | 'sdk', InteropCaller>;
  close(): Promise<void>;
}

/** The services of {@link startPairingWorld}: `interop-py` (Python) and `interop-ts` (SDK). */
export const PAIRINGS = [
  ['python', 'python', 'interop-py'],
  ['python', 'sdk', 'interop-ts'],
  ['sdk', 'python', 'interop-py'],
  ['sdk', 'sdk', 'interop-ts'],
] as const;

/**
 * Starts a hub, one Python agent (a worker connection `worker` with `interop-py`, a caller
 * connection `caller`), an SDK worker with `interop-ts` and an SDK caller.
 */
export async function startPairingWorld(): Promise<PairingWorld> {
  const hub = await startTestHub();
  const [agent, sdkWorker, sdkClient] = await Promise.all([
    startPythonAgent(),
    connectToServer({ server_url: hub.url, client_id: 'ts-worker' }),
    connectToServer({ server_url: hub.url, client_id: 'ts-caller' }),
  ]);
  await Promise.all([
    agent.request({ op: 'connect', conn: 'worker', url: hub.url, client_id: 'py-worker' }),
    agent.request({ op: 'connect', conn: 'caller', url: hub.url, client_id: 'py-caller' }),
    sdkWorker.registerService(interopService('interop-ts', 'ts', 0.5)),
  ]);
  await agent.request({ op: 'register', conn: 'worker', service_id: 'interop-py', name: 'py', load: 0.5 });
  return {
    hub,
    agent,
    sdkWorker,
    sdkClient,
    callers: { python: pythonCaller(agent, 'caller'), sdk: sdkCaller(sdkClient) },
    async close() {
      await agent.process.kill();
      await Promise.all([sdkWorker.disconnect(), sdkClient.disconnect()]);
      await hub.close();
    },
  };
}
