// `npm run bench [-- project...] [--collect]`: runs the uncached `bench` target of every project (or the ones
// named), one at a time because the machines are small and noisy, then refreshes BENCHMARKS.md
// from bench-results/<project>.json. Sections of projects not run this time are kept as they were.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
process.chdir(root);
// `--collect` only regenerates BENCHMARKS.md from the JSON files already in bench-results/.
const collect = process.argv.includes('--collect');
const only = process.argv.slice(2).filter((a) => a !== '--collect');
const env = { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false' };

const args = only.length
  ? ['nx', 'run-many', '-t', 'bench', '-p', ...only, '--parallel=1', '--output-style=stream']
  : ['nx', 'run-many', '-t', 'bench', '--parallel=1', '--output-style=stream'];
const started = collect ? 0 : Date.now();
const r = collect ? { status: 0 } : spawnSync('npx', args, { stdio: 'inherit', env });
const ran = new Set();
const resultsDir = join(root, 'bench-results');
const results = existsSync(resultsDir)
  ? readdirSync(resultsDir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(join(resultsDir, f), 'utf8')))
      .filter((j) => Date.parse(j.finished) >= started)
  : [];
for (const j of results) ran.add(j.project);

const fmt = (n) =>
  n === undefined || n === null
    ? ''
    : Math.abs(n) >= 100
      ? n.toFixed(0)
      : Math.abs(n) >= 1
        ? n.toFixed(2)
        : Number(n).toPrecision(3);

function section(j) {
  const lines = [
    `<!-- bench:${j.project} -->`,
    `## ${j.project}`,
    '',
    `Command: \`${j.command}\` — run ${j.finished.slice(0, 16).replace('T', ' ')} UTC on Node ${j.node}.`,
    '',
    '| measurement | value | unit | anchor (same run) | ratio | target | met |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of j.rows) {
    lines.push(
      `| ${row.name} | ${fmt(row.value)} | ${row.unit} | ${row.anchor === undefined ? '' : `${fmt(row.anchor)}${row.anchorName ? ` (${row.anchorName})` : ''}`} | ${row.ratio === undefined ? '' : `${fmt(row.ratio)}×`} | ${row.target ?? ''} | ${row.pass === undefined ? '' : row.pass ? 'yes' : '**no**'} |`,
    );
  }
  const notes = j.rows.filter((row) => row.note).map((row) => `- ${row.name}: ${row.note}`);
  if (notes.length) lines.push('', ...notes);
  lines.push(`<!-- /bench:${j.project} -->`);
  return lines.join('\n');
}

const file = join(root, 'BENCHMARKS.md');
const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
const kept = new Map();
for (const m of old.matchAll(/<!-- bench:([\w-]+) -->[\s\S]*?<!-- \/bench:\1 -->/g))
  kept.set(m[1], m[0]);
for (const j of results) kept.set(j.project, section(j));

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const doc = [
  '# Benchmarks',
  '',
  'Latest figures of every `bench` target (DESIGN.md §5). The machines are shared and noisy, so each',
  'headline figure is a median or percentile and comes with an anchor measured in the same run; the',
  'ratio is value ÷ anchor. Regenerate with `npm run bench` (all) or `npm run bench -- <project>`.',
  '',
  `Last refreshed on a ${cpus().length}-core ${cpu}.`,
  '',
  ...[...kept.keys()].sort().map((k) => kept.get(k) + '\n'),
].join('\n');
writeFileSync(file, doc);
console.log(`\nBENCHMARKS.md refreshed (${ran.size ? [...ran].join(', ') : 'no new results'})`);
process.exit(r.status ?? 1);
