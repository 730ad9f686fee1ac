// A Service as the controller reads it, and the pure adapter from it to ipam's AllocationRequest
// (MetalLB controller/service.go: annotations, getDesiredLbIPs, SharingKey; internal/ipfamily;
// internal/allocator/k8salloc: Ports, BackendKey). No Kubernetes object goes past this file into
// ipam (DESIGN.md §1).
import {
  IpFamily,
  IpFamilyPolicy,
  formatAddress,
  parseAddress,
  type AllocationRequest,
  type Port,
} from '@ironlb/ipam';
import type { ObjectMeta } from '../api/meta.js';
import { matchingPools } from '../config/ipam.js';
import type { DomainConfig } from '../config/types.js';

/** The parts of a core/v1 Service the controller reads and writes. */
export interface ServiceObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta & { uid?: string; resourceVersion?: string };
  spec?: {
    type?: string;
    clusterIP?: string;
    clusterIPs?: string[];
    ipFamilies?: string[];
    ipFamilyPolicy?: string;
    loadBalancerIP?: string;
    loadBalancerClass?: string;
    externalTrafficPolicy?: string;
    selector?: Record<string, string>;
    ports?: { name?: string; protocol?: string; port: number; [k: string]: unknown }[];
    [k: string]: unknown;
  };
  status?: {
    loadBalancer?: {
      ingress?: { ip?: string; hostname?: string; ipMode?: string; [k: string]: unknown }[];
    };
    [k: string]: unknown;
  };
}

/** MetalLB's annotations (controller/service.go). The `metallb.io/` spelling wins. */
export const ANNOTATIONS = {
  addressPool: 'metallb.io/address-pool',
  loadBalancerIPs: 'metallb.io/loadBalancerIPs',
  allocatedFromPool: 'metallb.io/ip-allocated-from-pool',
  allowSharedIP: 'metallb.io/allow-shared-ip',
} as const;

/** The pre-0.13 spellings, still honoured (a Warning event says they are deprecated). */
export const DEPRECATED_ANNOTATIONS = {
  addressPool: 'metallb.universe.tf/address-pool',
  loadBalancerIPs: 'metallb.universe.tf/loadBalancerIPs',
  allocatedFromPool: 'metallb.universe.tf/ip-allocated-from-pool',
  allowSharedIP: 'metallb.universe.tf/allow-shared-ip',
} as const;

export const DEPRECATED_ANNOTATION_PREFIX = 'metallb.universe.tf';

/** "namespace/name", the work-queue key and ipam's service key. */
export function serviceKey(svc: { metadata: ObjectMeta }): string {
  return `${svc.metadata.namespace ?? ''}/${svc.metadata.name ?? ''}`;
}

/** MetalLB's valueForAnnotation: the stable annotation if present (even empty), else the deprecated one. */
export function annotationValue(
  annotations: Readonly<Record<string, string>> | undefined,
  stable: string,
  deprecated: string,
): string {
  if (annotations && Object.hasOwn(annotations, stable)) return annotations[stable] ?? '';
  if (annotations && Object.hasOwn(annotations, deprecated)) return annotations[deprecated] ?? '';
  return '';
}

/** Annotation keys with the deprecated prefix, sorted (MetalLB iterates a Go map). */
export function deprecatedAnnotationKeys(
  annotations: Readonly<Record<string, string>> | undefined,
): string[] {
  return Object.keys(annotations ?? {})
    .filter((k) => k.startsWith(DEPRECATED_ANNOTATION_PREFIX))
    .sort();
}

/**
 * MetalLB's filterByLoadBalancerClass, inverted: does this controller handle the Service? Without
 * `--lb-class` only Services with no class; with it only Services of exactly that class.
 */
export function handlesLoadBalancerClass(svc: ServiceObject, lbClass: string | undefined): boolean {
  const c = svc.spec?.loadBalancerClass;
  if (c === undefined || c === null) return !lbClass;
  return c === (lbClass ?? '');
}

/** MetalLB's SharingKey: metallb.io/allow-shared-ip if present, else the deprecated spelling. */
export function sharingKey(svc: ServiceObject): string {
  return annotationValue(
    svc.metadata.annotations,
    ANNOTATIONS.allowSharedIP,
    DEPRECATED_ANNOTATIONS.allowSharedIP,
  );
}

/**
 * MetalLB's BackendKey: "" for externalTrafficPolicy Cluster (any backends may share an address),
 * the selector in Kubernetes' canonical text (labels.Set.String(): sorted `k=v`, comma-joined) for
 * Local, where sharing services must select the same pods.
 */
export function backendKey(svc: ServiceObject): string {
  if (svc.spec?.externalTrafficPolicy !== 'Local') return '';
  const sel = svc.spec.selector ?? {};
  return Object.keys(sel)
    .sort()
    .map((k) => `${k}=${sel[k]}`)
    .join(',');
}

/** MetalLB's k8salloc.Ports: the (protocol, port) pairs, protocol verbatim (TCP when unset). */
export function servicePorts(svc: ServiceObject): Port[] {
  return (svc.spec?.ports ?? []).map((p) => ({ protocol: p.protocol ?? 'TCP', port: p.port }));
}

/** Go's net.IP.String() of what net.ParseIP made of `text` ("<nil>" when it is not an address). */
export function goIpString(text: string): string {
  const a = parseAddress(text);
  return a === undefined ? '<nil>' : formatAddress(a);
}

/** Go's %q of a []string / []net.IP. */
export function goQuoteList(xs: readonly string[]): string {
  return `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;
}

/** Go's %v of a []string. */
export function goList(xs: readonly string[] | undefined): string {
  return `[${(xs ?? []).join(' ')}]`;
}

export type FamilyWord = 'ipv4' | 'ipv6' | 'dual';

/** MetalLB's ipfamily.ForAddresses with its error texts. */
export function familyForAddresses(
  ips: readonly string[],
): { family: FamilyWord } | { error: string } {
  const fam = (t: string) => {
    const a = parseAddress(t);
    if (a === undefined) return undefined;
    return formatAddress(a).includes(':') ? 'ipv6' : 'ipv4';
  };
  if (ips.length === 1) {
    const f = fam(ips[0]!);
    if (!f) return { error: `IPFamilyForAddresses: Invalid address ${goQuoteList(ips)}` };
    return { family: f };
  }
  if (ips.length === 2) {
    const a = fam(ips[0]!);
    const b = fam(ips[1]!);
    if (!a || !b) return { error: `IPFamilyForAddresses: Invalid address ${goQuoteList(ips)}` };
    if (a === b) return { error: `IPFamilyForAddresses: same address family ${goQuoteList(ips)}` };
    return { family: 'dual' };
  }
  return {
    error: `IPFamilyForAddresses: invalid ips length ${ips.length} ${goQuoteList(ips)}`,
  };
}

/** The cluster IPs MetalLB reads: spec.clusterIPs, falling back to spec.clusterIP. */
export function clusterIPsOf(svc: ServiceObject): string[] {
  const ips = svc.spec?.clusterIPs ?? [];
  if (ips.length > 0) return ips;
  return [svc.spec?.clusterIP ?? ''];
}

/** MetalLB's ipfamily.ForService. */
export function serviceFamily(svc: ServiceObject): { family: FamilyWord } | { error: string } {
  return familyForAddresses(clusterIPsOf(svc));
}

/** The addresses in status.loadBalancer.ingress (entries with an IP), as written. */
export function ingressIPs(svc: ServiceObject): string[] {
  return (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '').filter((ip) => ip !== '');
}

/** What the Service asks for: requested addresses (canonical text) or why the request is invalid. */
export type DesiredAddresses =
  | { readonly addresses: readonly string[]; readonly family: FamilyWord | undefined }
  | { readonly error: string };

/** MetalLB's getDesiredLbIPs, with its error texts. */
export function desiredAddresses(svc: ServiceObject): DesiredAddresses {
  const fromAnnotation = annotationValue(
    svc.metadata.annotations,
    ANNOTATIONS.loadBalancerIPs,
    DEPRECATED_ANNOTATIONS.loadBalancerIPs,
  );
  const fromSpec = svc.spec?.loadBalancerIP ?? '';
  if (fromAnnotation === '' && fromSpec === '') return { addresses: [], family: undefined };
  if (fromAnnotation !== '' && fromSpec !== '') {
    return {
      error: `service can not have both ${ANNOTATIONS.loadBalancerIPs} and svc.Spec.LoadBalancerIP`,
    };
  }
  if (fromAnnotation !== '') {
    const out: string[] = [];
    for (const part of fromAnnotation.split(',')) {
      const a = parseAddress(part.trim());
      if (a === undefined) {
        return {
          error: `invalid ${ANNOTATIONS.loadBalancerIPs}: ${JSON.stringify(fromAnnotation)}`,
        };
      }
      out.push(formatAddress(a));
    }
    const f = familyForAddresses(out);
    if ('error' in f) return { error: f.error };
    return { addresses: out, family: f.family };
  }
  const a = parseAddress(fromSpec);
  if (a === undefined) return { error: `invalid spec.loadBalancerIP ${JSON.stringify(fromSpec)}` };
  const text = formatAddress(a);
  return { addresses: [text], family: text.includes(':') ? 'ipv6' : 'ipv4' };
}

/** The metallb.io/address-pool the Service asks for ("" = none). */
export function requestedPool(svc: ServiceObject): string {
  return annotationValue(
    svc.metadata.annotations,
    ANNOTATIONS.addressPool,
    DEPRECATED_ANNOTATIONS.addressPool,
  );
}

/**
 * The ipam request for a Service: families from its cluster IPs (primary first), policy, requested
 * addresses and pool, sharing key, backend key, ports, and the pinned pools it matches.
 * Undefined when the cluster IPs do not give a family (the caller reports MetalLB's error).
 * `key` is ipam's service key (default "namespace/name").
 */
export function toAllocationRequest(
  svc: ServiceObject,
  config: DomainConfig,
  key: string = serviceKey(svc),
): AllocationRequest | undefined {
  const fam = serviceFamily(svc);
  if ('error' in fam) return undefined;
  const clusterIPs = clusterIPsOf(svc).map((t) => goIpString(t));
  const famOf = (t: string) => (t.includes(':') ? IpFamily.IPv6 : IpFamily.IPv4);
  const ipFamilies = clusterIPs.map(famOf);
  const desired = desiredAddresses(svc);
  const pool = requestedPool(svc);
  const policy = svc.spec?.ipFamilyPolicy;
  const req: AllocationRequest = {
    service: key,
    ipFamilies,
    ipFamilyPolicy:
      policy === IpFamilyPolicy.PreferDualStack || policy === IpFamilyPolicy.RequireDualStack
        ? policy
        : IpFamilyPolicy.SingleStack,
    sharingKey: sharingKey(svc),
    backendKey: backendKey(svc),
    ports: servicePorts(svc),
    matchingPools: matchingPools(config, {
      namespace: svc.metadata.namespace ?? '',
      labels: svc.metadata.labels ?? {},
    }),
    ...('addresses' in desired && desired.addresses.length > 0
      ? { requestedAddresses: desired.addresses }
      : {}),
    ...(pool !== '' ? { requestedPool: pool } : {}),
  };
  return req;
}
