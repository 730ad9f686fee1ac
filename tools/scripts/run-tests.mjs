// `npm test` after the bootstrap: build, lint, then every test layer, each timed against its
// budget (README "Contributing"). Prints one closing line `tests: N passed, N failed, N skipped`.
// Runs under Node 24 (node_modules/.bin comes first in PATH inside npm scripts).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
process.chdir(root);
const outDir = join(root, 'test-results');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

// Budgets in seconds for a 2-core CI machine (the whole run must stay well under 90 minutes).
const layers = [
  {
    name: 'build',
    budget: 300,
    cmd: ['npx', 'nx', 'run-many', '-t', 'build', '--output-style=static'],
  },
  { name: 'lint', budget: 300, cmd: ['npm', 'run', '--silent', 'lint:eslint'] },
  { name: 'format', budget: 60, cmd: ['npx', 'prettier', '--check', '.'] },
  {
    name: 'typecheck',
    budget: 300,
    cmd: ['npx', 'nx', 'run-many', '-t', 'typecheck', '--output-style=static'],
  },
  {
    name: 'pack-check',
    budget: 300,
    cmd: ['npx', 'nx', 'run-many', '-t', 'pack-check', '--output-style=static'],
  },
  { name: 'unit + fuzz', budget: 600, vitest: 'unit' },
  { name: 'integration', budget: 1800, vitest: 'int' },
  { name: 'end to end', budget: 1200, vitest: 'e2e' },
];

const env = {
  ...process.env,
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  FORCE_COLOR: '0',
  NX_TUI: 'false',
};
const results = [];
const totals = { passed: 0, failed: 0, skipped: 0 };
let failed = false;

const bootstrapFile = join(root, '.tools', 'bootstrap-seconds');
if (existsSync(bootstrapFile)) {
  results.push({
    name: 'install (bootstrap)',
    budget: 1200,
    seconds: Number(readFileSync(bootstrapFile, 'utf8')),
    ok: true,
    note: '',
  });
}

for (const layer of layers) {
  const t0 = Date.now();
  let cmd = layer.cmd;
  let report;
  if (layer.vitest) {
    report = join(outDir, `${layer.vitest}.json`);
    cmd = [
      'npx',
      'vitest',
      'run',
      '--project',
      layer.vitest,
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${report}`,
      '--passWithNoTests',
    ];
  }
  console.log(`\n=== ${layer.name}: ${cmd.join(' ')}`);
  const r = spawnSync(cmd[0], cmd.slice(1), { stdio: 'inherit', env });
  const seconds = (Date.now() - t0) / 1000;
  let note = '';
  if (report && existsSync(report)) {
    const j = JSON.parse(readFileSync(report, 'utf8'));
    const passed = j.numPassedTests ?? 0;
    const failedN = j.numFailedTests ?? 0;
    const skipped = (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
    totals.passed += passed;
    totals.failed += failedN;
    totals.skipped += skipped;
    note = `${passed} passed, ${failedN} failed, ${skipped} skipped`;
    if ((j.numTotalTests ?? 0) === 0) note = 'no tests in this layer yet';
  }
  const ok = r.status === 0;
  if (!ok) failed = true;
  results.push({ name: layer.name, budget: layer.budget, seconds, ok, note });
}

console.log('\n=== layer times (budgets in README "Contributing")');
console.log('layer                  seconds   budget  result');
for (const r of results) {
  const over = r.seconds > r.budget ? ' OVER BUDGET' : '';
  console.log(
    `${r.name.padEnd(22)} ${r.seconds.toFixed(1).padStart(7)} ${String(r.budget).padStart(8)}  ${r.ok ? 'ok' : 'FAILED'}${over}${r.note ? ` (${r.note})` : ''}`,
  );
}
console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failed ? 1 : 0);
