/**
 * Payloads of 100 KiB, 600 KiB, 5 MiB and 20 MiB in both directions for every pairing of Python
 * and SDK peers. Over 256 KiB every sender splits them into chunks (hypha-rpc's Python client
 * reads frames with a 512 KiB buffer and a 1 MiB limit; the hub refuses frames over 16 MiB).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesSummary, PAIRINGS, startPairingWorld, type PairingWorld } from '../../helpers/interop-callers.js';
import { describeWithPython } from '../../helpers/python.js';

const KIB = 1024;
const SIZES = [100 * KIB, 600 * KIB, 5 * KIB * KIB, 20 * KIB * KIB];

describeWithPython('payload sizes between Python and SDK peers', () => {
  let world: PairingWorld;
  beforeAll(async () => {
    world = await startPairingWorld();
  }, 30_000);
  afterAll(() => world?.close());

  describe.each(PAIRINGS)('%s caller, %s worker', (callerKind, _workerKind, service) => {
    it.each(SIZES)('sends an argument of %i bytes and gets a result of that size back', async (size) => {
      const caller = world.callers[callerKind];
      const { $bytes, sha256 } = bytesSummary(size);
      expect(await caller.call({ service, method: 'digest', args: [{ $bytes: size }] })).toEqual({ size: $bytes, sha256 });
      expect(await caller.call({ service, method: 'blob', args: [size] })).toEqual({ $bytes, sha256 });
    }, 30_000);
  });
});
