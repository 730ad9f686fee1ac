// A deliberately naive allocator with the same rules, written independently of the real one:
// MetalLB's way (allocator.go getIPFromCIDR) — walk each pool entry from its first address and test
// every address against the sharing and port maps until one fits. O(pool prefix) per allocation,
// O(n²) to fill a pool. Two uses: the benchmark anchor (protocols.md §5.3), and a differential
// oracle in property tests (both must hand out the same addresses).
import { formatAddress, isBuggyV4, parseAddress } from '../addr.js';
import { parsePools } from '../pools.js';
import type { PoolSet, PoolSpec } from '../pools.js';
import type { AllocationRequest } from '../types.js';

interface Use {
  users: Set<string>;
  ports: Map<string, string>;
  key: string;
  sharing: string;
}

export interface NaiveResult {
  ok: boolean;
  addresses: string[];
  pool?: string;
}

/** Naive first-free-scan allocator (single-family and dual-stack; no requested addresses). */
export class NaiveAllocator {
  private set: PoolSet;
  /** Per pool entry: offset from the entry's first address → use. */
  private readonly used = new Map<string, Map<number, Use>>();
  private readonly held = new Map<string, { pool: string; at: { seg: string; off: number }[] }>();
  /** Address checks performed (work measure for the benchmark). */
  probes = 0;

  constructor(pools: readonly PoolSpec[]) {
    this.set = parsePools(pools);
  }

  private fits(
    u: Use | undefined,
    svc: string,
    ports: readonly string[],
    key: string,
    sharing: string,
  ) {
    if (u === undefined) return true;
    const sameKey = u.sharing !== '' && sharing !== '' && u.key === key;
    if (!sameKey) {
      for (const x of u.users) if (x !== svc) return false;
    }
    for (const p of ports) {
      const cur = u.ports.get(p);
      if (cur !== undefined && cur !== svc) return false;
    }
    return true;
  }

  /** First fitting address of one family in a pool, scanning every address from the start. */
  private scan(
    poolName: string,
    family: string,
    svc: string,
    ports: string[],
    key: string,
    sharing: string,
  ) {
    const pool = this.set.pools.get(poolName)!;
    for (const seg of pool.segments) {
      if (seg.family !== family) continue;
      const id = `${poolName}#${seg.entry}`;
      const m = this.used.get(id);
      const size = seg.hi - seg.lo;
      const last = size > 1n << 40n ? 2 ** 40 : Number(size);
      for (let off = 0; off <= last; off++) {
        this.probes++;
        if (seg.skipBuggy && isBuggyV4(seg.lo + BigInt(off))) continue;
        if (this.fits(m?.get(off), svc, ports, key, sharing)) return { seg: id, off, lo: seg.lo };
      }
    }
    return undefined;
  }

  allocate(req: AllocationRequest): NaiveResult {
    const svc = req.service;
    const h = this.held.get(svc);
    if (h) return { ok: true, pool: h.pool, addresses: this.addressesOf(svc) };
    const ports = (req.ports ?? []).map((p) => `${p.protocol}/${p.port}`);
    const sharing = req.sharingKey ?? '';
    const key = `${sharing}\u0000${req.backendKey ?? ''}`;
    const dual = req.ipFamilies.length === 2;
    const policy = req.ipFamilyPolicy ?? 'SingleStack';
    const matching = new Set(req.matchingPools ?? []);
    const all = [...this.set.pools.values()].filter((p) => p.autoAssign);
    const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : 1);
    const prio = (x: number) => (x > 0 ? x : Infinity);
    const tiers = req.requestedPool
      ? [[...this.set.pools.values()].filter((p) => p.name === req.requestedPool)]
      : [
          all
            .filter((p) => p.pinned && matching.has(p.name))
            .sort((a, b) => prio(a.priority) - prio(b.priority) || byName(a, b)),
          all.filter((p) => !p.pinned).sort(byName),
        ];
    for (const tier of tiers) {
      let firstPrimary: ReturnType<NaiveAllocator['pick']> | undefined;
      let firstSecondary: ReturnType<NaiveAllocator['pick']> | undefined;
      for (const pool of tier) {
        if (pool.pinned && !matching.has(pool.name)) continue;
        const v4 = this.scan(pool.name, 'IPv4', svc, ports, key, sharing);
        const v6 = this.scan(pool.name, 'IPv6', svc, ports, key, sharing);
        if (!dual) {
          const one = req.ipFamilies[0] === 'IPv4' ? v4 : v6;
          if (one) return this.take(svc, pool.name, [one], ports, key, sharing);
          continue;
        }
        if (v4 && v6 && policy !== 'SingleStack') {
          return this.take(svc, pool.name, [v4, v6], ports, key, sharing);
        }
        if (policy !== 'PreferDualStack') continue;
        const primary = req.ipFamilies[0] === 'IPv4' ? v4 : v6;
        const secondary = req.ipFamilies[0] === 'IPv4' ? v6 : v4;
        if (primary && !firstPrimary) firstPrimary = this.pick(pool.name, primary);
        if (secondary && !firstSecondary) firstSecondary = this.pick(pool.name, secondary);
      }
      const c = firstPrimary ?? firstSecondary;
      if (c) return this.take(svc, c.pool, [c.at], ports, key, sharing);
    }
    return { ok: false, addresses: [] };
  }

  private pick(pool: string, at: { seg: string; off: number; lo: bigint }) {
    return { pool, at };
  }

  private take(
    svc: string,
    pool: string,
    at: { seg: string; off: number; lo: bigint }[],
    ports: string[],
    key: string,
    sharing: string,
  ): NaiveResult {
    for (const x of at) {
      let m = this.used.get(x.seg);
      if (!m) this.used.set(x.seg, (m = new Map()));
      let u = m.get(x.off);
      if (!u) m.set(x.off, (u = { users: new Set(), ports: new Map(), key, sharing }));
      u.users.add(svc);
      for (const p of ports) u.ports.set(p, svc);
    }
    this.held.set(svc, { pool, at: at.map(({ seg, off }) => ({ seg, off })) });
    this.addrText.set(
      svc,
      at.map((x) => formatAddress(x.lo + BigInt(x.off))),
    );
    return { ok: true, pool, addresses: this.addressesOf(svc) };
  }

  private readonly addrText = new Map<string, string[]>();

  addressesOf(svc: string): string[] {
    const xs = this.addrText.get(svc) ?? [];
    // IPv4 first, as the real allocator (and MetalLB) order them.
    return [...xs].sort((a, b) => Number(a.includes(':')) - Number(b.includes(':')));
  }

  /**
   * Records that `svc` holds `address` (single-family, no ports, no sharing) without scanning:
   * builds the state a fill would have produced, so a benchmark can time the next allocation at
   * 50k services without first paying the O(n²) fill.
   */
  seed(svc: string, address: string): void {
    for (const pool of this.set.pools.values()) {
      for (const seg of pool.segments) {
        const a = parseAddress(address);
        if (a === undefined || a < seg.lo || a > seg.hi) continue;
        const at = { seg: `${pool.name}#${seg.entry}`, off: Number(a - seg.lo), lo: seg.lo };
        this.take(svc, pool.name, [at], [], '\u0000', '');
        return;
      }
    }
    throw new Error(`seed: ${address} is in no pool`);
  }

  release(svc: string): void {
    const h = this.held.get(svc);
    if (!h) return;
    for (const { seg, off } of h.at) {
      const m = this.used.get(seg)!;
      const u = m.get(off)!;
      u.users.delete(svc);
      for (const [p, s] of [...u.ports]) if (s === svc) u.ports.delete(p);
      if (u.users.size === 0) m.delete(off);
    }
    this.held.delete(svc);
    this.addrText.delete(svc);
  }
}
