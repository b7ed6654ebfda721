/**
 * Reassembly of large messages that a sender split into chunks through the receiver's
 * `built-in.message_cache` (hypha-rpc does this above 256 KiB). Bounded: at most
 * {@link MAX_CACHED_MESSAGES} messages and {@link MAX_CACHED_BYTES} bytes in all; a key belongs
 * to the peer that created it (each peer has its own key space).
 */
import { MycelError } from './errors.js';

/** Most messages being reassembled at once. */
export const MAX_CACHED_MESSAGES = 256;
/** Most bytes held by messages being reassembled. */
export const MAX_CACHED_BYTES = 256 * 1024 * 1024;
/** Most bytes one sender may have waiting for reassembly. */
export const MAX_CACHED_BYTES_PER_SENDER = 64 * 1024 * 1024;
/** A message not completed within this time is dropped. */
export const CACHED_MESSAGE_TTL_MS = 5 * 60 * 1000;
/** Most chunks in one message. */
const MAX_CHUNKS = 65_536;

interface Entry {
  owner: string;
  chunks: Uint8Array[];
  bytes: number;
  createdAt: number;
}

/** Chunk store keyed by message key. */
export class MessageCache {
  readonly #entries = new Map<string, Entry>();
  readonly #bytesByOwner = new Map<string, number>();
  readonly #now: () => number;
  #bytes = 0;

  /** @param now the clock used for {@link CACHED_MESSAGE_TTL_MS} */
  constructor(now: () => number = () => Date.now()) {
    this.#now = now;
  }

  /** Starts a message. The oldest message is dropped when the store is full. */
  create(key: string, owner: string, overwrite: boolean): void {
    const id = entryId(owner, key);
    const existing = this.#entries.get(id);
    if (existing && !overwrite) throw new MycelError('BAD_MESSAGE', `message "${key}" already exists in the cache`);
    if (existing) this.#drop(id);
    const now = this.#now();
    // Entries are in creation order: expired ones are at the front.
    for (const [oldId, entry] of this.#entries) {
      if (now - entry.createdAt < CACHED_MESSAGE_TTL_MS) break;
      this.#drop(oldId);
    }
    while (this.#entries.size >= MAX_CACHED_MESSAGES) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#drop(oldest);
    }
    this.#entries.set(id, { owner, chunks: [], bytes: 0, createdAt: now });
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
    for (const [id, entry] of this.#entries) if (entry.owner === owner) this.#drop(id);
  }

  /** Drops everything. */
  clear(): void {
    this.#entries.clear();
    this.#bytesByOwner.clear();
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
    const delta = data.length - (previous?.length ?? 0);
    if (this.#bytes + delta > MAX_CACHED_BYTES) {
      throw new MycelError('LIMIT_EXCEEDED', `message cache is full (${MAX_CACHED_BYTES} bytes)`);
    }
    const ownerBytes = this.#bytesByOwner.get(entry.owner) ?? 0;
    if (ownerBytes + delta > MAX_CACHED_BYTES_PER_SENDER) {
      throw new MycelError('LIMIT_EXCEEDED', `too many cached bytes from one sender (limit ${MAX_CACHED_BYTES_PER_SENDER})`);
    }
    entry.chunks[index] = data;
    entry.bytes += delta;
    this.#bytes += delta;
    this.#bytesByOwner.set(entry.owner, ownerBytes + delta);
  }

  #drop(id: string): void {
    const entry = this.#entries.get(id);
    if (!entry) return;
    this.#bytes -= entry.bytes;
    const left = (this.#bytesByOwner.get(entry.owner) ?? 0) - entry.bytes;
    if (left > 0) this.#bytesByOwner.set(entry.owner, left);
    else this.#bytesByOwner.delete(entry.owner);
    this.#entries.delete(id);
  }
}

/** Keys are per sender: one peer can neither see nor replace another's message. */
function entryId(owner: string, key: string): string {
  return `${owner}\n${key}`;
}
