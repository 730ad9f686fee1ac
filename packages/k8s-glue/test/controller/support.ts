// Builders for the controller handler tests: pools as IPAddressPool CRs through parseConfig (the
// path the controller uses), Services as plain objects.
import { createAllocator } from '@ironlb/ipam';
import type { IPAddressPool } from '../../src/api/types.generated.js';
import { handleConfig } from '../../src/controller/config-handler.js';
import type { ControllerState } from '../../src/controller/service-handler.js';
import type { ServiceObject } from '../../src/controller/service.js';

export const NS = 'metallb-system';

export interface PoolDef {
  name: string;
  addresses: string[];
  autoAssign?: boolean;
  avoidBuggyIPs?: boolean;
  priority?: number;
  namespaces?: string[];
  serviceLabels?: Record<string, string>;
}

export function poolCR(p: PoolDef): IPAddressPool {
  const sa =
    p.priority !== undefined || p.namespaces || p.serviceLabels
      ? {
          serviceAllocation: {
            ...(p.priority !== undefined ? { priority: p.priority } : {}),
            ...(p.namespaces ? { namespaces: p.namespaces } : {}),
            ...(p.serviceLabels ? { serviceSelectors: [{ matchLabels: p.serviceLabels }] } : {}),
          },
        }
      : {};
  return {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'IPAddressPool',
    metadata: { name: p.name, namespace: NS, generation: 1 },
    spec: {
      addresses: p.addresses,
      autoAssign: p.autoAssign ?? true,
      avoidBuggyIPs: p.avoidBuggyIPs ?? false,
      ...sa,
    },
  } as IPAddressPool;
}

/** A controller state with these pools loaded (throws if they are invalid). */
export function stateWith(
  pools: PoolDef[],
  namespaces: string[] = ['test-ns1', 'test-ns2'],
): ControllerState {
  const state: ControllerState = { allocator: createAllocator(), config: undefined };
  const out = handleConfig(
    state,
    {
      pools: pools.map(poolCR),
      communities: [],
      namespaces: namespaces.map((n) => ({ metadata: { name: n } })),
    },
    NS,
  );
  if (out.condition.status !== 'True') throw new Error(out.condition.message);
  return state;
}

export interface SvcDef {
  name?: string;
  namespace?: string;
  type?: string;
  clusterIPs?: string[];
  clusterIP?: string;
  policy?: string;
  loadBalancerIP?: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  ingress?: (string | { hostname: string })[];
  etp?: string;
  selector?: Record<string, string>;
  ports?: string[];
  lbClass?: string;
}

export function svc(d: SvcDef = {}): ServiceObject {
  return {
    metadata: {
      name: d.name ?? 'test',
      namespace: d.namespace ?? '',
      ...(d.annotations ? { annotations: { ...d.annotations } } : {}),
      ...(d.labels ? { labels: { ...d.labels } } : {}),
      resourceVersion: '1',
    },
    spec: {
      type: d.type ?? 'LoadBalancer',
      ...(d.clusterIPs ? { clusterIPs: d.clusterIPs } : {}),
      ...(d.clusterIP ? { clusterIP: d.clusterIP } : {}),
      ...(d.policy ? { ipFamilyPolicy: d.policy } : {}),
      ...(d.loadBalancerIP ? { loadBalancerIP: d.loadBalancerIP } : {}),
      ...(d.etp ? { externalTrafficPolicy: d.etp } : {}),
      ...(d.selector ? { selector: d.selector } : {}),
      ...(d.lbClass ? { loadBalancerClass: d.lbClass } : {}),
      ...(d.ports
        ? {
            ports: d.ports.map((p) => {
              const [protocol, port] = p.split('/');
              return { protocol: protocol!, port: Number(port) };
            }),
          }
        : {}),
    },
    ...(d.ingress
      ? {
          status: {
            loadBalancer: {
              ingress: d.ingress.map((i) => (typeof i === 'string' ? { ip: i } : i)),
            },
          },
        }
      : {}),
  };
}
