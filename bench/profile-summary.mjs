/**
 * Prints the functions with the most self time in a V8 `.cpuprofile` (as written by
 * `node --cpu-prof`, e.g. by `pnpm bench --profile`), with their share of the busy time (all
 * samples but `(idle)`).
 * With `--total`, the time of each function includes what it called (inclusive time).
 * Usage: node bench/profile-summary.mjs <file.cpuprofile> [top=25] [--total]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Self time per function of a profile, highest first.
 * @param {{ nodes: Array<{ id: number, children?: number[], callFrame: { functionName: string, url: string, lineNumber: number } }>, samples: number[], timeDeltas: number[] }} profile
 * @param {{ isInclusive?: boolean }} [options]
 * @returns {Array<{ name: string, selfMs: number, share: number }>} `share` of the non-idle time
 */
export function selfTimes(profile, { isInclusive = false } = {}) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const totals = new Map();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const delta = (profile.timeDeltas[i] ?? 0) / 1000;
    if (byId.get(id).callFrame.functionName !== '(idle)') all += delta;
    // Self time: the sampled frame only. Inclusive: every distinct function on its stack.
    const names = new Set();
    for (let at = id; at !== undefined; at = isInclusive ? parentOf.get(at) : undefined) {
      names.add(frameName(byId.get(at).callFrame));
    }
    for (const name of names) totals.set(name, (totals.get(name) ?? 0) + delta);
  });
  return [...totals]
    .filter(([name]) => !name.startsWith('(idle)') && !name.startsWith('(root)'))
    .map(([name, selfMs]) => ({ name, selfMs, share: selfMs / all }))
    .sort((a, b) => b.selfMs - a.selfMs);
}

function frameName({ functionName, url, lineNumber }) {
  const file = url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '').replace(/^.*\/packages\//, 'packages/');
  return `${functionName || '(anonymous)'} ${file}${file ? `:${lineNumber + 1}` : ''}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const isInclusive = args.includes('--total');
  const [file, top = '25'] = args.filter((a) => a !== '--total');
  if (!file) throw new Error('usage: node bench/profile-summary.mjs <file.cpuprofile> [top] [--total]');
  for (const { name, selfMs, share } of selfTimes(JSON.parse(readFileSync(file, 'utf8')), { isInclusive }).slice(0, Number(top))) {
    process.stdout.write(`${(share * 100).toFixed(1).padStart(5)} %  ${selfMs.toFixed(0).padStart(6)} ms  ${name}\n`);
  }
}
