// ironlb-controller launcher: tunes Node's memory settings (tuning.ts; they can only be set when
// a process starts, so it re-executes itself once), enables the compile cache, then loads the
// controller bundle.
import { enableCompileCache } from 'node:module';
import { tuning } from './tuning.js';

const t = tuning(process.env, process.execArgv);
if (t && process.execve) {
  const args = [process.execPath, ...t.execArgv, ...process.argv.slice(1)];
  try {
    process.execve(process.execPath, args, t.env as Record<string, string>);
  } catch {
    // execve failed (an unusual platform): run untuned rather than not at all.
  }
}
// Reuse V8's compiled code across restarts (Node's on-disk compile cache; a read-only file system
// only means no cache): the bundle then starts ~0.3 s sooner.
try {
  enableCompileCache?.();
} catch {
  // not fatal
}
await import('./controller.js');
