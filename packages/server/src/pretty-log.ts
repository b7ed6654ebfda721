/**
 * A human-readable log format for a terminal: one line per entry,
 * `12:04:05.123 INFO  client connected  client=public/w1 remote=127.0.0.1:50412`. A pino
 * destination (it receives pino's JSON lines), written here rather than taken from pino-pretty:
 * it is one small function, runs in the process (no transport worker thread) and adds no
 * dependency to the hub.
 */

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const COLOURS: Record<number, string> = { 10: '90', 20: '90', 30: '32', 40: '33', 50: '31', 60: '35' };
/** Fields every pino line has, shown in their own place or not at all. */
const OMITTED = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

/** Formats one pino JSON line; a line that is not JSON is returned as it is. */
export function formatLogLine(line: string, useColour = false): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const level = typeof entry.level === 'number' ? entry.level : 30;
  const name = (LEVELS[level] ?? String(level)).padEnd(5);
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 23) : '';
  const fields = Object.entries(entry)
    .filter(([key]) => !OMITTED.has(key))
    .map(([key, value]) => `${key}=${formatValue(value)}`)
    .join(' ');
  const shownLevel = useColour ? `\u001b[${COLOURS[level] ?? '0'}m${name}\u001b[0m` : name;
  return `${time} ${shownLevel} ${String(entry.msg ?? '')}${fields ? `  ${fields}` : ''}\n`;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

/** A pino destination that writes {@link formatLogLine} to `out`. */
export function prettyDestination(out: { write(text: string): unknown; isTTY?: boolean }): { write(line: string): void } {
  const useColour = out.isTTY === true;
  return { write: (line) => void out.write(formatLogLine(line, useColour)) };
}
