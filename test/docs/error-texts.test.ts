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
const ELLIPSIS = /\s*(?:…|\.\.\.)\s*/g;

/** A literal of the sources: a pattern of what it produces, and a glob with {@link ANY} for substitutions. */
interface Template {
  pattern: RegExp;
  skeleton: string;
}

/**
 * The pieces of a string expression: literal text, and `null` for each substitution. Literals
 * joined with `+` count as one. `undefined` for anything else.
 */
function pieces(node: ts.Node): (string | null)[] | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [node.text];
  if (ts.isTemplateExpression(node)) return [node.head.text, ...node.templateSpans.flatMap((s) => [null, s.literal.text])];
  if (ts.isParenthesizedExpression(node)) return pieces(node.expression);
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const left = pieces(node.left);
    const right = pieces(node.right);
    return left && right ? [...left, ...right] : undefined;
  }
  return undefined;
}

/** Every string expression in the packages' sources. */
function messagePatterns(): Template[] {
  const patterns: Template[] = [];
  for (const pkg of ['protocol', 'server', 'client', 'cli']) {
    for (const file of sourceFiles(join(ROOT, 'packages', pkg, 'src'))) {
      const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
      const visit = (node: ts.Node): void => {
        const found = pieces(node);
        if (!found) {
          ts.forEachChild(node, visit);
          return;
        }
        const literals = found.filter((p): p is string => p !== null);
        // An expression that is mostly substitutions (`${a}/${b}`) would match any text.
        if (found.length > 1 && !/[a-z]{3,} /i.test(literals.join(''))) return;
        const pattern = found.map((p) => (p === null ? '.*' : escape(p))).join('');
        patterns.push({ pattern: new RegExp(`^${pattern}$`, 's'), skeleton: found.map((p) => p ?? ANY).join('') });
      };
      visit(source);
    }
  }
  return patterns;
}

/** Wildcard of a glob: a substitution in the code, an ellipsis in the docs. */
const ANY = '\u0000';

/**
 * Whether the doc's `quoted` text (with {@link ANY} for its ellipses, which stand for any part of
 * the message) fits the source's `skeleton` (with {@link ANY} for substitutions, which stand for
 * one value: a run without spaces where the doc spells it out).
 */
function fits(quoted: string, skeleton: string): boolean {
  const memo = new Map<number, boolean>();
  const fit = (i: number, j: number): boolean => {
    const key = i * (skeleton.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === quoted.length && j === skeleton.length) result = true;
    else if (quoted[i] === ANY) result = fit(i + 1, j) || (j < skeleton.length && fit(i, j + 1));
    else if (skeleton[j] === ANY) result = fit(i, j + 1) || (i < quoted.length && quoted[i] !== ' ' && fit(i + 1, j));
    else result = i < quoted.length && j < skeleton.length && quoted[i] === skeleton[j] && fit(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return fit(0, 0);
}

/**
 * Whether the code produces `quoted`: as it stands, or, where the doc elides a part (`…` or
 * `...`), with anything in its place.
 */
function isProduced(quoted: string): boolean {
  if (patterns.some((t) => t.pattern.test(quoted))) return true;
  if (!quoted.includes('…') && !quoted.includes('...')) return false;
  const elided = quoted.replace(ELLIPSIS, ANY);
  return patterns.some((t) => fits(elided, t.skeleton));
}

/** A span that reads like a quoted message: lowercase words, at least three, no code or command. */
function isMessageLike(span: string): boolean {
  if (!/^[a-z]/.test(span) || span.split(' ').length < 3) return false;
  if (/[{}=<>$]|\w\(|--|=>/.test(span)) return false;
  return !/^(?:npx|npm|node|git|cd|tsc|perf|strace|taskset|ulimit|import|apt-get|curl|mycel)\b/.test(span);
}

const patterns = messagePatterns();
const docs = markdownFiles().map(readDoc);

it('reads the patterns of the sources', () => {
  expect(patterns.length).toBeGreaterThan(100);
  expect(isProduced('peer "public/w1" is not connected')).toBe(true);
  expect(isProduced('peer "…" is not connected')).toBe(true);
  expect(isProduced('peer "public/w1" has left the building')).toBe(false);
  expect(isProduced('peer "…" has left …')).toBe(false);
  expect(isProduced('client already exists and is active: public/x (…)')).toBe(true);
  expect(isProduced('client already exists and is active: public/x (… a random one …)')).toBe(true);
  expect(isProduced('client already exists and is active: public/x (… a fixed one …)')).toBe(false);
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
