/**
 * Messages quoted in the docs are messages the code really produces. Every string and template
 * literal of the packages' sources becomes a pattern (`${...}` matches anything); every inline
 * code span of the docs that reads like a message (lowercase words, not code, not a command)
 * must match one of them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { ERROR_CODES, RETRYABLE_CODES } from '@mycel/protocol';
import { describe, expect, it } from 'vitest';
import { markdownFiles, readDoc } from '../helpers/markdown.js';
import { ROOT } from '../helpers/process.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const ELLIPSIS = /…|\.\.\./g;

/** A literal of the sources: a pattern of what it produces, and its text with `…` for substitutions. */
interface Template {
  pattern: RegExp;
  skeleton: string;
}

/** Every string and template literal in the packages' sources. */
function messagePatterns(): Template[] {
  const patterns: Template[] = [];
  for (const pkg of ['protocol', 'server', 'client']) {
    for (const file of sourceFiles(join(ROOT, 'packages', pkg, 'src'))) {
      const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
      const visit = (node: ts.Node): void => {
        if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
          patterns.push({ pattern: new RegExp(`^${escape(node.text)}$`), skeleton: node.text });
        } else if (ts.isTemplateExpression(node)) {
          const literals = [node.head.text, ...node.templateSpans.map((s) => s.literal.text)];
          // A template that is mostly substitutions (`${a}/${b}`) would match any text.
          if (/[a-z]{3,} /i.test(literals.join(''))) {
            const parts = [escape(node.head.text), ...node.templateSpans.map((s) => `.*${escape(s.literal.text)}`)];
            patterns.push({ pattern: new RegExp(`^${parts.join('')}$`, 's'), skeleton: literals.join('…') });
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
  }
  return patterns;
}

/**
 * Whether the code produces `quoted`: as it stands, or, where the doc elides a part (`…` or
 * `...`), with anything in its place.
 */
function isProduced(quoted: string): boolean {
  if (patterns.some((t) => t.pattern.test(quoted))) return true;
  if (!quoted.includes('…') && !quoted.includes('...')) return false;
  const elided = new RegExp(`^${quoted.split(ELLIPSIS).map(escape).join('.*')}$`, 's');
  return patterns.some((t) => elided.test(t.skeleton));
}

/** A span that reads like a quoted message: lowercase words, at least three, no code or command. */
function isMessageLike(span: string): boolean {
  if (!/^[a-z]/.test(span) || span.split(' ').length < 3) return false;
  if (/[{}=<>$]|\w\(|--|=>/.test(span)) return false;
  return !/^(?:npx|npm|node|git|cd|tsc|perf|strace|taskset|ulimit|import|apt-get|curl)\b/.test(span);
}

const patterns = messagePatterns();
const docs = markdownFiles().map(readDoc);

it('reads the patterns of the sources', () => {
  expect(patterns.length).toBeGreaterThan(100);
  expect(isProduced('peer "public/w1" is not connected')).toBe(true);
  expect(isProduced('peer "…" is not connected')).toBe(true);
  expect(isProduced('peer "public/w1" has left the building')).toBe(false);
  expect(isProduced('peer "…" has left …')).toBe(false);
});

describe.each(docs.map((d) => [d.file, d] as const))('%s', (_file, doc) => {
  it('quotes only messages the code produces', () => {
    const unknown = doc.spans
      .filter(({ code }) => isMessageLike(code))
      .filter(({ code }) => !isProduced(code))
      .map(({ line, code }) => `line ${line}: ${code}`);
    expect(unknown).toEqual([]);
  });
});

describe('the error code table of packages/protocol/README.md', () => {
  const text = readFileSync(join(ROOT, 'packages/protocol/README.md'), 'utf8');
  const rows = [...text.matchAll(/^\| `([A-Z_]+)` \| (.*) \|$/gm)].map((m) => ({ code: m[1]!, meaning: m[2]! }));

  it('has one row per code, no more', () => {
    expect(rows.map((r) => r.code).sort()).toEqual([...ERROR_CODES].sort());
  });

  it('says which codes are retryable, as RETRYABLE_CODES does', () => {
    expect(rows.filter((r) => r.meaning.includes('(retryable)')).map((r) => r.code).sort()).toEqual([...RETRYABLE_CODES].sort());
    expect(text).toContain(`\`RETRYABLE_CODES\` = ${RETRYABLE_CODES.map((c) => `\`${c}\``).join(', ')}.`);
  });
});
