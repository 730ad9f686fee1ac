// The controller's Service handler: MetalLB's SetBalancer + convergeBalancer (controller/main.go,
// controller/service.go) over @ironlb/ipam, step for step, returning what to write and which
// events to record instead of doing it. The only state is the allocator (rebuilt from the
// cluster on start, MetalLB's way) and the current configuration.
import {
  IpFamilyPolicy,
  describeFailure,
  type AllocationRequest,
  type Allocator,
} from '@ironlb/ipam';
import type { DomainConfig } from '../config/types.js';
import type { InvolvedObject } from '../reconcile/event-correlator.js';
import { SyncState, type EventSpec, type ServiceOutcome, type ServiceUpdate } from './outcome.js';
import {
  ANNOTATIONS,
  clusterIPsOf,
  deprecatedAnnotationKeys,
  desiredAddresses,
  familyForAddresses,
  goIpString,
  goList,
  goQuoteList,
  handlesLoadBalancerClass,
  ingressIPs,
  requestedPool,
  serviceFamily,
  toAllocationRequest,
  type FamilyWord,
  type ServiceObject,
} from './service.js';

/** Event reasons the controller uses on Services (MetalLB's). Append-only. */
export const ServiceEventReason = {
  IPAllocated: 'IPAllocated',
  AllocationFailed: 'AllocationFailed',
  ClearAssignment: 'ClearAssignment',
  AdditionalAssignFailed: 'AdditionalAssignFailed',
  LoadBalancerFailed: 'LoadBalancerFailed',
  DeprecatedAnnotation: 'deprecatedAnnotation',
  NotEnoughClusterIPs: 'not enough clusterips',
  NoLbIPsIPFamily: 'nolbIPsIPFamily',
  NoClusterIPsIPFamily: 'noclusterIPsIPFamily',
  InternalError: 'InternalError',
} as const;

/** The controller's state: the allocator and the configuration it was last given. */
export interface ControllerState {
  readonly allocator: Allocator;
  /** Undefined until a valid configuration has been loaded (MetalLB: "still waiting for config"). */
  config: DomainConfig | undefined;
}

export interface ServiceHandlerOptions {
  /** --lb-class: handle only Services of this class (default: only Services without a class). */
  readonly loadBalancerClass?: string;
}

function involved(svc: ServiceObject): InvolvedObject {
  return {
    kind: 'Service',
    apiVersion: 'v1',
    namespace: svc.metadata.namespace ?? '',
    name: svc.metadata.name ?? '',
    ...(svc.metadata.uid ? { uid: svc.metadata.uid } : {}),
    ...(svc.metadata.resourceVersion ? { resourceVersion: svc.metadata.resourceVersion } : {}),
  };
}

/** MetalLB's AllocationKey: backend key + sharing key of the allocation ("" when none). */
function allocationKey(alloc: Allocator, key: string): string {
  const a = alloc.allocationOf(key);
  return a ? a.backendKey + a.sharingKey : '';
}

/** MetalLB's serviceFamilyChanged. */
function familyChanged(
  lb: FamilyWord | undefined,
  svc: FamilyWord,
  policy: string | undefined,
): boolean {
  if (lb === undefined) return true;
  if (lb === svc) return false;
  return !(svc === 'dual' && policy === IpFamilyPolicy.PreferDualStack);
}

function sameAddressSet(a: readonly string[], b: readonly string[]): boolean {
  const x = [...a].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

interface Converged {
  /** Desired ingress and pool annotation (what convergeBalancer leaves in the copy). */
  ingress: string[];
  pool: string | undefined;
  failed: boolean;
}

/**
 * Decides for one Service key. `svc` undefined means it was deleted. Mutates only the allocator
 * (as MetalLB's controller does); everything to write comes back in the outcome.
 */
export function handleService(
  state: ControllerState,
  key: string,
  svc: ServiceObject | undefined,
  options: ServiceHandlerOptions = {},
): ServiceOutcome {
  const alloc = state.allocator;
  const none = (sync: SyncState): ServiceOutcome => ({
    sync,
    update: undefined,
    events: [],
    converged: false,
  });
  if (svc === undefined) {
    // MetalLB: a deleted balancer frees its addresses and every pending Service gets another go.
    if (alloc.allocationOf(key)) {
      alloc.release(key);
      return none(SyncState.ReprocessAll);
    }
    return none(SyncState.Success);
  }
  if (!handlesLoadBalancerClass(svc, options.loadBalancerClass)) {
    // MetalLB ignores a Service of another class entirely, so one that changes class keeps its
    // address in the allocator forever. Releasing it (without touching the Service, which is now
    // another implementation's) lets pending Services use the address.
    if (alloc.allocationOf(key)) {
      alloc.release(key);
      return none(SyncState.ReprocessAll);
    }
    return none(SyncState.Success);
  }
  const config = state.config;
  if (config === undefined) return none(SyncState.Success);

  const events: EventSpec[] = [];
  const event = (type: 'Normal' | 'Warning', reason: string, message: string) =>
    events.push({ object: involved(svc), type, reason, message });

  const prevIPs = alloc.allocationOf(key)?.addresses ?? [];
  const prevAllocKey = allocationKey(alloc, key);
  const result = converge(state, config, key, svc, event);
  let sync: SyncState = result.failed ? SyncState.ErrorNoRetry : SyncState.Success;
  if (allocationKey(alloc, key) !== prevAllocKey) sync = SyncState.ReprocessAll;

  const currentIngress = svc.status?.loadBalancer?.ingress ?? [];
  const currentPool = svc.metadata.annotations?.[ANNOTATIONS.allocatedFromPool];
  const changed = !ingressEquals(currentIngress, result.ingress) || currentPool !== result.pool;
  const converged = !result.failed && result.ingress.length > 0 && !hasRetryableEvent(events);
  if (!changed) return { sync, update: undefined, events, converged };

  // MetalLB warns about deprecated annotations only when it writes, to keep events rare.
  for (const k of deprecatedAnnotationKeys(svc.metadata.annotations)) {
    event(
      'Warning',
      ServiceEventReason.DeprecatedAnnotation,
      `Service uses deprecated annotation ${k}`,
    );
  }
  if (prevIPs.length > 0 && !alloc.allocationOf(key)) {
    // The Service gave an address back that is still in a pool: someone pending may use it.
    if (prevIPs.every((ip) => alloc.poolOfAddress(ip) !== undefined)) sync = SyncState.ReprocessAll;
  }
  const update: ServiceUpdate = { ingress: result.ingress, pool: result.pool };
  return { sync, update, events, converged };
}

// PreferDualStack services keep asking for their missing family on every reconcile (MetalLB).
function hasRetryableEvent(events: readonly EventSpec[]): boolean {
  return events.some((e) => e.reason === ServiceEventReason.AdditionalAssignFailed);
}

/**
 * Does status.loadBalancer already say exactly `ips`? Entries must carry just an IP (ipMode VIP,
 * the API server's default, is the same thing); MetalLB replaces the whole list, so a hostname
 * entry or extra fields count as a difference.
 */
export function ingressEquals(
  current: readonly { ip?: string; hostname?: string; ipMode?: string; [k: string]: unknown }[],
  ips: readonly string[],
): boolean {
  if (current.length !== ips.length) return false;
  return current.every((e, i) => {
    for (const k of Object.keys(e)) {
      if (k === 'ip') continue;
      if (k === 'ipMode' && (e.ipMode === 'VIP' || e.ipMode === undefined)) continue;
      return false;
    }
    return e.ip === ips[i];
  });
}

/** convergeBalancer. */
function converge(
  state: ControllerState,
  config: DomainConfig,
  key: string,
  svc: ServiceObject,
  event: (type: 'Normal' | 'Warning', reason: string, message: string) => void,
): Converged {
  const alloc = state.allocator;
  const cleared = (failed: boolean): Converged => {
    alloc.release(key);
    return { ingress: [], pool: undefined, failed };
  };
  // Keeps the Service as it is (MetalLB returns ErrConverge without touching the copy).
  const unchanged = (): Converged => ({
    ingress: ingressIPs(svc),
    pool: svc.metadata.annotations?.[ANNOTATIONS.allocatedFromPool],
    failed: true,
  });

  if (svc.spec?.type !== 'LoadBalancer') return cleared(false);
  if (config.pools.length === 0) return cleared(true);
  const spec = svc.spec;
  if ((spec.clusterIPs?.length ?? 0) === 0 && !spec.clusterIP) return cleared(true);

  let lbIPs = (svc.status?.loadBalancer?.ingress ?? [])
    .map((i) => i.ip ?? '')
    .filter((ip) => ip !== '')
    .map(goIpString);
  const policy = spec.ipFamilyPolicy;
  if (policy === IpFamilyPolicy.RequireDualStack && (spec.clusterIPs?.length ?? 0) < 2) {
    event(
      'Warning',
      ServiceEventReason.NotEnoughClusterIPs,
      `Service requires dual stack but not enough clusterips ${goList(spec.clusterIPs)}`,
    );
    return cleared(true);
  }

  if (lbIPs.length === 0) {
    alloc.release(key);
  } else {
    const lbFam = familyForAddresses(lbIPs);
    if ('error' in lbFam) {
      event(
        'Warning',
        ServiceEventReason.NoLbIPsIPFamily,
        `Failed to retrieve LBIPs IPFamily for ${goQuoteList(lbIPs)}: ${lbFam.error}`,
      );
    }
    const svcFam = serviceFamily(svc);
    if ('error' in svcFam) {
      event(
        'Warning',
        ServiceEventReason.NoClusterIPsIPFamily,
        `Failed to retrieve ClusterIPs IPFamily for ${goQuoteList(spec.clusterIPs ?? [])} ${spec.clusterIP ?? ''}: ${svcFam.error}`,
      );
      return unchanged();
    }
    if (familyChanged('family' in lbFam ? lbFam.family : undefined, svcFam.family, policy)) {
      alloc.release(key);
      lbIPs = [];
    }
  }

  // Built once the cluster IPs are known to give a family.
  const req = (): AllocationRequest | undefined => toAllocationRequest(svc, config, key);

  if (lbIPs.length > 0) {
    const r = req();
    const assigned = r ? alloc.assign(r, lbIPs) : undefined;
    if (!assigned || !assigned.ok) {
      const why = assigned && !assigned.ok ? describeFailure(assigned.failure) : 'invalid request';
      event(
        'Normal',
        ServiceEventReason.ClearAssignment,
        `current IP for ${JSON.stringify(key)} not allowed by config, will attempt for new IP assignment: ${why}`,
      );
      alloc.release(key);
      lbIPs = [];
    }
    const pool = requestedPool(svc);
    if (lbIPs.length > 0 && pool !== '' && alloc.allocationOf(key)?.pool !== pool) {
      alloc.release(key);
      lbIPs = [];
    }
    const desired = desiredAddresses(svc);
    if ('error' in desired) {
      event(
        'Warning',
        ServiceEventReason.LoadBalancerFailed,
        `invalid requested loadbalancer IPs: ${desired.error}`,
      );
      // MetalLB returns here with whatever the copy holds: cleared above, or untouched.
      return lbIPs.length === 0 ? { ingress: [], pool: undefined, failed: true } : unchanged();
    }
    if (desired.addresses.length > 0 && !sameAddressSet(lbIPs, desired.addresses)) {
      alloc.release(key);
      lbIPs = [];
    }
  }

  // PreferDualStack holding one address: try the missing family from the same pool. MetalLB also
  // tries for a single-stack cluster IP, then clears the second address on the next pass as a
  // family change, flipping forever; ipam's reconcile and this handler only do it for dual-stack
  // Services (see the ipam README).
  if (
    lbIPs.length === 1 &&
    policy === IpFamilyPolicy.PreferDualStack &&
    clusterIPsOf(svc).length === 2
  ) {
    const r = req();
    if (r) {
      const extra = alloc.allocateAdditionalFamily(r);
      if (!extra.ok) {
        event(
          'Normal',
          ServiceEventReason.AdditionalAssignFailed,
          `cannot assign additional IP in PreferDualStack: ${describeFailure(extra.failure)}`,
        );
      } else {
        const added = extra.addresses.find((a) => !lbIPs.includes(a)) ?? '';
        lbIPs = [...extra.addresses];
        event(
          'Normal',
          ServiceEventReason.IPAllocated,
          `Assigned additional IP ${JSON.stringify(added)}`,
        );
      }
    }
  }

  if (lbIPs.length === 0) {
    const failure = allocate(svc, key, req(), alloc);
    if ('message' in failure) {
      event(
        'Warning',
        ServiceEventReason.AllocationFailed,
        `Failed to allocate IP for ${JSON.stringify(key)}: ${failure.message}`,
      );
      return { ingress: [], pool: undefined, failed: true };
    }
    lbIPs = [...failure.addresses];
    event('Normal', ServiceEventReason.IPAllocated, `Assigned IP ${goQuoteList(lbIPs)}`);
  }

  const pool = alloc.allocationOf(key)?.pool;
  if (lbIPs.length === 0 || pool === undefined || !config.pools.some((p) => p.name === pool)) {
    event(
      'Warning',
      ServiceEventReason.InternalError,
      lbIPs.length === 0
        ? "didn't allocate an IP but also did not fail"
        : 'allocated an IP that has no pool',
    );
    return cleared(true);
  }
  return { ingress: lbIPs, pool, failed: false };
}

/** MetalLB's allocateIPs: requested addresses, else the requested pool, else any pool. */
function allocate(
  svc: ServiceObject,
  key: string,
  req: AllocationRequest | undefined,
  alloc: Allocator,
): { addresses: readonly string[] } | { message: string } {
  const fam = serviceFamily(svc);
  if ('error' in fam) return { message: fam.error };
  const desired = desiredAddresses(svc);
  if ('error' in desired) return { message: desired.error };
  if (!req) return { message: 'invalid request' };
  if (desired.addresses.length > 0 && desired.family !== fam.family) {
    return {
      message: `requested loadBalancer IP(s) ${goQuoteList(desired.addresses)} does not match the ipFamily of the service`,
    };
  }
  alloc.release(key);
  const r = alloc.allocate(req);
  if (!r.ok) return { message: describeFailure(r.failure) };
  return { addresses: r.addresses };
}
