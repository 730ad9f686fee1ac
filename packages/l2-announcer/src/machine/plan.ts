/**
 * Which addresses each interface answers for (pure, DESIGN.md §3). A speaker holds claims — an
 * owner (a Service, say) wants an address announced on some interfaces (an L2Advertisement's
 * `interfaces`, or none for all) — and the node has eligible interfaces; the plan is the join:
 * per interface, the IPv4 addresses its ARP responder answers and the IPv6 addresses its NDP
 * responder answers. Several owners of one address (services sharing an IP, MetalLB's
 * `allow-shared-ip`) announce it on the union of their interfaces.
 */
import type { EligibleInterface } from '@ironlb/raw-link';

/** One owner's wish for one address. `interfaces: null` = every eligible interface. */
export interface Claim {
  readonly interfaces: readonly string[] | null;
}

/** Canonical address → family and owner → claim. */
export type Claims = ReadonlyMap<
  string,
  { readonly family: 4 | 6; readonly owners: ReadonlyMap<string, Claim> }
>;

export interface InterfacePlan {
  /** Addresses for the ARP responder (only on BROADCAST interfaces). */
  readonly arp: ReadonlySet<string>;
  /** Addresses for the NDP responder (only on interfaces with an IPv6 link-local address). */
  readonly ndp: ReadonlySet<string>;
}

/** Interfaces an address is wanted on: null = all, else the union of the owners' lists. */
export function wantedInterfaces(owners: ReadonlyMap<string, Claim>): ReadonlySet<string> | null {
  const out = new Set<string>();
  for (const c of owners.values()) {
    if (c.interfaces === null || c.interfaces.length === 0) return null;
    for (const i of c.interfaces) out.add(i);
  }
  return out;
}

/** The plan for every eligible interface (interfaces with nothing to answer are included, empty). */
export function planInterfaces(
  claims: Claims,
  eligible: readonly EligibleInterface[],
): Map<string, InterfacePlan> {
  const plan = new Map<string, { arp: Set<string>; ndp: Set<string> }>();
  for (const i of eligible) plan.set(i.name, { arp: new Set(), ndp: new Set() });
  for (const [address, { family, owners }] of claims) {
    if (owners.size === 0) continue;
    const wanted = wantedInterfaces(owners);
    for (const i of eligible) {
      if (wanted && !wanted.has(i.name)) continue;
      const slot = plan.get(i.name);
      if (!slot) continue;
      if (family === 4 && i.arp) slot.arp.add(address);
      if (family === 6 && i.ndp) slot.ndp.add(address);
    }
  }
  return plan;
}
