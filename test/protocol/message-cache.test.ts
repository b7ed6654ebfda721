import { describe, expect, it } from 'vitest';
import {
  CACHED_CHUNK_OVERHEAD_BYTES,
  CACHED_MESSAGE_OVERHEAD_BYTES,
  CACHED_MESSAGE_TTL_MS,
  MAX_CACHED_BYTES_PER_SENDER,
  MAX_CACHED_MESSAGES,
  MAX_CACHED_MESSAGES_PER_SENDER,
} from '@mycel/protocol';
// MessageCache is internal (the peer's built-in service uses it); import it and its error class from
// the same source tree so instanceof holds.
import { MycelError } from '../../packages/protocol/src/errors.js';
import { MessageCache } from '../../packages/protocol/src/message-cache.js';
import { thrownMycelError } from '../helpers/assertions.js';

const bytes = (...values: number[]) => new Uint8Array(values);

const thrown = thrownMycelError;

describe('MessageCache', () => {
  it('joins appended chunks in order', () => {
    const cache = new MessageCache();
    cache.create('k', 'ws/a', false);
    cache.append('k', 'ws/a', bytes(1, 2));
    cache.append('k', 'ws/a', bytes(3));
    cache.append('k', 'ws/a', bytes(4, 5, 6));
    expect([...cache.take('k', 'ws/a')]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('places chunks set out of order at their index', () => {
    const cache = new MessageCache();
    cache.create('k', 'ws/a', false);
    cache.set('k', 'ws/a', 2, bytes(5));
    cache.set('k', 'ws/a', 0, bytes(1, 2));
    cache.set('k', 'ws/a', 1, bytes(3, 4));
    expect([...cache.take('k', 'ws/a')]).toEqual([1, 2, 3, 4, 5]);
  });

  it('replaces a chunk set twice at the same index', () => {
    const cache = new MessageCache();
    cache.create('k', 'ws/a', false);
    cache.set('k', 'ws/a', 0, bytes(9, 9, 9));
    cache.set('k', 'ws/a', 0, bytes(1));
    cache.append('k', 'ws/a', bytes(2));
    expect([...cache.take('k', 'ws/a')]).toEqual([1, 2]);
  });

  it('gives an empty message when no chunk was added', () => {
    const cache = new MessageCache();
    cache.create('k', 'ws/a', false);
    expect(cache.take('k', 'ws/a')).toEqual(new Uint8Array(0));
  });

  it('removes the message when it is taken', () => {
    const cache = new MessageCache();
    cache.create('k', 'ws/a', false);
    cache.take('k', 'ws/a');
    expect(thrown(() => cache.take('k', 'ws/a')).message).toBe('message "k" does not exist');
  });

  it('fails to take a message with a missing chunk, naming it', () => {
    const cache = new MessageCache();
    cache.create('k', 'ws/a', false);
    cache.set('k', 'ws/a', 0, bytes(1));
    cache.set('k', 'ws/a', 2, bytes(3));
    const error = thrown(() => cache.take('k', 'ws/a'));
    expect(error.code).toBe('BAD_MESSAGE');
    expect(error.message).toMatchInlineSnapshot(`"message "k" is missing chunk 1"`);
  });

  it('refuses to create a key twice unless asked to overwrite', () => {
    const cache = new MessageCache();
    cache.create('k', 'ws/a', false);
    cache.append('k', 'ws/a', bytes(1));
    expect(thrown(() => cache.create('k', 'ws/a', false)).message).toBe('message "k" already exists in the cache');
    cache.create('k', 'ws/a', true);
    cache.append('k', 'ws/a', bytes(2));
    expect([...cache.take('k', 'ws/a')]).toEqual([2]);
  });

  it('lets only the owner add to, take or remove a message', () => {
    const cache = new MessageCache();
    cache.create('k', 'ws/a', false);
    cache.append('k', 'ws/a', bytes(1));
    for (const act of [
      () => cache.append('k', 'ws/b', bytes(2)),
      () => cache.set('k', 'ws/b', 1, bytes(2)),
      () => cache.take('k', 'ws/b'),
      () => cache.remove('k', 'ws/b'),
    ]) {
      const error = thrown(act);
      expect(error.code).toBe('BAD_MESSAGE');
      expect(error.message).toBe('message "k" does not exist');
    }
    expect([...cache.take('k', 'ws/a')]).toEqual([1]);
  });

  it('fails on a key that was never created', () => {
    const cache = new MessageCache();
    expect(thrown(() => cache.append('nope', 'ws/a', bytes(1))).code).toBe('BAD_MESSAGE');
  });

  it('removes a message for its owner', () => {
    const cache = new MessageCache();
    cache.create('k', 'ws/a', false);
    cache.remove('k', 'ws/a');
    expect(() => cache.take('k', 'ws/a')).toThrow(MycelError);
  });

  it('forgets everything on clear', () => {
    const cache = new MessageCache();
    cache.create('k1', 'ws/a', false);
    cache.create('k2', 'ws/b', false);
    cache.clear();
    expect(() => cache.take('k1', 'ws/a')).toThrow(MycelError);
    expect(() => cache.take('k2', 'ws/b')).toThrow(MycelError);
  });

  it('accepts only binary chunks', () => {
    const cache = new MessageCache();
    cache.create('k', 'ws/a', false);
    for (const data of ['abc', [1, 2], null, { 0: 1 }]) {
      const error = thrown(() => cache.append('k', 'ws/a', data));
      expect(error.message).toBe('chunk must be binary');
    }
  });

  it.each([-1, 1.5, '0', null, 65_536])('rejects the chunk index %j', (index) => {
    const cache = new MessageCache();
    cache.create('k', 'ws/a', false);
    const error = thrown(() => cache.set('k', 'ws/a', index, bytes(1)));
    expect(error.code).toBe('BAD_MESSAGE');
    expect(error.message).toBe('chunk index must be an integer from 0 to 65535');
  });

  it('accepts the highest chunk index', () => {
    const cache = new MessageCache();
    cache.create('k', 'ws/a', false);
    cache.set('k', 'ws/a', 65_535, bytes(1));
    expect(thrown(() => cache.take('k', 'ws/a')).message).toBe('message "k" is missing chunk 0');
  });

  it('refuses a 65537th appended chunk with LIMIT_EXCEEDED', () => {
    const cache = new MessageCache();
    cache.create('k', 'ws/a', false);
    const one = bytes(7);
    for (let i = 0; i < 65_536; i++) cache.append('k', 'ws/a', one);
    const error = thrown(() => cache.append('k', 'ws/a', one));
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(cache.take('k', 'ws/a').length).toBe(65_536);
  });

  it(`refuses a sender's message past ${MAX_CACHED_MESSAGES_PER_SENDER}, and evicts no one`, () => {
    const cache = new MessageCache();
    cache.create('other', 'ws/b', false);
    for (let i = 0; i < MAX_CACHED_MESSAGES_PER_SENDER; i++) cache.create(`k${i}`, 'ws/a', false);
    const error = thrown(() => cache.create('one-more', 'ws/a', false));
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(error.message).toBe(`too many cached messages from one sender (limit ${MAX_CACHED_MESSAGES_PER_SENDER})`);
    expect(cache.take('k0', 'ws/a')).toEqual(new Uint8Array(0));
    expect(cache.take('other', 'ws/b')).toEqual(new Uint8Array(0));
    cache.create('one-more', 'ws/a', false);
  });

  it(`refuses a message past ${MAX_CACHED_MESSAGES} in all, and evicts no one`, () => {
    const cache = new MessageCache(undefined, { maxMessages: 3 });
    for (const owner of ['ws/a', 'ws/b', 'ws/c']) cache.create('k', owner, false);
    const error = thrown(() => cache.create('k', 'ws/d', false));
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(error.message).toBe('message cache is full (3 messages)');
    cache.take('k', 'ws/a');
    cache.create('k', 'ws/d', false);
  });

  it('refuses chunks past its byte limit in all, and frees the room once taken', () => {
    const cache = new MessageCache(undefined, { maxBytes: 64 * 1024 });
    const part = new Uint8Array(15 * 1024);
    for (let s = 0; s < 4; s++) {
      cache.create('k', `ws/s${s}`, false);
      cache.append('k', `ws/s${s}`, part);
    }
    cache.create('k', 'ws/late', false);
    const error = thrown(() => cache.append('k', 'ws/late', new Uint8Array(2 * 1024)));
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(error.message).toMatchInlineSnapshot(`"message cache is full (65536 bytes)"`);
    cache.remove('k', 'ws/s0');
    cache.append('k', 'ws/late', new Uint8Array(2 * 1024));
    cache.set('k', 'ws/late', 0, bytes(1));
  });

  it(`refuses more than its bytes from one sender (default ${MAX_CACHED_BYTES_PER_SENDER}), and forgets a sender`, () => {
    const cache = new MessageCache(undefined, { maxBytesPerSender: 64 * 1024 });
    const half = new Uint8Array(31 * 1024);
    cache.create('a', 'ws/a', false);
    cache.create('b', 'ws/a', false);
    cache.append('a', 'ws/a', half);
    cache.append('b', 'ws/a', half);
    const error = thrown(() => cache.append('b', 'ws/a', new Uint8Array(1024)));
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(error.message).toBe(`too many cached bytes from one sender (limit ${64 * 1024})`);
    cache.create('c', 'ws/other', false);
    cache.append('c', 'ws/other', half);
    cache.dropOwner('ws/a');
    expect(cache.bytesOf('ws/a')).toBe(0);
    expect(thrown(() => cache.take('a', 'ws/a')).code).toBe('BAD_MESSAGE');
    cache.create('a', 'ws/a', false);
    cache.append('a', 'ws/a', half);
  });

  it('charges each message and chunk its overhead on top of its bytes, and gives it all back', () => {
    const cache = new MessageCache();
    cache.create('key', 'ws/a', false);
    cache.append('key', 'ws/a', new Uint8Array(10));
    cache.set('key', 'ws/a', 1, new Uint8Array(5));
    expect(cache.bytesOf('ws/a')).toBe(CACHED_MESSAGE_OVERHEAD_BYTES + 3 + 2 * CACHED_CHUNK_OVERHEAD_BYTES + 15);
    expect(cache.bytes).toBe(cache.bytesOf('ws/a'));
    expect(cache.take('key', 'ws/a')).toHaveLength(15);
    expect(cache.bytes).toBe(0);
    expect(cache.size).toBe(0);
  });

  it('stores a copy of a chunk that is a view into a larger buffer', () => {
    const cache = new MessageCache();
    const frame = new Uint8Array([9, 1, 2, 9]);
    cache.create('k', 'ws/a', false);
    cache.append('k', 'ws/a', frame.subarray(1, 3));
    frame.fill(0);
    expect([...cache.take('k', 'ws/a')]).toEqual([1, 2]);
  });

  it('drops messages not completed within the time limit', () => {
    let now = 0;
    const cache = new MessageCache(() => now);
    cache.create('old', 'ws/a', false);
    now = CACHED_MESSAGE_TTL_MS;
    cache.create('new', 'ws/b', false);
    expect(thrown(() => cache.take('old', 'ws/a')).code).toBe('BAD_MESSAGE');
    expect(cache.take('new', 'ws/b')).toEqual(new Uint8Array(0));
  });

  it('counts a replaced chunk only once against the byte limit', () => {
    const cache = new MessageCache(undefined, { maxBytesPerSender: 64 * 1024 });
    const quarter = new Uint8Array(15 * 1024);
    cache.create('k', 'ws/a', false);
    for (let i = 0; i < 20; i++) cache.set('k', 'ws/a', 0, quarter);
    for (let i = 1; i < 4; i++) cache.set('k', 'ws/a', i, quarter);
    expect(thrown(() => cache.set('k', 'ws/a', 4, new Uint8Array(3 * 1024))).code).toBe('LIMIT_EXCEEDED');
  });
});
