/**
 * Timers and knobs. Every one is configurable; two named profiles set them all at once.
 *
 * `lan` is hashicorp/memberlist's DefaultLANConfig (config.go) — what MetalLB runs — so it serves
 * as the benchmark anchor. `fast` is IronLB's default: the same SWIM + Lifeguard mechanisms with a
 * 10× shorter protocol period, which a LAN's sub-millisecond RTT allows (SWIM §3: the expected
 * detection time is ~1.58 protocol periods plus the suspicion timeout, independent of N).
 */
import { LIMITS } from '../codec/packet.js';
import { MemberlistError, MemberlistErrorCode } from '../errors.js';
import { MAX_ACCUSATION_LEAD } from './incarnation.js';

/**
 * Fixed bounds on what other members (or a stranger, without a keyring) can make us hold or do
 * (issue 14). README "Reliability" lists each with what happens past it.
 */
export const BOUNDS = {
  /** Members heard of second hand awaiting their verification ping's ack. */
  maxCandidates: 1024,
  /**
   * New members (candidates, each costing one verification ping) one UDP packet or one inbound
   * push/pull may introduce. A 1400-byte gossip packet holds at most ~35 alives of real members;
   * a forged packet makes us send at most this many small pings.
   */
  newMembersPerMessage: 32,
  /** Indirect pings run on behalf of others at once. */
  maxForwards: 1024,
  /** Indirect pings one packet may ask for (a real prober sends one per packet). */
  forwardsPerMessage: 4,
  /** How far an accusation may run ahead of the accused's own incarnation. */
  maxAccusationLead: MAX_ACCUSATION_LEAD,
} as const;

export interface MemberlistOptions {
  /** Protocol period T' (SWIM §3): one probe per period. ms. lan 1000, fast 100. */
  probeIntervalMs: number;
  /** Wait for a direct ack before indirect probes start (≈ RTT + scheduling). ms. lan 500, fast 40. */
  probeTimeoutMs: number;
  /** k members asked to probe indirectly (SWIM §3.1 ping-req). lan 3, fast 3. */
  indirectChecks: number;
  /** Suspicion min = suspicionMult × max(1, log10 N) × probeIntervalMs (hashicorp util.go). lan 4, fast 2. */
  suspicionMult: number;
  /** Suspicion max = suspicionMaxTimeoutMult × min (Lifeguard §4.2). lan 6, fast 4. */
  suspicionMaxTimeoutMult: number;
  /**
   * Independent confirmations K after which the suspicion timeout reaches its minimum (Lifeguard
   * §4.2). hashicorp hard-codes suspicionMult − 2; forced to 0 when N − 2 < K. lan 2, fast 1.
   */
  suspicionConfirmations: number;
  /** Gossip retransmit limit = retransmitMult × ceil(log10(N + 1)) (SWIM §4.1 λ log N). lan 4, fast 4. */
  retransmitMult: number;
  /** Period of the gossip-only packets. ms. lan 200, fast 30. */
  gossipIntervalMs: number;
  /** Random members each gossip period goes to. lan 3, fast 3. */
  gossipNodes: number;
  /** Dead and left members still receive gossip, and stay in the table, this long. ms. lan 30000, fast 30000. */
  gossipToTheDeadTimeMs: number;
  /** Full-state push/pull over TCP with one random member, every ... ms. lan 30000, fast 10000. */
  pushPullIntervalMs: number;
  /**
   * Push/pull with a random *dead* member (not one that left) every ... ms, so two sides of a
   * healed partition find each other again (the idea of serf's reconnect; hashicorp memberlist
   * alone has none, hence 0 = disabled in `lan`). ms. lan 0, fast 2000.
   */
  reconnectIntervalMs: number;
  /** Connect + reply deadline of a TCP stream (push/pull, join). ms. lan 10000, fast 5000. */
  tcpTimeoutMs: number;
  /** Lifeguard LHA: the local health multiplier ranges 0..awarenessMaxMultiplier−1. lan 8, fast 8. */
  awarenessMaxMultiplier: number;
  /** Largest UDP payload we build before sealing, bytes. lan 1400, fast 1400. */
  udpBufferBytes: number;
  /** Skip the TCP fallback probe (hashicorp DisableTcpPings). lan false, fast false. */
  disableTcpPings: boolean;
  /** On leave(), copies of the leave message sent straight to every member (so it survives loss). fast/lan 2. */
  leaveCopies: number;
  /** How long leave() keeps gossiping before the transport closes. ms. lan 1000, fast 300. */
  leavePropagateMs: number;
  /**
   * Members kept in the table (every state, ourselves not counted), at most
   * LIMITS.nodesPerPushPull − 1 so our full state always fits one push/pull. New members beyond it
   * are dropped and counted. 5000 = Kubernetes' largest supported cluster. lan 5000, fast 5000.
   */
  maxMembers: number;
}

export type ProfileName = 'lan' | 'fast';

export const PROFILES: Readonly<Record<ProfileName, Readonly<MemberlistOptions>>> = {
  lan: {
    probeIntervalMs: 1000,
    probeTimeoutMs: 500,
    indirectChecks: 3,
    suspicionMult: 4,
    suspicionMaxTimeoutMult: 6,
    suspicionConfirmations: 2,
    retransmitMult: 4,
    gossipIntervalMs: 200,
    gossipNodes: 3,
    gossipToTheDeadTimeMs: 30_000,
    pushPullIntervalMs: 30_000,
    reconnectIntervalMs: 0,
    tcpTimeoutMs: 10_000,
    awarenessMaxMultiplier: 8,
    udpBufferBytes: 1400,
    disableTcpPings: false,
    leaveCopies: 2,
    leavePropagateMs: 1000,
    maxMembers: 5000,
  },
  fast: {
    probeIntervalMs: 100,
    probeTimeoutMs: 40,
    indirectChecks: 3,
    suspicionMult: 2,
    suspicionMaxTimeoutMult: 4,
    suspicionConfirmations: 1,
    retransmitMult: 4,
    gossipIntervalMs: 30,
    gossipNodes: 3,
    gossipToTheDeadTimeMs: 30_000,
    pushPullIntervalMs: 10_000,
    reconnectIntervalMs: 2000,
    tcpTimeoutMs: 5000,
    awarenessMaxMultiplier: 8,
    udpBufferBytes: 1400,
    disableTcpPings: false,
    leaveCopies: 2,
    leavePropagateMs: 300,
    maxMembers: 5000,
  },
};

/** Resolves a profile (default `fast`) plus overrides, and validates every field. */
export function resolveOptions(
  overrides: Partial<MemberlistOptions> & { profile?: ProfileName } = {},
): MemberlistOptions {
  const { profile = 'fast', ...rest } = overrides;
  if (!Object.hasOwn(PROFILES, profile))
    throw new MemberlistError(
      MemberlistErrorCode.InvalidOption,
      `profile must be "fast" or "lan", not ${JSON.stringify(profile)}`,
      { option: 'profile', value: profile },
    );
  const base = PROFILES[profile];
  const o: MemberlistOptions = { ...base };
  for (const [k, v] of Object.entries(rest)) {
    if (!Object.hasOwn(base, k))
      throw new MemberlistError(MemberlistErrorCode.InvalidOption, `unknown option "${k}"`, {
        option: k,
      });
    if (v !== undefined) (o as unknown as Record<string, unknown>)[k] = v;
  }
  if (typeof o.disableTcpPings !== 'boolean')
    throw new MemberlistError(
      MemberlistErrorCode.InvalidOption,
      'disableTcpPings must be boolean',
      {
        option: 'disableTcpPings',
        value: o.disableTcpPings,
      },
    );
  const positive: (keyof MemberlistOptions)[] = [
    'probeIntervalMs',
    'probeTimeoutMs',
    'suspicionMult',
    'suspicionMaxTimeoutMult',
    'retransmitMult',
    'gossipIntervalMs',
    'pushPullIntervalMs',
    'tcpTimeoutMs',
    'awarenessMaxMultiplier',
    'udpBufferBytes',
    'maxMembers',
  ];
  const nonNegative: (keyof MemberlistOptions)[] = [
    'indirectChecks',
    'suspicionConfirmations',
    'gossipNodes',
    'gossipToTheDeadTimeMs',
    'leaveCopies',
    'reconnectIntervalMs',
    'leavePropagateMs',
  ];
  for (const k of positive) {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      throw new MemberlistError(MemberlistErrorCode.InvalidOption, `${k} must be > 0`, {
        option: k,
        value: v,
      });
  }
  for (const k of nonNegative) {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new MemberlistError(MemberlistErrorCode.InvalidOption, `${k} must be >= 0`, {
        option: k,
        value: v,
      });
  }
  if (o.probeTimeoutMs > o.probeIntervalMs)
    throw new MemberlistError(
      MemberlistErrorCode.InvalidOption,
      'probeTimeoutMs must not exceed probeIntervalMs',
      { probeTimeoutMs: o.probeTimeoutMs, probeIntervalMs: o.probeIntervalMs },
    );
  if (o.suspicionMaxTimeoutMult < 1)
    throw new MemberlistError(MemberlistErrorCode.InvalidOption, 'suspicionMaxTimeoutMult < 1', {
      value: o.suspicionMaxTimeoutMult,
    });
  if (!Number.isInteger(o.maxMembers) || o.maxMembers > LIMITS.nodesPerPushPull - 1)
    throw new MemberlistError(
      MemberlistErrorCode.InvalidOption,
      `maxMembers must be an integer in 1..${LIMITS.nodesPerPushPull - 1}`,
      { option: 'maxMembers', value: o.maxMembers },
    );
  if (o.udpBufferBytes < 512)
    throw new MemberlistError(MemberlistErrorCode.InvalidOption, 'udpBufferBytes < 512', {
      value: o.udpBufferBytes,
    });
  return o;
}
