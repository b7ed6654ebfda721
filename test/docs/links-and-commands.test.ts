/**
 * The docs stay true: links and anchors resolve, files named in code exist, every pnpm command is
 * spelled so that it runs where pnpm is not installed (`npx -y pnpm@10 ...`) and names a script
 * that exists, and every `mycel-hub` flag shown is one its `--help` lists.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { markdownFiles, readDoc, type MarkdownDoc } from '../helpers/markdown.js';
import { ROOT } from '../helpers/process.js';
import { usage } from '../../packages/server/src/cli-options.js';

const docs = markdownFiles().map(readDoc);
const TOP_LEVEL = /^(?:\.\/)?(?:packages|test|docs|examples|bench|soak|scripts|\.ci)\//;
/** Generated or ignored places that a fresh checkout does not have. */
const NOT_IN_CHECKOUT = /^(?:\.\/)?bench\/results\b/;
const ROOT_SCRIPTS = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: object }).scripts);
const PNPM_BUILTINS = ['install', 'add', 'pack', 'exec', 'run', 'dlx', '-r', '--filter'];
/** The flags `mycel-hub --help` lists. */
const CLI_FLAGS = new Set([...usage().matchAll(/(?<![\w-])--[a-z][\w-]*/g)].map((m) => m[0]));

/** Every piece of code in a doc, one line each: inline spans and the lines of fenced blocks. */
function codeLines(doc: MarkdownDoc): { line: number; code: string }[] {
  return [...doc.spans, ...doc.blocks.flatMap((b) => b.lines.map((code, i) => ({ line: b.line + 1 + i, code })))];
}

it('finds the docs', () => {
  expect(docs.map((d) => d.file)).toEqual(expect.arrayContaining(['README.md', 'CONTRIBUTING.md', 'packages/protocol/README.md']));
});

describe.each(docs.map((d) => [d.file, d] as const))('%s', (_file, doc) => {
  it('links only to files and headings that exist', () => {
    const broken = doc.links.flatMap(({ line, target }) => {
      if (/^[a-z]+:/i.test(target)) return [];
      const [path = '', anchor] = target.split('#');
      const file = path === '' ? doc.file : normalize(join(dirname(doc.file), path));
      if (!existsSync(join(ROOT, file))) return [`line ${line}: ${target} (no ${file})`];
      if (anchor === undefined || !file.endsWith('.md')) return [];
      const anchors = file === doc.file ? doc.anchors : readDoc(file).anchors;
      return anchors.has(anchor) ? [] : [`line ${line}: ${target} (no heading #${anchor} in ${file})`];
    });
    expect(broken).toEqual([]);
  });

  it('names only files that exist', () => {
    const missing = codeLines(doc).flatMap(({ line, code }) =>
      code
        .split(/[\s"'()=,;]+/)
        .map((token) => token.replace(/[:.,;]+$/, ''))
        .filter((token) => TOP_LEVEL.test(token) && !NOT_IN_CHECKOUT.test(token) && !/[*<>{}]|\.\.\./.test(token))
        .filter((token) => !existsSync(join(ROOT, token)))
        .map((token) => `line ${line}: ${token}`),
    );
    expect(missing).toEqual([]);
  });

  it('runs pnpm through npx, with scripts that exist', () => {
    const wrong = codeLines(doc).flatMap(({ line, code }) =>
      [...code.matchAll(/(\S*\s*\S*\s*)\bpnpm(@\d+)?\s+(\S+)/g)].flatMap((match) => {
        const [, before = '', version, command = ''] = match;
        if (!/npx -y\s*$/.test(before) || version !== '@10') return [`line ${line}: "${code.trim()}" (write npx -y pnpm@10)`];
        if (PNPM_BUILTINS.includes(command) || ROOT_SCRIPTS.includes(command)) return [];
        return [`line ${line}: "${code.trim()}" (no script "${command}" in package.json)`];
      }),
    );
    expect(wrong).toEqual([]);
  });

  it('shows only mycel-hub flags the CLI knows', () => {
    const unknown = codeLines(doc)
      .filter(({ code }) => /(?:^|\s)mycel-hub(?:\s|$)/.test(code))
      .flatMap(({ line, code }) =>
        [...code.matchAll(/(?<![\w-])--[a-z][\w-]*/g)]
          .map((m) => m[0])
          .filter((flag) => !CLI_FLAGS.has(flag))
          .map((flag) => `line ${line}: ${flag}`),
      );
    expect(unknown).toEqual([]);
  });
});

describe('CONTRIBUTING.md', () => {
  const text = readFileSync(join(ROOT, 'CONTRIBUTING.md'), 'utf8');
  const sections = [...text.matchAll(/\*\*`@mycel\/(\w+)`\*\*([\s\S]*?)(?=\n\*\*`@mycel\/|\n## |$)/g)];

  it('has a paragraph per package', () => {
    expect(sections.map((m) => m[1]).sort()).toEqual(['cli', 'client', 'protocol', 'server']);
  });

  it.each(sections.map((m) => [m[1]!, m[2]!] as const))('names only files of @mycel/%s that exist', (pkg, section) => {
    const named = [...section.matchAll(/`([\w-]+(?:\/[\w-]+)*(?:\.ts|\/))`/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(0);
    // A name may be relative to a folder the paragraph names (`manager/` ... `discovery.ts`).
    const src = join(ROOT, 'packages', pkg, 'src');
    const present = readdirSync(src, { recursive: true, withFileTypes: true }).map((e) =>
      relative(src, join(e.parentPath, e.name)) + (e.isDirectory() ? '/' : ''),
    );
    expect(named.filter((name) => !present.some((p) => p === name || p.endsWith(`/${name}`)))).toEqual([]);
  });
});
