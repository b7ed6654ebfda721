import { describe, expect, it } from 'vitest';
import { QueuedBytes } from '../../packages/server/src/queued-bytes.js';

/** A queue whose backlog the test sets. */
function queue(bufferedAmount = 0) {
  return { bufferedAmount, isOpen: true };
}

describe('QueuedBytes', () => {
  it('admits what fits and names the largest backlog when the sum would pass the bound', () => {
    const account = new QueuedBytes(100);
    const a = queue(40);
    const b = queue(30);
    expect(account.admit(a, 40, 10)).toBeUndefined();
    expect(account.admit(b, 30, 10)).toBeUndefined();
    expect(account.total).toBe(70);
    const c = queue(25);
    expect(account.admit(c, 25, 10)).toBe(a);
  });

  it('recounts backlogs that drained since they were reported before naming anyone', () => {
    const account = new QueuedBytes(100);
    const a = queue(90);
    account.admit(a, 90, 0);
    a.bufferedAmount = 0;
    const b = queue(50);
    expect(account.admit(b, 50, 20)).toBeUndefined();
    expect(account.total).toBe(50);
  });

  it('names the queue being written to when it is the largest, and forgets a queue that left', () => {
    const account = new QueuedBytes(100);
    const a = queue(10);
    account.admit(a, 10, 0);
    const b = queue(80);
    expect(account.admit(b, 80, 20)).toBe(b);
    account.forget(a);
    expect(account.total).toBe(80);
  });
});
