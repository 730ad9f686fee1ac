// MetalLB's per-service convergence (controller/service.go convergeBalancer) minus the Kubernetes
// parts, plus the restart order (metallb-behaviour.md §3 "Restart recovery", MetalLB PR #2004).
// k8s-glue turns the returned events into Service events and the addresses into status.
import { familyOf, parseAddress } from './addr.js';
import type { AllocationResult, Allocator } from './allocator.js';
import type { AllocationFailure } from './failures.js';
import { IpFamilyPolicy } from './types.js';
import { normalize } from './request.js';
import type { AllocationRequest } from './types.js';

/** What happened while reconciling one service (each maps to one MetalLB event). */
export type ReconcileEvent =
  /** The current addresses were dropped (MetalLB: Normal `ClearAssignment` when `failure` is set). */
  | {
      type: 'cleared';
      addresses: readonly string[];
      why: 'not-allowed' | 'family-changed' | 'pool-changed' | 'addresses-changed';
      failure?: AllocationFailure;
    }
  /** New addresses were allocated (MetalLB: Normal `IPAllocated` "Assigned IP [...]"). */
  | { type: 'allocated'; pool: string; addresses: readonly string[] }
  /** PreferDualStack got its missing family (MetalLB: `IPAllocated` "Assigned additional IP"). */
  | { type: 'additional-allocated'; address: string }
  /** PreferDualStack could not get its missing family (MetalLB: Normal `AdditionalAssignFailed`). */
  | { type: 'additional-failed'; failure: AllocationFailure };

export interface ReconcileResult {
  service: string;
  /** The addresses the service should show in status (empty on failure). */
  addresses: readonly string[];
  /** Pool of those addresses (for metallb.io/ip-allocated-from-pool); undefined when none. */
  pool: string | undefined;
  /** Set when no address could be had (MetalLB: Warning `AllocationFailed`). */
  failure: AllocationFailure | undefined;
  /** Whether `addresses` differ from the `current` passed in (a status write is needed). */
  changed: boolean;
  events: ReconcileEvent[];
}

function parseCurrent(current: readonly string[]): bigint[] {
  const out: bigint[] = [];
  for (const t of current) {
    const a = parseAddress(t.trim());
    if (a !== undefined) out.push(a);
  }
  return out;
}

/**
 * Converges one service: keeps (re-assigns) its current addresses when they are still allowed,
 * clears them when they are not or when the requested pool / addresses changed, adds the missing
 * family for a dual-stack PreferDualStack service holding one address, and allocates when it has
 * none.
 */
export function reconcile(
  alloc: Allocator,
  req: AllocationRequest,
  current: readonly string[],
): ReconcileResult {
  normalize(req); // throws IpamError IPAM_INVALID_REQUEST on a malformed request, before any use
  const events: ReconcileEvent[] = [];
  const policy = req.ipFamilyPolicy ?? IpFamilyPolicy.SingleStack;
  const dualService = req.ipFamilies.length === 2;
  let lb = parseCurrent(current);
  let lbText = current.map((t) => t.trim()).filter((t) => parseAddress(t) !== undefined);
  const clear = (
    why: Extract<ReconcileEvent, { type: 'cleared' }>['why'],
    f?: AllocationFailure,
  ) => {
    alloc.release(req.service);
    if (lb.length > 0) {
      events.push(
        f
          ? { type: 'cleared', addresses: lbText, why, failure: f }
          : { type: 'cleared', addresses: lbText, why },
      );
    }
    lb = [];
    lbText = [];
  };

  // No pools at all: MetalLB clears the service without an event and reports an error.
  if (alloc.pools.pools.size === 0) {
    alloc.release(req.service);
    return {
      service: req.service,
      addresses: [],
      pool: undefined,
      failure: { reason: 'no-pools' },
      changed: current.length > 0,
      events,
    };
  }
  if (lb.length === 0) alloc.release(req.service);
  else if (familyChanged(lb, req)) clear('family-changed');

  if (lb.length > 0) {
    const r = alloc.assign(req, lbText);
    if (!r.ok) clear('not-allowed', r.failure);
    else {
      lbText = [...r.addresses];
      if (req.requestedPool && r.pool !== req.requestedPool) clear('pool-changed');
    }
    const wanted = parseCurrent(req.requestedAddresses ?? []);
    if (lb.length > 0 && wanted.length > 0 && !sameSet(lb, wanted)) clear('addresses-changed');
  }

  // MetalLB tries this for any PreferDualStack service with one address; for a single-stack
  // cluster IP that flips between one and two addresses on every reconcile (the second one is then
  // cleared as a family change), so we only do it when the service really is dual-stack.
  if (lb.length === 1 && policy === IpFamilyPolicy.PreferDualStack && dualService) {
    const r = alloc.allocateAdditionalFamily(req);
    if (r.ok) {
      const extra = r.addresses[1]!;
      events.push({ type: 'additional-allocated', address: extra });
      lbText = [...r.addresses];
      lb = parseCurrent(lbText);
    } else events.push({ type: 'additional-failed', failure: r.failure });
  }

  let result: AllocationResult | undefined;
  if (lb.length === 0) {
    result = alloc.allocate(req);
    if (!result.ok) {
      return {
        service: req.service,
        addresses: [],
        pool: undefined,
        failure: result.failure,
        changed: current.length > 0,
        events,
      };
    }
    lbText = [...result.addresses];
    events.push({ type: 'allocated', pool: result.pool, addresses: result.addresses });
  }
  const pool = alloc.allocationOf(req.service)?.pool;
  const changed = lbText.length !== current.length || lbText.some((t, i) => t !== current[i]);
  return { service: req.service, addresses: lbText, pool, failure: undefined, changed, events };
}

// MetalLB's serviceFamilyChanged: the addresses' family must be the cluster-IP family, except that
// a dual-stack PreferDualStack service may hold a single address.
function familyChanged(lb: readonly bigint[], req: AllocationRequest): boolean {
  let fam: string;
  if (lb.length === 1) fam = familyOf(lb[0]!);
  else if (lb.length === 2 && familyOf(lb[0]!) !== familyOf(lb[1]!)) fam = 'dual';
  else return true;
  const svc = req.ipFamilies.length === 2 ? 'dual' : req.ipFamilies[0];
  if (fam === svc) return false;
  return !(svc === 'dual' && req.ipFamilyPolicy === IpFamilyPolicy.PreferDualStack);
}

function sameSet(a: readonly bigint[], b: readonly bigint[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x)) && b.every((x) => a.includes(x));
}

/** A service as a controller sees it at start-up: its request and the addresses in its status. */
export interface ServiceState {
  request: AllocationRequest;
  /** status.loadBalancer.ingress[].ip, possibly empty. */
  addresses: readonly string[];
}

/**
 * The order a restarted controller must process services in so that no held address moves
 * (MetalLB PR #2004, issues #435/#1774/#2443/#2479): services with addresses first, more addresses
 * first, then by key; then the rest by key. Deterministic, unlike MetalLB's.
 */
export function restartOrder<T extends ServiceState>(services: readonly T[]): T[] {
  return [...services].sort(
    (a, b) =>
      b.addresses.length - a.addresses.length ||
      (a.request.service < b.request.service ? -1 : a.request.service > b.request.service ? 1 : 0),
  );
}

/**
 * Restores state after a restart in two phases: first every service's current addresses are
 * re-assigned (no new address is handed out while any held one is still unclaimed), then every
 * service is reconciled in restartOrder. Returns the reconcile results in that order.
 */
export function restore(alloc: Allocator, services: readonly ServiceState[]): ReconcileResult[] {
  const ordered = restartOrder(services);
  for (const s of ordered) {
    if (s.addresses.length > 0) alloc.assign(s.request, s.addresses);
  }
  return ordered.map((s) => reconcile(alloc, s.request, s.addresses));
}
