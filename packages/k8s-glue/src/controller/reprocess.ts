// "Reprocess all" (MetalLB internal/k8s/controllers/service_controller_reload.go) and the restart
// restore. MetalLB processes the Services that already have addresses first so that pending ones
// cannot take them (PR #2004, issues #435/#1774/#2443/#2479); it still hands out addresses while
// later held ones are unclaimed, and its order among equals is random. Here the first pass after a
// start (or after becoming leader) re-claims every held address before anything is reconciled
// (ipam's two-phase restore), and the order is deterministic.
import type { ControllerState, ServiceHandlerOptions } from './service-handler.js';
import {
  handlesLoadBalancerClass,
  ingressIPs,
  serviceKey,
  toAllocationRequest,
  type ServiceObject,
} from './service.js';

/** Services in MetalLB's reprocess order: more ingress addresses first, then by key. */
export function reprocessOrder<T extends ServiceObject>(services: readonly T[]): T[] {
  const keyed = services.map((s) => ({ s, k: serviceKey(s), n: ingressIPs(s).length }));
  keyed.sort((a, b) => b.n - a.n || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  return keyed.map((x) => x.s);
}

/**
 * Phase one of the restart restore: every LoadBalancer Service of our class re-claims the
 * addresses its status shows, in reprocessOrder, before any Service is reconciled (so a pending
 * Service can never be handed an address that a later Service holds). Claims that fail (the
 * address left the pools, a duplicate from an earlier bug) are left to the reconcile, which
 * clears them with MetalLB's ClearAssignment event. Returns the number of Services restored.
 */
export function restoreAssignments(
  state: ControllerState,
  services: readonly ServiceObject[],
  options: ServiceHandlerOptions = {},
): number {
  const config = state.config;
  if (!config || config.pools.length === 0) return 0;
  let restored = 0;
  for (const svc of reprocessOrder(services)) {
    if (svc.spec?.type !== 'LoadBalancer') continue;
    if (!handlesLoadBalancerClass(svc, options.loadBalancerClass)) continue;
    const ips = ingressIPs(svc);
    if (ips.length === 0) continue;
    const req = toAllocationRequest(svc, config, serviceKey(svc));
    if (!req) continue;
    if (state.allocator.assign(req, ips).ok) restored++;
  }
  return restored;
}
