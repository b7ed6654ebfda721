/**
 * A small typed event emitter for the SDK (hub events and connection lifecycle events).
 * Listener errors are caught and reported, never thrown into the connection.
 */

/** A listener of one event type. */
export type Listener = (payload: any) => void; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Event emitter with `on`, `off`, `once` and `emit`. */
export class Emitter {
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #onError: (error: unknown, type: string) => void;

  constructor(onError: (error: unknown, type: string) => void) {
    this.#onError = onError;
  }

  /** Adds a listener. */
  on(type: string, listener: Listener): void {
    let set = this.#listeners.get(type);
    if (!set) {
      set = new Set();
      this.#listeners.set(type, set);
    }
    set.add(listener);
  }

  /** Removes one listener, or all listeners of `type` when none is given. */
  off(type: string, listener?: Listener): void {
    if (!listener) {
      this.#listeners.delete(type);
      return;
    }
    this.#listeners.get(type)?.delete(listener);
  }

  /** Adds a listener that runs once. */
  once(type: string, listener: Listener): void {
    const wrapped: Listener = (payload) => {
      this.off(type, wrapped);
      listener(payload);
    };
    this.on(type, wrapped);
  }

  /** Calls every listener of `type` with `payload`. */
  emit(type: string, payload: unknown): void {
    const set = this.#listeners.get(type);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(payload);
      } catch (error) {
        this.#onError(error, type);
      }
    }
  }

  /** Removes every listener. */
  clear(): void {
    this.#listeners.clear();
  }
}
