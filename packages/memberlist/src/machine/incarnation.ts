/**
 * Incarnation numbers (SWIM §4.2): how members order claims about a member. The wire field is a
 * uint32, and issue 14 showed what naive integers do there: one spoofed Suspect{n2, 4294967295}
 * made n2 refute with 2³², which the field wrapped to 0, so nobody believed the refutation and n2
 * was declared dead (hashicorp/memberlist has the same unchecked 32-bit add). IronLB's rule:
 *
 * 1. Incarnations are 32-bit serial numbers (RFC 1982 §3): `a` is newer than `b` when
 *    (a − b) mod 2³² lies in 1 .. 2³¹−1, and incrementing is addition mod 2³² (RFC 1982 §3.1) —
 *    done here, explicitly, never by the encoder. The space has no end: a refutation always beats
 *    the claim it answers, even one of 4294967295. Two values exactly 2³¹ apart are unordered
 *    (RFC 1982 §3.2) and neither overrides the other.
 * 2. Only a member raises its own incarnation, by one per refutation or metadata change, and every
 *    accuser learnt the incarnation it accuses from that member's own alive. So an accusation
 *    (suspect, dead or leave) more than MAX_ACCUSATION_LEAD ahead of the newest incarnation we have
 *    seen the member announce is not credible: it is dropped and counted. The same holds for
 *    accusations of ourselves, ahead of our own incarnation — except while we are fresh (started,
 *    and no push/pull merged yet): after a restart the cluster may remember an older life of ours
 *    at any incarnation, and we must outbid it to rejoin.
 * 3. Alive messages are not capped: after a partition a member may legitimately be many
 *    refutations ahead, and refusing its alive would keep it dead. An alive of ourselves that is
 *    newer than ours is refuted at any distance, so we stay ahead of whatever the others accepted.
 *
 * Dropping an accusation is always safe: a real crash is still detected by our own probes.
 * Without a keyring anyone on the network can forge any message (an alive, a leave); these rules
 * keep a single forged accusation from causing a death, not a determined forger from causing churn.
 */

/** Incarnations and sequence numbers live in [0, 2³²). */
export const SERIAL_MODULUS = 2 ** 32;
const HALF = 2 ** 31;

/**
 * How far an accusation may run ahead of the newest incarnation announced by the accused. Legit
 * leads are 1 or 2 (an accusation overtaking the refutation it answers); 64 leaves room for bursts
 * of metadata changes.
 */
export const MAX_ACCUSATION_LEAD = 64;

/** (a − b) mod 2³²: how far `a` is ahead of `b` when it is newer. */
export function serialDistance(a: number, b: number): number {
  return (((a - b) % SERIAL_MODULUS) + SERIAL_MODULUS) % SERIAL_MODULUS;
}

/** RFC 1982 §3.2: `a` is strictly newer than `b`. */
export function serialNewer(a: number, b: number): boolean {
  const d = serialDistance(a, b);
  return d > 0 && d < HALF;
}

/** `a` equals `b` or is newer. */
export function serialAtLeast(a: number, b: number): boolean {
  return a === b || serialNewer(a, b);
}

/** RFC 1982 §3.1 addition of 1: 4294967295 + 1 = 0, which is newer than 4294967295. */
export function serialNext(a: number): number {
  return (a + 1) % SERIAL_MODULUS;
}

/** The newer of two incarnations (the first when they are unordered). */
export function serialMax(a: number, b: number): number {
  return serialNewer(b, a) ? b : a;
}

/**
 * An accusation at `claim` about a member whose newest own announcement was `announced` runs too
 * far ahead to be credible (rule 2). Older or equal claims are not "too far" (ordering decides).
 */
export function tooFarAhead(claim: number, announced: number): boolean {
  return serialNewer(claim, announced) && serialDistance(claim, announced) > MAX_ACCUSATION_LEAD;
}
