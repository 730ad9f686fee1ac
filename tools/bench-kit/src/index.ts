// Benchmark conventions (DESIGN.md §5): every package's `bench` target measures its subject AND an
// anchor in the same run, reports medians and ratios, prints a human table and writes
// bench-results/<project>.json for `npm run bench` to gather into BENCHMARKS.md.
export { median, percentile, summarize } from './stats.ts';
export type { Summary } from './stats.ts';
export { BenchReport } from './report.ts';
export type { BenchRow } from './report.ts';
