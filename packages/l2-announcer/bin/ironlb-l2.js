#!/usr/bin/env node
// Committed (not built) so that npm links the bin when it installs, before any build has made
// dist/: a bin whose file is missing at install time is never linked (issue 13).
try {
  await import('../dist/cli.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli.js')) {
    console.error('ironlb-l2: not built yet; run `npm run build` in the repository root first');
    process.exit(1);
  }
  throw error;
}
