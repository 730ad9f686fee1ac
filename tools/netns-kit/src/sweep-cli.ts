#!/usr/bin/env node
// Removes network namespaces and temp folders left by crashed test runs.
// `ironlb-netns-sweep` removes those whose creator is gone; `--all` removes every kit namespace.
import { sweepStale } from './sweep.ts';

const usage = `usage: ironlb-netns-sweep [--all]
  Deletes the network namespaces (ilb-<pid>-...) and temp folders that test runs left behind.
  --all   also those whose creating process is still alive (stop running tests first)`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(usage);
  process.exit(0);
}
const unknown = args.filter((a) => a !== '--all');
if (unknown.length) {
  console.error(`ironlb-netns-sweep: unknown argument ${unknown[0]}\n${usage}`);
  process.exit(2);
}
const deleted = await sweepStale({ all: args.includes('--all') });
console.log(deleted.length ? `deleted ${deleted.join(', ')}` : 'nothing to sweep');
