// How the controller process tunes Node before it starts: glibc gives every thread its own malloc
// arena, and V8's old generation is capped at what the pod's memory limit allows. The young
// generation stays at 16 MiB per semi-space (stated, so that a Node release changing its default
// does not change the controller): a smaller one (4 MiB, this launcher's setting until the
// cold-start work of issue 16) made the 10k-Service cold start spend ~0.7 s more CPU in
// scavenges — every request in flight survives a collection that comes every few milliseconds —
// while the writes and events the controller queues are bounded now (Writer.highAtMost, the
// EventRecorder's window), so the larger young generation no longer shows in the RSS: ~180 MiB
// with 10k Services (measured by `nx run controller:bench`). These settings only exist at
// process start, so the launcher re-executes itself once (process.execve: same PID, nothing
// stays behind) unless told not to.

export interface Tuning {
  /** Node options to put before the script. */
  readonly execArgv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Young-generation semi-space, MiB (Node 24's default on 64-bit, stated). */
export const SEMI_SPACE_MIB = 16;
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
