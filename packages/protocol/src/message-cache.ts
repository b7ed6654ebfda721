/**
 * Reassembly of large messages that a sender split into chunks through the receiver's
 * `built-in.message_cache` (hypha-rpc does this above 256 KiB). A key belongs to the peer that
 * created it (each peer has its own key space).
 *
 * Bounded per sender and in all ({@link MessageCacheLimits}). What is counted is what is kept:
 * every stored chunk is a copy of its own (a decoded chunk is a view into its whole received
 * frame, which it would otherwise keep alive), and each message and chunk is charged a fixed
 * overhead on top of its bytes, so many tiny chunks cannot hold memory the limits do not see.
 * Full means refused (`LIMIT_EXCEEDED`): no sender can push out another sender's message.
 */
import { MycelError } from './errors.js';

/** Most messages being reassembled at once, from all senders. */
export const MAX_CACHED_MESSAGES = 4096;
/** Most messages one sender may have waiting for reassembly. */
export const MAX_CACHED_MESSAGES_PER_SENDER = 64;
/** Most bytes held by messages being reassembled (overheads included). */
export const MAX_CACHED_BYTES = 256 * 1024 * 1024;
/** Most bytes one sender may have waiting for reassembly (overheads included). */
export const MAX_CACHED_BYTES_PER_SENDER = 64 * 1024 * 1024;
/** A message not completed within this time is dropped. */
export const CACHED_MESSAGE_TTL_MS = 5 * 60 * 1000;
/** Bytes charged for each stored chunk on top of its data (the array object and its slot). */
export const CACHED_CHUNK_OVERHEAD_BYTES = 128;
/** Bytes charged for each message on top of its chunks (its entry and key). */
export const CACHED_MESSAGE_OVERHEAD_BYTES = 512;
/** Most chunks in one message. */
const MAX_CHUNKS = 65_536;

/** The bounds of a {@link MessageCache}; each defaults to the constant of the same meaning. */
export interface MessageCacheLimits {
  /** @default {@link MAX_CACHED_MESSAGES} */
  maxMessages: number;
  /** @default {@link MAX_CACHED_MESSAGES_PER_SENDER} */
  maxMessagesPerSender: number;
  /** @default {@link MAX_CACHED_BYTES} */
  maxBytes: number;
  /** @default {@link MAX_CACHED_BYTES_PER_SENDER} */
  maxBytesPerSender: number;
  /** @default {@link CACHED_MESSAGE_TTL_MS} */
  ttlMs: number;
}

const DEFAULT_MESSAGE_CACHE_LIMITS: Readonly<MessageCacheLimits> = Object.freeze({
  maxMessages: MAX_CACHED_MESSAGES,
  maxMessagesPerSender: MAX_CACHED_MESSAGES_PER_SENDER,
  maxBytes: MAX_CACHED_BYTES,
  maxBytesPerSender: MAX_CACHED_BYTES_PER_SENDER,
  ttlMs: CACHED_MESSAGE_TTL_MS,
});

interface Entry {
  owner: string;
  chunks: Uint8Array[];
  /** Data bytes (the length of the joined message). */
  bytes: number;
  /** Bytes charged against the limits: data and overheads. */
  charged: number;
  createdAt: number;
}

/** What one sender holds. */
interface Share {
  messages: number;
  bytes: number;
}

/** Chunk store keyed by sender and message key. */
export class MessageCache {
  readonly #entries = new Map<string, Entry>();
  readonly #shares = new Map<string, Share>();
  readonly #now: () => number;
  readonly #limits: Readonly<MessageCacheLimits>;
  #bytes = 0;

  /**
   * @param now the clock used for the time limit
   * @param limits bounds to use instead of the defaults
   */
  constructor(now: () => number = () => Date.now(), limits: Partial<MessageCacheLimits> = {}) {
    this.#now = now;
    this.#limits = { ...DEFAULT_MESSAGE_CACHE_LIMITS, ...limits };
  }

  /** Bytes charged in all (data and overheads). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Messages being reassembled. */
  get size(): number {
    return this.#entries.size;
  }

  /** Bytes charged to one sender (data and overheads). */
  bytesOf(owner: string): number {
    return this.#shares.get(owner)?.bytes ?? 0;
  }

  /** Starts a message. Refused (`LIMIT_EXCEEDED`) when the sender or the store is full. */
  create(key: string, owner: string, overwrite: boolean): void {
    const id = entryId(owner, key);
    const existing = this.#entries.get(id);
    if (existing && !overwrite) throw new MycelError('BAD_MESSAGE', `message "${key}" already exists in the cache`);
    if (existing) this.#drop(id);
    const now = this.#now();
    this.#dropExpired(now);
    const { maxMessages, maxMessagesPerSender } = this.#limits;
    const share = this.#shares.get(owner);
    if ((share?.messages ?? 0) >= maxMessagesPerSender) {
      throw new MycelError('LIMIT_EXCEEDED', `too many cached messages from one sender (limit ${maxMessagesPerSender})`);
    }
    if (this.#entries.size >= maxMessages) {
      throw new MycelError('LIMIT_EXCEEDED', `message cache is full (${maxMessages} messages)`);
    }
    const charged = CACHED_MESSAGE_OVERHEAD_BYTES + key.length;
    this.#charge(owner, charged);
    this.#entries.set(id, { owner, chunks: [], bytes: 0, charged, createdAt: now });
    this.#share(owner).messages++;
  }

  /** Adds a chunk at the end. */
  append(key: string, owner: string, data: unknown): void {
    const entry = this.#own(key, owner);
    this.#put(entry, entry.chunks.length, data);
  }

  /** Puts a chunk at `index` (chunks may arrive out of order). */
  set(key: string, owner: string, index: unknown, data: unknown): void {
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= MAX_CHUNKS) {
      throw new MycelError('BAD_MESSAGE', `chunk index must be an integer from 0 to ${MAX_CHUNKS - 1}`);
    }
    this.#put(this.#own(key, owner), index, data);
  }

  /** Removes a message and returns its bytes, joined. Fails when a chunk is missing. */
  take(key: string, owner: string): Uint8Array {
    const entry = this.#own(key, owner);
    this.#drop(entryId(owner, key));
    const out = new Uint8Array(entry.bytes);
    let offset = 0;
    for (let i = 0; i < entry.chunks.length; i++) {
      const chunk = entry.chunks[i];
      if (!chunk) throw new MycelError('BAD_MESSAGE', `message "${key}" is missing chunk ${i}`);
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  /** Removes a message. */
  remove(key: string, owner: string): void {
    this.#own(key, owner);
    this.#drop(entryId(owner, key));
  }

  /** Drops every message of one sender (it is gone). */
  dropOwner(owner: string): void {
    if (!this.#shares.has(owner)) return;
    for (const [id, entry] of this.#entries) if (entry.owner === owner) this.#drop(id);
  }

  /** Drops everything. */
  clear(): void {
    this.#entries.clear();
    this.#shares.clear();
    this.#bytes = 0;
  }

  #own(key: string, owner: string): Entry {
    const entry = this.#entries.get(entryId(owner, key));
    if (!entry) throw new MycelError('BAD_MESSAGE', `message "${key}" does not exist`);
    return entry;
  }

  #put(entry: Entry, index: number, data: unknown): void {
    if (!(data instanceof Uint8Array)) throw new MycelError('BAD_MESSAGE', 'chunk must be binary');
    if (index >= MAX_CHUNKS) throw new MycelError('LIMIT_EXCEEDED', 'too many chunks');
    const previous = entry.chunks[index];
    const dataDelta = data.length - (previous?.length ?? 0);
    const delta = dataDelta + (previous ? 0 : CACHED_CHUNK_OVERHEAD_BYTES);
    this.#charge(entry.owner, delta);
    entry.chunks[index] = ownCopy(data);
    entry.bytes += dataDelta;
    entry.charged += delta;
  }

  /** Counts `delta` more bytes for `owner`; throws `LIMIT_EXCEEDED` (counting nothing) when they do not fit. */
  #charge(owner: string, delta: number): void {
    const { maxBytes, maxBytesPerSender } = this.#limits;
    if (this.#bytes + delta > maxBytes) {
      throw new MycelError('LIMIT_EXCEEDED', `message cache is full (${maxBytes} bytes)`);
    }
    if (this.bytesOf(owner) + delta > maxBytesPerSender) {
      throw new MycelError('LIMIT_EXCEEDED', `too many cached bytes from one sender (limit ${maxBytesPerSender})`);
    }
    this.#bytes += delta;
    this.#share(owner).bytes += delta;
  }

  #share(owner: string): Share {
    let share = this.#shares.get(owner);
    if (!share) {
      share = { messages: 0, bytes: 0 };
      this.#shares.set(owner, share);
    }
    return share;
  }

  /** Entries are in creation order: expired ones are at the front. */
  #dropExpired(now: number): void {
    for (const [id, entry] of this.#entries) {
      if (now - entry.createdAt < this.#limits.ttlMs) break;
      this.#drop(id);
    }
  }

  #drop(id: string): void {
    const entry = this.#entries.get(id);
    if (!entry) return;
    this.#entries.delete(id);
    this.#bytes -= entry.charged;
    const share = this.#shares.get(entry.owner);
    if (!share) return;
    share.bytes -= entry.charged;
    share.messages--;
    if (share.messages <= 0) this.#shares.delete(entry.owner);
  }
}

/** Keys are per sender: one peer can neither see nor replace another's message. */
function entryId(owner: string, key: string): string {
  return `${owner}\n${key}`;
}

/**
 * The chunk as an array of its own. A decoded chunk is usually a view into the whole frame it
 * came in; keeping the view would keep the frame.
 */
function ownCopy(data: Uint8Array): Uint8Array {
  if (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength) return data;
  // Uint8Array's slice copies (Buffer's would return another view).
  return Uint8Array.prototype.slice.call(data);
}
