// ironlb-controller launcher: tunes Node's memory settings (tuning.ts; they can only be set when
// a process starts, so it re-executes itself once), then loads the controller bundle.
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
await import('./controller.js');
