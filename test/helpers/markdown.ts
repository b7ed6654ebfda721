/**
 * Reading the repository's Markdown for doc checks: which files, their code (inline spans and
 * fenced blocks), their links and their headings.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './process.js';

const SKIPPED_DIRS = new Set(['node_modules', '.git', '.tmp', 'dist', 'coverage', 'results']);

/** Every Markdown file of the repository, relative to its root. */
export function markdownFiles(dir = ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : markdownFiles(join(dir, entry.name));
    return entry.name.endsWith('.md') ? [relative(ROOT, join(dir, entry.name))] : [];
  });
}

/** A Markdown file, read once, with its line numbers kept for messages. */
export interface MarkdownDoc {
  file: string;
  text: string;
  /** Fenced code blocks: language and lines. */
  blocks: { lang: string; line: number; lines: string[] }[];
  /** Inline code spans outside fenced blocks. */
  spans: { line: number; code: string }[];
  /** `[text](target)` links outside code. */
  links: { line: number; target: string }[];
  /** GitHub anchors of the headings. */
  anchors: Set<string>;
}

/** Reads and splits a Markdown file (path relative to the repository root). */
export function readDoc(file: string): MarkdownDoc {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const doc: MarkdownDoc = { file, text, blocks: [], spans: [], links: [], anchors: new Set() };
  let block: MarkdownDoc['blocks'][number] | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const fence = /^\s*```(\w*)/.exec(raw);
    if (fence) {
      if (block) {
        doc.blocks.push(block);
        block = undefined;
      } else {
        block = { lang: fence[1] ?? '', line, lines: [] };
      }
      return;
    }
    if (block) {
      block.lines.push(raw);
      return;
    }
    const heading = /^#{1,6}\s+(.*)$/.exec(raw);
    if (heading) doc.anchors.add(anchorOf(heading[1]!));
    for (const match of raw.matchAll(/`([^`]+)`/g)) doc.spans.push({ line, code: match[1]! });
    const prose = raw.replace(/`[^`]*`/g, '');
    for (const match of prose.matchAll(/\]\(([^)\s]+)\)/g)) doc.links.push({ line, target: match[1]! });
  });
  return doc;
}

/** GitHub's anchor of a heading: lowercase, punctuation dropped, spaces to hyphens. */
export function anchorOf(heading: string): string {
  return heading
    .replace(/`/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}
