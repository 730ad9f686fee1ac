// The allocator's bookkeeping: who holds which address, with which sharing key, backend key and
// ports, and which addresses of each pool segment are in use. Memory is proportional to the number
// of allocations: nothing here is sized by a pool.
import { addrKey, formatAddress } from './addr.js';
import { IpamError, IpamErrorCode } from './errors.js';
import type { AllocationFailure, SharingDetail } from './failures.js';
import { addressAt, ordinalOf, segmentAt, usableIn } from './pools.js';
import type { Pool, PoolSet, Segment } from './pools.js';
import { RunSet } from './runset.js';
import type { Port } from './types.js';

/** Everyone using one address. */
interface AddressUse {
  seg: Segment;
  /**
   * The services on this address (their ports are in their ServiceRecord). A short array, not
   * maps: almost every address has one user, and at 100k allocations the garbage collector's work
   * is proportional to the objects each allocation keeps.
   */
  users: string[];
  /**
   * Port key ("TCP/80") → service, kept only while the address is shareable (non-empty sharing
   * key): the sharing search tests many shared addresses per allocation.
   */
  ports: Map<string, string> | undefined;
  /** The key of the last service assigned here (MetalLB's sharingKeyForIP). */
  sharingKey: string;
  backendKey: string;
}

export interface ServiceRecord {
  pool: string;
  addrs: bigint[];
  ports: Port[];
  portKeys: string[];
  sharingKey: string;
  backendKey: string;
}

export function portKey(p: Port): string {
  return `${p.protocol}/${p.port}`;
}

function shareId(sharingKey: string, backendKey: string): string {
  return `${sharingKey}\u0000${backendKey}`;
}

/** A sorted array of addresses; small per sharing key, so splicing is cheap. */
class SortedAddrs {
  readonly xs: bigint[] = [];
  lowerBound(a: bigint): number {
    let lo = 0;
    let hi = this.xs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.xs[mid]! < a) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  add(a: bigint): void {
    const i = this.lowerBound(a);
    if (this.xs[i] !== a) this.xs.splice(i, 0, a);
  }
  delete(a: bigint): void {
    const i = this.lowerBound(a);
    if (this.xs[i] === a) this.xs.splice(i, 1);
  }
}

export class State {
  pools: PoolSet;
  readonly occupied = new Map<Segment, RunSet>();
  /** addrKey(address) → its users (never a bigint key: see addrKey). */
  readonly uses = new Map<number | string, AddressUse>();
  readonly services = new Map<string, ServiceRecord>();
  /** (sharing key, backend key) → addresses whose record carries that key; only non-empty keys. */
  private readonly shareIndex = new Map<string, SortedAddrs>();
  /**
   * Per pool and family (keyed by Pool.byFamily[family]): the positions of the segments that have
   * no usable address left, so that "first segment in listed order with room" is one lookup even
   * for pools of thousands of entries.
   */
  private readonly fullIdx = new Map<readonly Segment[], RunSet>();

  constructor(pools: PoolSet) {
    this.pools = pools;
  }

  /** Forgets all occupancy (before re-recording every allocation over a new pool set). */
  resetOccupancy(): void {
    this.occupied.clear();
    this.fullIdx.clear();
  }

  private listOf(seg: Segment): readonly Segment[] | undefined {
    return this.pools.pools.get(seg.pool)?.byFamily[seg.family];
  }

  private fullOf(list: readonly Segment[]): RunSet {
    let rs = this.fullIdx.get(list);
    if (!rs) {
      rs = new RunSet();
      for (const s of list) if (s.count === 0n) rs.add(BigInt(s.famPos));
      this.fullIdx.set(list, rs);
    }
    return rs;
  }

  /**
   * The first segment (listed order) of `list` where `service` can get an address: one with an
   * unused address, or one holding a compatible shared address.
   */
  firstCandidate(
    list: readonly Segment[],
    service: string,
    portKeys: readonly string[],
    sharingKey: string,
    backendKey: string,
  ): Segment | undefined {
    if (list.length === 0) return undefined;
    let pos = Number(this.fullOf(list).firstAbsentFrom(0n));
    if (sharingKey !== '') {
      const idx = this.shareIndex.get(shareId(sharingKey, backendKey));
      const first = list[0]!;
      if (idx) {
        for (const a of idx.xs) {
          const use = this.uses.get(addrKey(a))!;
          const seg = use.seg;
          if (seg.famPos >= pos || seg.pool !== first.pool || seg.family !== first.family) continue;
          if (!usableIn(seg, a) || !this.portsFree(use, service, portKeys)) continue;
          pos = seg.famPos;
        }
      }
    }
    return list[pos];
  }

  private runsOf(seg: Segment): RunSet {
    let rs = this.occupied.get(seg);
    if (!rs) {
      rs = new RunSet();
      this.occupied.set(seg, rs);
    }
    return rs;
  }

  /** The pool holding every address (MetalLB's poolFor: one pool, avoidBuggyIPs respected). */
  poolFor(addrs: readonly bigint[]): Pool | undefined {
    let pool: string | undefined;
    for (const a of addrs) {
      const seg = segmentAt(this.pools, a);
      if (!seg || !usableIn(seg, a)) return undefined;
      if (pool !== undefined && pool !== seg.pool) return undefined;
      pool = seg.pool;
    }
    return pool === undefined ? undefined : this.pools.pools.get(pool);
  }

  /** MetalLB's checkSharing: may `service` use `addr` with these keys and ports? */
  checkSharing(
    service: string,
    addr: bigint,
    portKeys: readonly string[],
    ports: readonly Port[],
    sharingKey: string,
    backendKey: string,
    key: number | string = addrKey(addr),
  ): AllocationFailure | undefined {
    const use = this.uses.get(key);
    if (!use) return undefined;
    const detail = sharingDetail(use.sharingKey, use.backendKey, sharingKey, backendKey);
    if (detail !== undefined) {
      // The sole user of an address may change its own key in place (MetalLB allocator.go).
      const others = use.users.filter((s) => s !== service).sort();
      if (others.length > 0) {
        return {
          reason: 'sharing-conflict',
          service,
          address: formatAddress(addr),
          detail,
          sharingKey,
          existingSharingKey: use.sharingKey,
          backendKey,
          existingBackendKey: use.backendKey,
          otherServices: others,
        };
      }
    }
    for (let i = 0; i < portKeys.length; i++) {
      const cur = this.portUser(use, portKeys[i]!, service);
      if (cur !== undefined) {
        return {
          reason: 'port-in-use',
          address: formatAddress(addr),
          port: { ...ports[i]! },
          usedBy: cur,
        };
      }
    }
    return undefined;
  }

  /**
   * The lowest address of `seg` that `service` may take: the lowest unused one, or a lower one
   * already used under the same non-empty sharing and backend keys with none of `portKeys` taken.
   */
  lowestUsable(
    seg: Segment,
    service: string,
    portKeys: readonly string[],
    sharingKey: string,
    backendKey: string,
  ): bigint | undefined {
    if (seg.count === 0n) return undefined;
    const rs = this.occupied.get(seg);
    const ord = rs ? rs.firstAbsentFrom(0n) : 0n;
    const free = ord < seg.count ? addressAt(seg, ord) : undefined;
    if (sharingKey === '') return free;
    const idx = this.shareIndex.get(shareId(sharingKey, backendKey));
    if (!idx) return free;
    const xs = idx.xs;
    for (let i = idx.lowerBound(seg.lo); i < xs.length; i++) {
      const a = xs[i]!;
      if (a > seg.hi || (free !== undefined && a > free)) break;
      if (!usableIn(seg, a)) continue;
      if (this.portsFree(this.uses.get(addrKey(a))!, service, portKeys)) return a;
    }
    return free;
  }

  /** Records the allocation unconditionally (callers checked it). Replaces any previous one. */
  assign(
    service: string,
    rec: ServiceRecord,
    unheld = false,
    keys?: readonly (number | string)[],
  ): void {
    if (!unheld) this.unassign(service);
    for (let i = 0; i < rec.addrs.length; i++) {
      const a = rec.addrs[i]!;
      const key = keys ? keys[i]! : addrKey(a);
      let use = this.uses.get(key);
      if (!use) {
        const seg = segmentAt(this.pools, a);
        if (!seg) throw new IpamError(IpamErrorCode.Internal, `no segment for ${formatAddress(a)}`);
        use = {
          seg,
          users: [],
          ports: rec.sharingKey === '' ? undefined : new Map(),
          sharingKey: rec.sharingKey,
          backendKey: rec.backendKey,
        };
        this.uses.set(key, use);
        const rs = this.runsOf(seg);
        rs.add(ordinalOf(seg, a));
        if (rs.size === seg.countNum) {
          const list = this.listOf(seg);
          if (list) this.fullOf(list).add(BigInt(seg.famPos));
        }
        this.indexKey(a, use.sharingKey, use.backendKey, true);
      } else if (use.sharingKey !== rec.sharingKey || use.backendKey !== rec.backendKey) {
        this.indexKey(a, use.sharingKey, use.backendKey, false);
        use.sharingKey = rec.sharingKey;
        use.backendKey = rec.backendKey;
        this.indexKey(a, use.sharingKey, use.backendKey, true);
        use.ports = rec.sharingKey === '' ? undefined : this.portMapOf(use.users);
      }
      use.users.push(service);
      if (use.ports) for (const pk of rec.portKeys) use.ports.set(pk, service);
    }
    this.services.set(service, rec);
  }

  /** Frees the service's addresses; returns its record, if it had one. */
  unassign(service: string): ServiceRecord | undefined {
    const rec = this.services.get(service);
    if (!rec) return undefined;
    this.services.delete(service);
    for (const a of rec.addrs) {
      const key = addrKey(a);
      const use = this.uses.get(key);
      if (!use) throw new IpamError(IpamErrorCode.Internal, `incoherent state for ${service}`);
      const i = use.users.indexOf(service);
      if (i >= 0) use.users.splice(i, 1);
      if (use.ports) {
        for (const pk of rec.portKeys) if (use.ports.get(pk) === service) use.ports.delete(pk);
      }
      // Unlike MetalLB (which forgets the sharing key once no ports remain, even with users left),
      // the record lives exactly as long as the address has users.
      if (use.users.length === 0) {
        this.uses.delete(key);
        this.indexKey(a, use.sharingKey, use.backendKey, false);
        this.occupied.get(use.seg)?.delete(ordinalOf(use.seg, a));
        const list = this.listOf(use.seg);
        if (list && use.seg.count > 0n) this.fullIdx.get(list)?.delete(BigInt(use.seg.famPos));
      }
    }
    return rec;
  }

  private indexKey(a: bigint, sharingKey: string, backendKey: string, add: boolean): void {
    if (sharingKey === '') return;
    const id = shareId(sharingKey, backendKey);
    let idx = this.shareIndex.get(id);
    if (add) {
      if (!idx) {
        idx = new SortedAddrs();
        this.shareIndex.set(id, idx);
      }
      idx.add(a);
    } else if (idx) {
      idx.delete(a);
      if (idx.xs.length === 0) this.shareIndex.delete(id);
    }
  }

  private portMapOf(users: readonly string[]): Map<string, string> {
    const m = new Map<string, string>();
    for (const u of users) for (const pk of this.services.get(u)!.portKeys) m.set(pk, u);
    return m;
  }

  /** The service other than `except` using port key `pk` on the address, if any. */
  private portUser(use: AddressUse, pk: string, except: string): string | undefined {
    if (use.ports) {
      const cur = use.ports.get(pk);
      return cur === except ? undefined : cur;
    }
    for (const u of use.users) {
      if (u !== except && this.services.get(u)!.portKeys.includes(pk)) return u;
    }
    return undefined;
  }

  private portsFree(use: AddressUse, service: string, portKeys: readonly string[]): boolean {
    if (portKeys.length === 0) return true;
    if (use.ports) {
      for (const pk of portKeys) {
        const cur = use.ports.get(pk);
        if (cur !== undefined && cur !== service) return false;
      }
      return true;
    }
    for (const u of use.users) {
      if (u === service) continue;
      const theirs = this.services.get(u)!.portKeys;
      for (const pk of portKeys) if (theirs.includes(pk)) return false;
    }
    return true;
  }

  /** Users of an address, sorted. */
  usersOf(a: bigint): string[] {
    const use = this.uses.get(addrKey(a));
    return use ? [...use.users].sort() : [];
  }

  /** Distinct addresses in use in a pool, per family (shared addresses count once, as MetalLB). */
  assignedIn(pool: Pool): { v4: bigint; v6: bigint } {
    let v4 = 0n;
    let v6 = 0n;
    for (const seg of pool.segments) {
      const n = BigInt(this.occupied.get(seg)?.size ?? 0);
      if (seg.family === 'IPv4') v4 += n;
      else v6 += n;
    }
    return { v4, v6 };
  }
}

/** MetalLB's sharingOK as data: undefined when the keys allow sharing. */
function sharingDetail(
  existingSharing: string,
  existingBackend: string,
  sharing: string,
  backend: string,
): SharingDetail | undefined {
  if (existingSharing === '') return 'existing-does-not-share';
  if (sharing === '') return 'new-does-not-share';
  if (existingSharing !== sharing) return 'sharing-key';
  if (existingBackend !== backend) return 'backend-key';
  return undefined;
}
