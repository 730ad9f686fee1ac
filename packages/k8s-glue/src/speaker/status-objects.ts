// The objects a speaker writes besides events: ServiceL2Status (one per Service this node answers
// for over Layer 2), ServiceBGPStatus (one per Service and node advertising it over BGP) and its
// ConfigurationState `speaker-<node>` (MetalLB's internal/k8s/controllers layer2_status_controller.go,
// servicebgpstatus_controller.go, configuration_state_controller.go; metallb-behaviour.md §1).
// Pure builders and comparisons; k8s-glue/kube writes them.
import type { ObjectMeta } from '../api/meta.js';
import type { ServiceBGPStatusStatus, ServiceL2StatusStatus } from '../api/types.generated.js';
import type { InterfaceSet } from '../announce/layer2.js';
import type { OwnerRef } from '../controller/status-objects.js';

/** MetalLB's labels on the status objects (internal/k8s/controllers/status.go). */
export const STATUS_LABELS = {
  node: 'metallb.io/node',
  serviceName: 'metallb.io/service-name',
  serviceNamespace: 'metallb.io/service-namespace',
} as const;

export type StatusKind = 'ServiceL2Status' | 'ServiceBGPStatus';

/** generateName prefixes MetalLB uses. */
export const STATUS_NAME_PREFIX: Readonly<Record<StatusKind, string>> = {
  ServiceL2Status: 'l2-',
  ServiceBGPStatus: 'bgp-',
};

/** The ConfigurationState a speaker keeps: `speaker-<node>`, with MetalLB's labels. */
export function speakerConfigurationStateName(node: string): string {
  return `speaker-${node}`;
}
export function speakerConfigurationStateLabels(node: string): Record<string, string> {
  return { 'metallb.io/component-type': 'speaker', 'metallb.io/node-name': node };
}

/** ServiceL2Status.status: the node and the interfaces (empty list = every interface). */
export function serviceL2Status(
  node: string,
  service: { readonly namespace: string; readonly name: string },
  interfaces: InterfaceSet,
): ServiceL2StatusStatus {
  return {
    node,
    serviceName: service.name,
    serviceNamespace: service.namespace,
    interfaces: interfaces.all ? [] : interfaces.names.map((name) => ({ name })),
  };
}

/** ServiceBGPStatus.status: the BGPPeer names the Service is configured to be sent to. */
export function serviceBgpStatus(
  node: string,
  service: { readonly namespace: string; readonly name: string },
  peers: readonly string[],
): ServiceBGPStatusStatus {
  return {
    node,
    serviceName: service.name,
    serviceNamespace: service.namespace,
    peers: [...peers].sort(),
  };
}

/** A new status object (the status itself goes in with a second write, to the subresource). */
export function newStatusObject(
  kind: StatusKind,
  namespace: string,
  node: string,
  service: { readonly namespace: string; readonly name: string },
  owner: OwnerRef | undefined,
): {
  apiVersion: 'metallb.io/v1beta1';
  kind: StatusKind;
  metadata: ObjectMeta & { generateName: string; ownerReferences?: OwnerRef[] };
} {
  return {
    apiVersion: 'metallb.io/v1beta1',
    kind,
    metadata: {
      generateName: STATUS_NAME_PREFIX[kind],
      namespace,
      labels: {
        [STATUS_LABELS.node]: node,
        [STATUS_LABELS.serviceName]: service.name,
        [STATUS_LABELS.serviceNamespace]: service.namespace,
      },
      ...(owner ? { ownerReferences: [{ ...owner }] } : {}),
    },
  };
}

/** Do two statuses say the same (field order and absent-vs-empty lists ignored)? */
export function statusEquals(
  a: ServiceL2StatusStatus | ServiceBGPStatusStatus | undefined,
  b: ServiceL2StatusStatus | ServiceBGPStatusStatus,
): boolean {
  if (!a) return false;
  const norm = (s: Record<string, unknown>) =>
    JSON.stringify(
      Object.keys(s)
        .sort()
        .filter((k) => !(Array.isArray(s[k]) && (s[k] as unknown[]).length === 0))
        .map((k) => [k, s[k]]),
    );
  return norm(a as Record<string, unknown>) === norm(b as unknown as Record<string, unknown>);
}

/** The Service a status object stands for, from its labels ("namespace/name"), or undefined. */
export function statusServiceKey(meta: ObjectMeta): string | undefined {
  const ns = meta.labels?.[STATUS_LABELS.serviceNamespace];
  const name = meta.labels?.[STATUS_LABELS.serviceName];
  return ns !== undefined && name !== undefined ? `${ns}/${name}` : undefined;
}
