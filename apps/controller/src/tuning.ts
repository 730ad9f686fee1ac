// How the controller process tunes Node before it starts: V8 grows its heap generously after a
// burst of allocations (10k Services at start-up: the young generation alone takes 48 MiB by
// default) and never shrinks it, and glibc gives every thread its own malloc arena. With a small
// young generation, an old-generation cap far above what 100k Services need, and two malloc
// arenas, the controller holding 10k Services stays under 200 MiB instead of ~330 MiB (measured
// by `nx run controller:bench`). These settings only exist at process start, so the launcher
// re-executes itself once (process.execve: same PID, nothing stays behind) unless told not to.

export interface Tuning {
  /** Node options to put before the script. */
  readonly execArgv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Young-generation semi-space, MiB (Node's default is 16). */
export const SEMI_SPACE_MIB = 4;
/** Old-generation cap, MiB: ~6× what 10k Services need, far from the limits of a real cluster. */
export const OLD_SPACE_MIB = 512;

/**
 * What to re-execute with, or undefined to run as is: already tuned, IRONLB_NODE_TUNING=off, or
 * every setting already given by the user (their NODE_OPTIONS / flags / MALLOC_ARENA_MAX win).
 */
export function tuning(
  env: Readonly<Record<string, string | undefined>>,
  execArgv: readonly string[],
): Tuning | undefined {
  if (env.IRONLB_NODE_TUNING === 'off' || env.IRONLB_NODE_TUNED === '1') return undefined;
  const given = `${execArgv.join(' ')} ${env.NODE_OPTIONS ?? ''}`;
  const add: string[] = [];
  if (!/--max-semi-space-size\b/.test(given)) add.push(`--max-semi-space-size=${SEMI_SPACE_MIB}`);
  if (!/--max-old-space-size\b/.test(given)) add.push(`--max-old-space-size=${OLD_SPACE_MIB}`);
  const arena = env.MALLOC_ARENA_MAX === undefined;
  if (add.length === 0 && !arena) return undefined;
  return {
    execArgv: [...execArgv, ...add],
    env: { ...env, IRONLB_NODE_TUNED: '1', ...(arena ? { MALLOC_ARENA_MAX: '2' } : {}) },
  };
}
