import { describe, expect, it } from 'vitest';
import { CACHED_MESSAGE_TTL_MS, MAX_CACHED_BYTES, MAX_CACHED_BYTES_PER_SENDER, MAX_CACHED_MESSAGES } from '@mycel/protocol';
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

  it(`drops the oldest message beyond ${MAX_CACHED_MESSAGES} messages`, () => {
    const cache = new MessageCache();
    for (let i = 0; i <= MAX_CACHED_MESSAGES; i++) cache.create(`k${i}`, 'ws/a', false);
    expect(thrown(() => cache.take('k0', 'ws/a')).message).toBe('message "k0" does not exist');
    expect(cache.take('k1', 'ws/a')).toEqual(new Uint8Array(0));
    expect(cache.take(`k${MAX_CACHED_MESSAGES}`, 'ws/a')).toEqual(new Uint8Array(0));
  });

  it(`refuses chunks past ${MAX_CACHED_BYTES} bytes in all, and frees the room once taken`, () => {
    const cache = new MessageCache();
    // Views of one 32 MiB buffer: the cache counts 256 MiB while the test holds 32 MiB.
    const big = new Uint8Array(MAX_CACHED_BYTES / 8);
    for (let s = 0; s < 8; s++) {
      cache.create('k', `ws/s${s}`, false);
      cache.append('k', `ws/s${s}`, big);
    }
    cache.create('k', 'ws/late', false);
    const error = thrown(() => cache.append('k', 'ws/late', bytes(1)));
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(error.message).toMatchInlineSnapshot(`"message cache is full (268435456 bytes)"`);
    cache.remove('k', 'ws/s0');
    cache.append('k', 'ws/late', bytes(1));
    cache.set('k', 'ws/late', 0, bytes(1));
  });

  it(`refuses more than ${MAX_CACHED_BYTES_PER_SENDER} bytes from one sender, and forgets a sender`, () => {
    const cache = new MessageCache();
    const half = new Uint8Array(MAX_CACHED_BYTES_PER_SENDER / 2);
    cache.create('a', 'ws/a', false);
    cache.create('b', 'ws/a', false);
    cache.append('a', 'ws/a', half);
    cache.append('b', 'ws/a', half);
    const error = thrown(() => cache.append('b', 'ws/a', bytes(1)));
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(error.message).toBe(`too many cached bytes from one sender (limit ${MAX_CACHED_BYTES_PER_SENDER})`);
    cache.create('c', 'ws/other', false);
    cache.append('c', 'ws/other', half);
    cache.dropOwner('ws/a');
    expect(thrown(() => cache.take('a', 'ws/a')).code).toBe('BAD_MESSAGE');
    cache.create('a', 'ws/a', false);
    cache.append('a', 'ws/a', half);
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
    const cache = new MessageCache();
    const quarter = new Uint8Array(MAX_CACHED_BYTES_PER_SENDER / 4);
    cache.create('k', 'ws/a', false);
    for (let i = 0; i < 20; i++) cache.set('k', 'ws/a', 0, quarter);
    for (let i = 1; i < 4; i++) cache.set('k', 'ws/a', i, quarter);
    expect(thrown(() => cache.set('k', 'ws/a', 4, bytes(1))).code).toBe('LIMIT_EXCEEDED');
  });
});
