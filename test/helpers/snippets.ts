/**
 * Runnable code blocks of the docs. A fenced `ts` block whose first line is a comment naming a
 * file (`// worker.ts: what it does`) is a program a reader may save and run as shown; tests
 * extract and run them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './process.js';

/** One runnable block: its file name and its code. */
export interface Snippet {
  file: string;
  code: string;
}

const BLOCK = /```ts\n(\/\/ ([\w.-]+\.ts)\b[^\n]*\n[\s\S]*?)```/g;

/** The runnable blocks of a Markdown file (path relative to the repository root). */
export function readSnippets(doc: string): Snippet[] {
  const text = readFileSync(join(ROOT, doc), 'utf8');
  return [...text.matchAll(BLOCK)].map((match) => ({ file: match[2]!, code: match[1]! }));
}

/** The block named `file` in `doc`; throws when the doc has none, so a renamed block fails loudly. */
export function snippet(doc: string, file: string): Snippet {
  const found = readSnippets(doc).find((s) => s.file === file);
  if (!found) throw new Error(`${doc} has no runnable block "${file}"`);
  return found;
}

/** The address every snippet uses, and the one tests put in its place. */
export const DOCS_HUB_URL = 'http://127.0.0.1:9527';

/** The snippet's code pointed at another hub. */
export function pointedAt(s: Snippet, url: string): string {
  return s.code.replaceAll(DOCS_HUB_URL, url);
}
