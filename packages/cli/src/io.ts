/** What the commands may do to the outside world: write, and learn of Ctrl-C. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Whether stdout is a terminal (tables are redrawn in place only then). */
  isTTY: boolean;
  /** Calls `listener` once on SIGINT; returns a function that removes it. */
  onInterrupt(listener: () => void): () => void;
}

/** Writes `value` as indented JSON and a newline. */
export function printJson(io: CliIo, value: unknown): void {
  io.out(`${JSON.stringify(value, jsonReplacer, 2)}\n`);
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (typeof value === 'function') return '[function]';
  return value;
}
