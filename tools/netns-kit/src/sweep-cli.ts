#!/usr/bin/env node
// Removes network namespaces and temp folders left by crashed test runs.
// `ironlb-netns-sweep` removes those whose creator is gone; `--all` removes every kit namespace.
import { sweepStale } from './sweep.ts';

const all = process.argv.includes('--all');
const deleted = await sweepStale({ all });
console.log(deleted.length ? `deleted ${deleted.join(', ')}` : 'nothing to sweep');
