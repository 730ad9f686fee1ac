/**
 * The numeric rules of hashicorp/memberlist (util.go, suspicion.go, awareness.go), as pure functions.
 */

/** Suspicion minimum: mult × max(1, log10 N) × interval (util.go suspicionTimeout). ms. */
export function suspicionMinMs(mult: number, n: number, probeIntervalMs: number): number {
  const nodeScale = Math.max(1, Math.log10(Math.max(1, n)));
  return mult * nodeScale * probeIntervalMs;
}

/**
 * Lifeguard §4.2 / suspicion.go remainingSuspicionTime: the timeout falls logarithmically from max
 * towards min as independent confirmations `n` arrive, reaching min after `k` of them.
 */
export function suspicionTimeoutMs(n: number, k: number, minMs: number, maxMs: number): number {
  if (k <= 0) return minMs;
  const frac = Math.log(n + 1) / Math.log(k + 1);
  const raw = maxMs - frac * (maxMs - minMs);
  return Math.max(minMs, Math.floor(raw));
}

/** K actually used: forced to 0 when there are not enough other members to confirm (state.go). */
export function effectiveConfirmations(k: number, n: number): number {
  return n - 2 < k ? 0 : k;
}

/** Gossip retransmit limit: mult × ceil(log10(N + 1)) (util.go retransmitLimit, SWIM §4.1). */
export function retransmitLimit(mult: number, n: number): number {
  return mult * Math.ceil(Math.log10(n + 1));
}

/** Lifeguard LHA-Probe: timeouts scale by (score + 1) (awareness.go ScaleTimeout). */
export function scaleByAwareness(ms: number, score: number): number {
  return ms * (score + 1);
}

/**
 * Push/pull interval grows with cluster size above 32 members so full-state TCP syncs stay cheap
 * (util.go pushPullScale): × (ceil(log2 N − log2 32) + 1).
 */
export function pushPullScaleMs(intervalMs: number, n: number): number {
  const threshold = 32;
  if (n <= threshold) return intervalMs;
  return (Math.ceil(Math.log2(n) - Math.log2(threshold)) + 1) * intervalMs;
}
