// The EndpointSlice controller stand-in (pure): a Service's selected pods → one EndpointSlice per
// address family, as kube-controller-manager writes them (label kubernetes.io/service-name,
// managed-by endpointslice-controller.k8s.io, conditions ready/serving/terminating, nodeName,
// targetRef, ports resolved by name). MetalLB's speaker reads exactly these fields.
import type { V1EndpointSlice, V1Pod, V1Service } from '@kubernetes/client-node';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY = 'endpointslice-controller.k8s.io';

export function selects(
  selector: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

function podReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** A Service port's target on a pod: a number, or a named container port. */
function targetPort(
  port: NonNullable<V1Service['spec']>['ports'] extends (infer P)[] | undefined ? P : never,
  pod: V1Pod,
): number | undefined {
  const tp = port.targetPort ?? port.port;
  if (typeof tp === 'number') return tp;
  if (/^\d+$/.test(tp)) return Number(tp);
  for (const c of pod.spec?.containers ?? []) {
    const p = c.ports?.find(
      (x) => x.name === tp && (x.protocol ?? 'TCP') === (port.protocol ?? 'TCP'),
    );
    if (p) return p.containerPort;
  }
  return undefined;
}

/** The slices a Service should have now (empty for a Service without a selector). */
export function desiredSlices(svc: V1Service, pods: V1Pod[]): V1EndpointSlice[] {
  const spec = svc.spec ?? {};
  if (!spec.selector || spec.type === 'ExternalName') return [];
  const families = spec.ipFamilies?.length ? spec.ipFamilies : ['IPv4'];
  const selected = pods
    .filter((p) => p.metadata?.namespace === svc.metadata?.namespace)
    .filter((p) => selects(spec.selector, p.metadata?.labels))
    .filter((p) => p.status?.podIP && p.status.phase !== 'Succeeded' && p.status.phase !== 'Failed')
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  const out: V1EndpointSlice[] = [];
  for (const family of families) {
    const v6 = family === 'IPv6';
    const endpoints = selected.flatMap((pod) => {
      const ips = (pod.status?.podIPs?.map((x) => x.ip) ?? [pod.status?.podIP ?? '']).filter(
        (ip) => ip && ip.includes(':') === v6,
      );
      if (!ips.length) return [];
      const terminating = pod.metadata?.deletionTimestamp !== undefined;
      const ready = podReady(pod);
      return [
        {
          addresses: ips.slice(0, 1),
          conditions: { ready: ready && !terminating, serving: ready, terminating },
          nodeName: pod.spec?.nodeName,
          targetRef: {
            kind: 'Pod',
            namespace: pod.metadata?.namespace,
            name: pod.metadata?.name,
            uid: pod.metadata?.uid,
          },
        },
      ];
    });
    // Ports: the Service's ports resolved against the first selected pod (named ports can
    // differ per pod in Kubernetes; the lab's workloads keep them uniform).
    const sample = selected[0];
    const ports = (spec.ports ?? []).flatMap((p) => {
      const n = sample
        ? targetPort(p, sample)
        : typeof p.targetPort === 'number'
          ? p.targetPort
          : p.port;
      return n === undefined
        ? []
        : [{ name: p.name ?? '', port: n, protocol: p.protocol ?? 'TCP' }];
    });
    out.push({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: `${svc.metadata?.name}-${v6 ? 'ipv6' : 'ipv4'}`,
        namespace: svc.metadata?.namespace,
        labels: { [SERVICE_NAME_LABEL]: svc.metadata?.name ?? '', [MANAGED_BY_LABEL]: MANAGED_BY },
        ownerReferences: [
          {
            apiVersion: 'v1',
            kind: 'Service',
            name: svc.metadata?.name ?? '',
            uid: svc.metadata?.uid ?? '',
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      addressType: family,
      endpoints,
      ports,
    });
  }
  return out;
}

/** Whether a stored slice already says what the desired one says (so nothing is written). */
export function sameSlice(a: V1EndpointSlice, b: V1EndpointSlice): boolean {
  const norm = (s: V1EndpointSlice) =>
    JSON.stringify({
      labels: s.metadata?.labels ?? {},
      addressType: s.addressType,
      endpoints: (s.endpoints ?? []).map((e) => ({
        addresses: e.addresses,
        conditions: {
          ready: e.conditions?.ready,
          serving: e.conditions?.serving,
          terminating: e.conditions?.terminating,
        },
        nodeName: e.nodeName,
        name: e.targetRef?.name,
      })),
      ports: (s.ports ?? []).map((p) => ({
        name: p.name ?? '',
        port: p.port,
        protocol: p.protocol ?? 'TCP',
      })),
    });
  return norm(a) === norm(b);
}
