// The allocator: MetalLB's internal/allocator semantics (metallb-behaviour.md §2, §3), made
// deterministic and fast. Order: requested addresses; else the requested pool; else the pinned pools
// matching the service by priority, then every auto-assign pool without serviceAllocation; inside a
// pool, entries in listed order, lowest usable address first. Outcomes are typed results, never
// exceptions (failures.ts).
import { IpFamily, addrKey, familyOf, formatAddress, parseAddress } from './addr.js';
import type { AllocationFailure, FamilyWord } from './failures.js';
import { orderPools, selectAddresses, wordOf } from './select.js';
import { NO_ADDRS, addrsFamily, normalize, parseAll, sameSet } from './request.js';
import type { Norm } from './request.js';
import type { PoolSet, PoolSpec } from './pools.js';
import { parsePools } from './pools.js';
import { IpamError, IpamErrorCode } from './errors.js';
import { State } from './state.js';
import type { ServiceRecord } from './state.js';
import { IpFamilyPolicy } from './types.js';
import type {
  Allocation,
  AllocationRequest,
  LostAllocation,
  MovedAllocation,
  PoolCounters,
  SetPoolsResult,
} from './types.js';

export type AllocationResult =
  | { ok: true; service: string; pool: string; addresses: readonly string[] }
  | { ok: false; service: string; failure: AllocationFailure };

export interface AllocatorDeps {
  /** Called with a pool name whenever that pool's counters may have changed. Default: none. */
  onCountersChanged?: (pool: string) => void;
}

export interface AllocatorOptions {
  /** Initial pool set (a parsed PoolSet, or specs validated here). Default: no pools. */
  pools?: PoolSet | readonly PoolSpec[];
}

export class Allocator {
  private readonly state: State;
  private readonly deps: AllocatorDeps;
  private readonly tierCache = new Map<string, string[][]>();

  constructor(deps: AllocatorDeps = {}, pools?: PoolSet) {
    this.deps = deps;
    this.state = new State(pools ?? parsePools([]));
  }

  /** The current pool set. */
  get pools(): PoolSet {
    return this.state.pools;
  }

  // ---------------------------------------------------------------- allocation

  /**
   * Gives the service addresses, or confirms the ones it holds (idempotent), following MetalLB's
   * controller (allocateIPs) and allocator: requested addresses are assigned exactly; else the
   * requested pool; else pinned pools then fallback pools. A held allocation is kept when it still
   * satisfies the request (re-validated with the new keys and ports); it is replaced when the
   * requested addresses or pool changed, as MetalLB's convergence clears it in that case.
   */
  allocate(req: AllocationRequest): AllocationResult {
    const n = normalize(req);
    const held = this.state.services.get(n.service);
    const requested =
      req.requestedAddresses && req.requestedAddresses.length > 0
        ? parseAll(req.requestedAddresses)
        : NO_ADDRS;
    if (!Array.isArray(requested)) {
      return this.fail(n, { reason: 'invalid-address', address: requested.bad });
    }
    if (requested.length > 0) {
      if (held && !sameSet(held.addrs, requested)) this.release(n.service);
      const texts = requested.map(formatAddress);
      if (requested.length > 2)
        return this.fail(n, { reason: 'requested-too-many', addresses: texts });
      const fam = addrsFamily(requested);
      if (fam === undefined)
        return this.fail(n, { reason: 'requested-same-family', addresses: texts });
      if (fam !== n.family) return this.fail(n, { reason: 'family-mismatch', addresses: texts });
      const r = this.assignParsed(n, requested);
      if (!r.ok) return r;
      if (
        req.requestedPool !== undefined &&
        req.requestedPool !== '' &&
        r.pool !== req.requestedPool
      ) {
        this.release(n.service);
        return this.fail(n, {
          reason: 'requested-pool-mismatch',
          addresses: texts,
          pool: req.requestedPool,
        });
      }
      return r;
    }
    if (req.requestedPool !== undefined && req.requestedPool !== '') {
      if (held && held.pool !== req.requestedPool) {
        this.release(n.service);
        return this.allocateFromPool(n, req.requestedPool, undefined);
      }
      return this.allocateFromPool(n, req.requestedPool, held);
    }
    if (held) return this.assignParsed(n, held.addrs);
    const tiers = this.tiers(n.matching);
    for (const tier of tiers) {
      const r = this.allocateFromPools(n, tier);
      if (r) return r;
    }
    return this.fail(n, { reason: 'no-available-ips' });
  }

  /** orderPools, cached per set of matching pools until the pool set changes. */
  private tiers(matching: ReadonlySet<string>): string[][] {
    const key = matching.size === 0 ? '' : [...matching].sort().join('\u0000');
    let t = this.tierCache.get(key);
    if (!t) {
      t = orderPools(this.state.pools, matching);
      if (this.tierCache.size > 1000) this.tierCache.clear();
      this.tierCache.set(key, t);
    }
    return t;
  }

  /** MetalLB's AllocateFromPool. */
  private allocateFromPool(
    n: Norm,
    poolName: string,
    held: ServiceRecord | undefined,
  ): AllocationResult {
    if (held) {
      const fam = addrsFamily(held.addrs) ?? 'dual';
      if (n.policy !== IpFamilyPolicy.PreferDualStack && fam !== n.family) {
        return this.fail(n, {
          reason: 'wrong-family-assigned',
          allocatedFamily: fam,
          serviceFamily: n.family,
        });
      }
      return this.assignParsed(n, held.addrs);
    }
    const pool = this.state.pools.pools.get(poolName);
    if (!pool) return this.fail(n, { reason: 'unknown-pool', pool: poolName });
    const found = this.freeInPool(n, pool.name, n.family === 'dual' ? undefined : famOf(n.family));
    const picked = selectAddresses(found, n.family, n.policy);
    if (!picked) {
      return this.fail(n, {
        reason: 'no-available-ips-in-pool',
        pool: pool.name,
        family: n.family,
      });
    }
    return this.assignParsed(n, picked);
  }

  /** MetalLB's allocateFromPools + findBestPoolForService over one tier of pools. */
  private allocateFromPools(n: Norm, pools: readonly string[]): AllocationResult | undefined {
    const want = n.family === 'dual' ? undefined : famOf(n.family);
    const preferDual = n.policy === IpFamilyPolicy.PreferDualStack && n.family === 'dual';
    let primaryCand: Found | undefined;
    let secondaryCand: Found | undefined;
    let best: Found | undefined;
    for (const name of pools) {
      const f = this.freeInPool(n, name, want);
      if (
        want !== undefined ? f[want] !== undefined : f.IPv4 !== undefined && f.IPv6 !== undefined
      ) {
        best = f;
        break;
      }
      if (!preferDual) continue;
      const secondary = n.primary === IpFamily.IPv4 ? IpFamily.IPv6 : IpFamily.IPv4;
      if (f[n.primary] !== undefined && !primaryCand) primaryCand = f;
      if (f[secondary] !== undefined && !secondaryCand) secondaryCand = f;
    }
    best ??= primaryCand ?? secondaryCand;
    if (!best) return undefined;
    const picked = selectAddresses(best, n.family, n.policy);
    if (!picked) return undefined;
    const r = this.assignParsed(n, picked, true);
    return r.ok ? r : undefined;
  }

  /** Lowest usable address per family in a pool (only `only` when given), entries in listed order. */
  private freeInPool(n: Norm, poolName: string, only: IpFamily | undefined): Found {
    const found: Found = { pool: poolName, IPv4: undefined, IPv6: undefined };
    const pool = this.state.pools.pools.get(poolName);
    if (!pool) return found;
    for (const fam of only === undefined ? BOTH : only === IpFamily.IPv4 ? V4_ONLY : V6_ONLY) {
      const list = pool.byFamily[fam];
      const seg = this.state.firstCandidate(
        list,
        n.service,
        n.portKeys,
        n.sharingKey,
        n.backendKey,
      );
      if (seg) {
        found[fam] = this.state.lowestUsable(
          seg,
          n.service,
          n.portKeys,
          n.sharingKey,
          n.backendKey,
        );
      }
    }
    return found;
  }

  /**
   * MetalLB's AllocateFromPoolForAdditionalFamily: a PreferDualStack service holding one address
   * gets the missing family from the same pool, keeping the address it has.
   */
  allocateAdditionalFamily(req: AllocationRequest): AllocationResult {
    const n = normalize(req);
    const held = this.state.services.get(n.service);
    if (!held || held.addrs.length !== 1) {
      return this.fail(n, { reason: 'not-allocated', service: n.service });
    }
    const existing = held.addrs[0]!;
    const extra = familyOf(existing) === IpFamily.IPv4 ? IpFamily.IPv6 : IpFamily.IPv4;
    if (!this.state.pools.pools.has(held.pool)) {
      return this.fail(n, { reason: 'unknown-pool', pool: held.pool });
    }
    const found = this.freeInPool(n, held.pool, extra);
    const a = found[extra];
    if (a === undefined) {
      return this.fail(n, {
        reason: 'no-available-ips-in-pool',
        pool: held.pool,
        family: wordOf(extra),
      });
    }
    return this.assignParsed(n, [existing, a]);
  }

  // ---------------------------------------------------------------- assign / release

  /**
   * MetalLB's Assign: claims exactly these addresses for the service, or reports why not.
   * Idempotent; this is how state is restored from services' status after a restart.
   */
  assign(req: AllocationRequest, addresses: readonly string[]): AllocationResult {
    const n = normalize(req);
    const parsed = parseAll(addresses);
    if (!Array.isArray(parsed))
      return this.fail(n, { reason: 'invalid-address', address: parsed.bad });
    return this.assignParsed(n, parsed);
  }

  /** `unheld`: the caller knows the service holds nothing (saves two lookups per allocation). */
  private assignParsed(n: Norm, addrs: readonly bigint[], unheld = false): AllocationResult {
    const texts = addrs.map(formatAddress);
    const pool = this.state.poolFor(addrs);
    if (!pool) return this.fail(n, { reason: 'not-allowed-in-config', addresses: texts });
    if (pool.pinned && !n.matching.has(pool.name)) {
      return this.fail(n, { reason: 'pool-not-compatible', pool: pool.name });
    }
    if (addrs.length > 2) return this.fail(n, { reason: 'too-many-addresses', addresses: texts });
    if (addrs.length === 2 && familyOf(addrs[0]!) === familyOf(addrs[1]!)) {
      return this.fail(n, { reason: 'same-family', addresses: texts });
    }
    const keys = addrs.map(addrKey);
    for (let i = 0; i < addrs.length; i++) {
      const f = this.state.checkSharing(
        n.service,
        addrs[i]!,
        n.portKeys,
        n.ports,
        n.sharingKey,
        n.backendKey,
        keys[i]!,
      );
      if (f) return this.fail(n, f);
    }
    const before = unheld ? undefined : this.state.services.get(n.service);
    const rec: ServiceRecord = {
      pool: pool.name,
      addrs: [...addrs],
      ports: n.ports,
      portKeys: n.portKeys,
      sharingKey: n.sharingKey,
      backendKey: n.backendKey,
    };
    this.state.assign(n.service, rec, unheld, keys);
    if (before && before.pool !== pool.name) this.changed(before.pool);
    this.changed(pool.name);
    return { ok: true, service: n.service, pool: pool.name, addresses: texts };
  }

  /** Frees the service's addresses (MetalLB's Unassign). Returns the released allocation, if any. */
  release(service: string): Allocation | undefined {
    const rec = this.state.unassign(service);
    if (!rec) return undefined;
    this.changed(rec.pool);
    return toAllocation(service, rec);
  }

  // ---------------------------------------------------------------- pools

  /**
   * Replaces the pool set (validated with parsePools, or specs that are validated here). Allocations
   * whose addresses no longer sit in one pool (pool removed or shrunk, avoidBuggyIPs switched on)
   * are released and reported as `lost`; those now inside a differently named pool are `moved`.
   */
  setPools(pools: PoolSet | readonly PoolSpec[]): SetPoolsResult {
    const next = Array.isArray(pools)
      ? parsePools(pools)
      : isPoolSet(pools)
        ? pools
        : badPools(pools, 'setPools(pools)');
    const old = this.state.pools;
    const all = [...this.state.services.entries()];
    for (const [svc] of all) this.state.unassign(svc);
    this.state.pools = next;
    this.state.resetOccupancy();
    this.tierCache.clear();
    const lost: LostAllocation[] = [];
    const moved: MovedAllocation[] = [];
    for (const [svc, rec] of all) {
      const pool = this.state.poolFor(rec.addrs);
      const addresses = rec.addrs.map(formatAddress);
      if (!pool) {
        lost.push({ service: svc, pool: rec.pool, addresses });
        continue;
      }
      if (pool.name !== rec.pool) {
        moved.push({ service: svc, fromPool: rec.pool, toPool: pool.name, addresses });
      }
      // Re-recorded without checks, as MetalLB's SetPools does: the addresses were compatible
      // with each other before, and sharing does not depend on pools.
      this.state.assign(svc, { ...rec, pool: pool.name });
    }
    const names = new Set([...old.pools.keys(), ...next.pools.keys()]);
    for (const name of [...names].sort()) this.changed(name);
    return { lost, moved };
  }

  // ---------------------------------------------------------------- queries

  /** Exact counters of a pool (MetalLB's PoolCounters plus capacity); undefined for unknown pools. */
  counters(pool: string): PoolCounters | undefined {
    const p = this.state.pools.pools.get(pool);
    if (!p) return undefined;
    const used = this.state.assignedIn(p);
    return {
      assignedIPv4: used.v4,
      assignedIPv6: used.v6,
      availableIPv4: p.capacityIPv4 - used.v4,
      availableIPv6: p.capacityIPv6 - used.v6,
      capacityIPv4: p.capacityIPv4,
      capacityIPv6: p.capacityIPv6,
    };
  }

  /** The service's allocation, if it has one. */
  allocationOf(service: string): Allocation | undefined {
    const rec = this.state.services.get(service);
    return rec ? toAllocation(service, rec) : undefined;
  }

  /** Every allocation, sorted by service key. */
  allocations(): Allocation[] {
    return [...this.state.services.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([s, rec]) => toAllocation(s, rec));
  }

  /** Services using an address (sorted); empty when it is free or not an address. */
  usersOf(address: string): string[] {
    const a = parseAddress(address);
    return a === undefined ? [] : this.state.usersOf(a);
  }

  /** The pool an address belongs to (respecting avoidBuggyIPs), if any. */
  poolOfAddress(address: string): string | undefined {
    const a = parseAddress(address);
    return a === undefined ? undefined : this.state.poolFor([a])?.name;
  }

  private fail(n: Norm, failure: AllocationFailure): AllocationResult {
    return { ok: false, service: n.service, failure };
  }

  private changed(pool: string): void {
    this.deps.onCountersChanged?.(pool);
  }
}

const BOTH = [IpFamily.IPv4, IpFamily.IPv6] as const;
const V4_ONLY = [IpFamily.IPv4] as const;
const V6_ONLY = [IpFamily.IPv6] as const;

interface Found {
  pool: string;
  IPv4: bigint | undefined;
  IPv6: bigint | undefined;
}

function famOf(w: FamilyWord): IpFamily {
  return w === 'ipv4' ? IpFamily.IPv4 : IpFamily.IPv6;
}

function toAllocation(service: string, rec: ServiceRecord): Allocation {
  return {
    service,
    pool: rec.pool,
    addresses: rec.addrs.map(formatAddress),
    sharingKey: rec.sharingKey,
    backendKey: rec.backendKey,
    ports: rec.ports.map((p) => ({ ...p })),
  };
}

/**
 * Creates an allocator over `pools` (specs are validated; IpamError `IPAM_INVALID_POOLS` lists every
 * problem). Factory in the house style: (deps, options).
 */
export function createAllocator(
  deps: AllocatorDeps = {},
  options: AllocatorOptions = {},
): Allocator {
  // A stranger's first call is often createAllocator({ pools }): the pools would be silently
  // ignored and every allocation would fail with no-available-ips (issue 12).
  if (typeof deps !== 'object' || deps === null) {
    throw new IpamError(
      IpamErrorCode.InvalidOptions,
      'createAllocator(deps, options): deps must be an object',
    );
  }
  if ('pools' in deps) {
    throw new IpamError(
      IpamErrorCode.InvalidOptions,
      'createAllocator(deps, options): `pools` is an option, pass it second: createAllocator({}, { pools })',
    );
  }
  for (const k of Object.keys(deps)) {
    if (k !== 'onCountersChanged') {
      throw new IpamError(
        IpamErrorCode.InvalidOptions,
        `createAllocator(deps, options): unknown dependency ${JSON.stringify(k)} (known: onCountersChanged)`,
      );
    }
  }
  if (deps.onCountersChanged !== undefined && typeof deps.onCountersChanged !== 'function') {
    throw new IpamError(
      IpamErrorCode.InvalidOptions,
      'createAllocator(deps, options): deps.onCountersChanged must be a function',
    );
  }
  if (typeof options !== 'object' || options === null) {
    throw new IpamError(
      IpamErrorCode.InvalidOptions,
      'createAllocator(deps, options): options must be an object',
    );
  }
  for (const k of Object.keys(options)) {
    if (k !== 'pools') {
      throw new IpamError(
        IpamErrorCode.InvalidOptions,
        `createAllocator(deps, options): unknown option ${JSON.stringify(k)} (known: pools)`,
      );
    }
  }
  const pools =
    options.pools === undefined
      ? undefined
      : Array.isArray(options.pools)
        ? parsePools(options.pools)
        : isPoolSet(options.pools)
          ? options.pools
          : badPools(options.pools, 'createAllocator(deps, options): options.pools');
  return new Allocator(deps, pools);
}

function isPoolSet(x: unknown): x is PoolSet {
  return (
    typeof x === 'object' &&
    x !== null &&
    (x as PoolSet).pools instanceof Map &&
    Array.isArray((x as PoolSet).byAddress)
  );
}

function badPools(x: unknown, what: string): never {
  throw new IpamError(
    IpamErrorCode.InvalidOptions,
    `${what} must be a PoolSpec[] or a PoolSet from parsePools(), got ${x === null ? 'null' : typeof x}`,
  );
}
