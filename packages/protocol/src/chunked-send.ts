/**
 * Sending a large message in chunks through the receiver's `built-in.message_cache`, as hypha-rpc
 * senders do: `create(key, heartbeat)`, then `set(key, index, chunk, heartbeat)` for every chunk
 * (a bounded number in flight), then `process(key, heartbeat)`, which makes the receiver run the
 * joined frame as if it had arrived whole. The official Python client reads frames with a 512 KiB
 * buffer and a 1 MiB WebSocket limit, and the hub refuses frames over 16 MiB, so anything larger
 * than one chunk goes this way. The receiving side is `message-cache.ts` and `built-in.ts`.
 */
import { nanoid } from 'nanoid';
import { MycelError } from './errors.js';
import type { FrameMeta } from './peer-options.js';

/** Size of one chunk (hypha-rpc's `long_message_chunk_size`). */
export const CHUNK_SIZE_BYTES = 256 * 1024;

/** Frames up to this size are sent whole; larger ones in chunks (hypha-rpc's threshold). */
export const CHUNK_THRESHOLD_BYTES = CHUNK_SIZE_BYTES + 1024;

/** Chunks sent without waiting for their acknowledgement (hypha-rpc's `HYPHA_CONCURRENCY_LIMIT`). */
export const MAX_CHUNKS_IN_FLIGHT = 30;

/**
 * Largest message a peer sends, chunked or not: 63 MiB, so that one such message, with the
 * per-chunk overheads a receiver counts, fits what a Mycel receiver holds per sender while
 * reassembling (64 MiB, `MAX_CACHED_BYTES_PER_SENDER`).
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 63 * 1024 * 1024;

/** One message to send in chunks. */
export interface ChunkedMessage {
  /** The whole frame. */
  frame: Uint8Array;
  /** The receiver's peer id. */
  target: string;
  /**
   * The cache key. An answer uses the session it answers, with `heartbeat`, so each chunk
   * restarts the waiting caller's timer (hypha-rpc's receiver requires that session to exist).
   */
  key: string;
  heartbeat: boolean;
}

/** Calls a method of the receiver's `built-in` service and resolves with its answer. */
export type BuiltInCall = (method: string, args: unknown[]) => Promise<unknown>;

/**
 * Sends `message` in chunks. Resolves once the receiver has processed it; rejects with the first
 * error (after asking the receiver to drop what it holds). `onProgress` runs after each chunk
 * lands, so the caller can keep its own timer alive on a slow link.
 */
export async function sendInChunks(message: ChunkedMessage, callBuiltIn: BuiltInCall, onProgress?: () => void): Promise<void> {
  const { frame, key, heartbeat } = message;
  const count = Math.ceil(frame.length / CHUNK_SIZE_BYTES);
  const cache = 'services.built-in.message_cache';
  await callBuiltIn(`${cache}.create`, [key, heartbeat]);
  let next = 0;
  let failure: unknown;
  const lane = async (): Promise<void> => {
    while (failure === undefined && next < count) {
      const index = next++;
      const chunk = frame.subarray(index * CHUNK_SIZE_BYTES, (index + 1) * CHUNK_SIZE_BYTES);
      try {
        await callBuiltIn(`${cache}.set`, [key, index, chunk, heartbeat]);
        onProgress?.();
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(MAX_CHUNKS_IN_FLIGHT, count) }, lane));
  if (failure !== undefined) {
    callBuiltIn(`${cache}.remove`, [key]).catch(() => undefined);
    throw MycelError.from(failure, 'REMOTE_ERROR');
  }
  await callBuiltIn(`${cache}.process`, [key, heartbeat]);
}

/** The error for a message over `limit` bytes: it names both sizes and what the message was. */
export function messageTooLarge(what: string, size: number, limit: number): MycelError {
  return new MycelError('LIMIT_EXCEEDED', `${what} of ${size} bytes is larger than the limit of ${limit} bytes`);
}

/** What a {@link FrameSender} needs from its peer. */
export interface FrameSenderHost {
  /** Writes one frame to the transport (may throw when it is closed). */
  send(frame: Uint8Array, meta: FrameMeta): void;
  /** Makes a call through the peer (the chunks are calls to the receiver's `built-in`). */
  call(target: string, method: string, args: unknown[]): Promise<unknown>;
  /** Largest message sent, chunked or not. */
  maxMessageBytes: number;
}

/** Sends a peer's method frames: whole up to {@link CHUNK_THRESHOLD_BYTES}, else in chunks. */
export class FrameSender {
  readonly #host: FrameSenderHost;

  constructor(host: FrameSenderHost) {
    this.#host = host;
  }

  /**
   * Sends `frame`. Returns undefined when it went whole, else the promise of its chunked
   * delivery. Throws `LIMIT_EXCEEDED` for a frame over the message limit.
   *
   * @param what names the message in that error (`call "services.x.y"`, `result`)
   * @param answers the caller's session, when the frame answers a call: its chunks restart that
   *   call's timer on the receiving side
   * @param onProgress runs after each chunk lands
   */
  send(frame: Uint8Array, meta: FrameMeta, what: string, answers?: string, onProgress?: () => void): Promise<void> | undefined {
    const host = this.#host;
    if (frame.length <= CHUNK_THRESHOLD_BYTES) {
      host.send(frame, meta);
      return undefined;
    }
    if (frame.length > host.maxMessageBytes) throw messageTooLarge(what, frame.length, host.maxMessageBytes);
    // hypha-rpc's receiver looks the session up at the top level of its store: a nested session
    // id (with a dot) goes under a fresh key, without heartbeat.
    const heartbeat = answers !== undefined && answers !== '' && !answers.includes('.');
    const key = heartbeat ? answers : nanoid();
    return sendInChunks({ frame, target: meta.to, key, heartbeat }, (method, args) => host.call(meta.to, method, args), onProgress);
  }
}
