// How the speaker process tunes Node before it starts (issue 17: one process per node, ≤ 128 MiB
// of RSS with 1k Services). V8 grows its young generation to 16 MiB per semi-space after a burst
// of allocations (the first list of every Service and EndpointSlice) and never gives it back, and
// glibc gives every thread — the speaker has a memberlist worker and libuv's pool — its own malloc
// arena. A small young generation and two arenas keep the resident set close to the live heap.
// V8's --optimize-for-size does the most: with it the speaker holding 1k Services stays at
// ~111 MiB instead of ~142 MiB (growth from 0 to 1k: ~9 MiB instead of ~34; the same run of
// `SPEAKER_BENCH_RSS_EXTRA_ARGS=--optimize-for-size SPEAKER_BENCH_PARTS=rss` with and without it).
// It trades JIT speed for memory (smaller inline caches, less inlining, eager code flushing); the
// speaker's hot paths — one ARP/NDP decision per request, memberlist's few packets a second, BGP
// UPDATEs — are small, and its benchmark (failover, BGP p99) is run with it.
// These settings exist only at process start, so the launcher re-executes itself once
// (process.execve: same PID, nothing stays behind) unless told not to. The same approach as the
// controller's launcher (apps/controller/src/tuning.ts), with the speaker's own figures.

export interface Tuning {
  /** Node options to put before the script. */
  readonly execArgv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Young-generation semi-space, MiB (Node's default is 16). */
export const SEMI_SPACE_MIB = 2;
/** Old-generation cap, MiB: the DaemonSet's memory limit is 256 MiB; 1k Services need ~20. */
export const OLD_SPACE_MIB = 192;

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
  if (!/--(no-)?optimize-for-size\b/.test(given)) add.push('--optimize-for-size');
  const arena = env.MALLOC_ARENA_MAX === undefined;
  if (add.length === 0 && !arena) return undefined;
  return {
    execArgv: [...execArgv, ...add],
    env: { ...env, IRONLB_NODE_TUNED: '1', ...(arena ? { MALLOC_ARENA_MAX: '2' } : {}) },
  };
}
