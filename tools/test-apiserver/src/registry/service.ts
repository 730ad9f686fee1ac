// The Service network of a cluster (pkg/registry/core/service/ipallocator, portallocator and the
// REST storage's allocation logic): cluster IPs per ipFamilyPolicy, NodePorts for
// NodePort/LoadBalancer (and healthCheckNodePort for ETP=Local), patchAllocatedValues on update.
// The Service strategy (defaults, validation, status semantics) is in service-strategy.ts.
import ipaddr from 'ipaddr.js';
import { forbidden, invalidValue, type StatusCause } from '../errors.ts';
import { isObject, type Json, type JsonObject } from '../schema/structural.ts';
import { CidrAllocator, PortAllocator, type IPFamily } from './allocators.ts';
import type { KubeObject } from './types.ts';

export interface ServiceNetworkOptions {
  /** Service CIDRs, primary family first. Default ['198.18.0.0/16', '2001:db8:1::/108']. */
  serviceClusterIPRanges?: string[];
  /** NodePort range. Default '30000-32767'. */
  serviceNodePortRange?: string;
}

export const TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
export const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
export const POLICIES = ['SingleStack', 'PreferDualStack', 'RequireDualStack'];

type Port = JsonObject & {
  port?: number;
  protocol?: string;
  nodePort?: number;
  name?: string;
  targetPort?: Json;
};

export function spec(o: KubeObject): JsonObject {
  if (!isObject(o.spec)) o.spec = {};
  return o.spec as JsonObject;
}

export function ports(s: JsonObject): Port[] {
  return Array.isArray(s.ports) ? (s.ports.filter(isObject) as Port[]) : [];
}

export function needsNodePorts(s: JsonObject): boolean {
  return (
    s.type === 'NodePort' ||
    (s.type === 'LoadBalancer' && s.allocateLoadBalancerNodePorts !== false)
  );
}

export class ServiceNetwork {
  readonly ranges: CidrAllocator[];
  readonly nodePorts: PortAllocator;

  constructor(options: ServiceNetworkOptions = {}) {
    this.ranges = (options.serviceClusterIPRanges ?? ['198.18.0.0/16', '2001:db8:1::/108']).map(
      (c) => new CidrAllocator(c),
    );
    this.nodePorts = new PortAllocator(options.serviceNodePortRange ?? '30000-32767');
    if (
      this.ranges.length === 0 ||
      this.ranges.length > 2 ||
      (this.ranges.length === 2 && this.ranges[0]?.family === this.ranges[1]?.family)
    )
      throw new Error('serviceClusterIPRanges: one range, or two of different families');
  }

  get primaryFamily(): IPFamily {
    return (this.ranges[0] as CidrAllocator).family;
  }

  range(f: IPFamily): CidrAllocator | undefined {
    return this.ranges.find((r) => r.family === f);
  }

  /** Re-registers what a stored Service holds (after loading --data). */
  restore(svc: KubeObject): void {
    const s = spec(svc);
    for (const ip of Array.isArray(s.clusterIPs) ? s.clusterIPs : []) {
      if (typeof ip !== 'string' || ip === 'None') continue;
      const fam: IPFamily = ip.includes(':') ? 'IPv6' : 'IPv4';
      this.range(fam)?.allocate(ip);
    }
    for (const p of ports(s))
      if (typeof p.nodePort === 'number') this.nodePorts.allocate(p.nodePort);
    if (typeof s.healthCheckNodePort === 'number') this.nodePorts.allocate(s.healthCheckNodePort);
  }

  heldBy(svc: KubeObject | undefined): { ips: string[]; ports: number[] } {
    if (!svc) return { ips: [], ports: [] };
    const s = spec(svc);
    const ips = (Array.isArray(s.clusterIPs) ? s.clusterIPs : []).filter(
      (x): x is string => typeof x === 'string' && x !== 'None',
    );
    const ps = ports(s)
      .map((p) => p.nodePort)
      .filter((x): x is number => typeof x === 'number');
    if (typeof s.healthCheckNodePort === 'number') ps.push(s.healthCheckNodePort);
    return { ips, ports: ps };
  }

  releaseAll(svc: KubeObject, keep?: KubeObject): void {
    const held = this.heldBy(svc);
    const kept = this.heldBy(keep);
    for (const ip of held.ips)
      if (!kept.ips.includes(ip)) this.range(ip.includes(':') ? 'IPv6' : 'IPv4')?.release(ip);
    for (const p of held.ports) if (!kept.ports.includes(p)) this.nodePorts.release(p);
  }

  /**
   * Families, cluster IPs and node ports for a create (old undefined) or an update; allocates in
   * the allocators. Returns causes instead of allocating when the request is impossible.
   */
  allocate(svc: KubeObject, old: KubeObject | undefined): StatusCause[] {
    const s = spec(svc);
    const causes: StatusCause[] = [];
    const os = old ? spec(old) : undefined;
    if (s.type === 'ExternalName') {
      delete s.clusterIP;
      delete s.clusterIPs;
      delete s.ipFamilies;
      delete s.ipFamilyPolicy;
      return causes;
    }
    // patchAllocatedValues: clients that PUT without the allocated fields keep them.
    if (os && os.type !== 'ExternalName') {
      if ((s.clusterIP === undefined || s.clusterIP === '') && s.clusterIPs === undefined) {
        if (os.clusterIP !== undefined) s.clusterIP = os.clusterIP;
        if (os.clusterIPs !== undefined) s.clusterIPs = structuredClone(os.clusterIPs);
        if (s.ipFamilies === undefined && os.ipFamilies !== undefined)
          s.ipFamilies = structuredClone(os.ipFamilies);
      }
      if (needsNodePorts(s) && needsNodePorts(os)) {
        for (const p of ports(s)) {
          if (p.nodePort !== undefined) continue;
          const match = ports(os).find(
            (q) => q.port === p.port && (q.protocol ?? 'TCP') === (p.protocol ?? 'TCP'),
          );
          if (match?.nodePort !== undefined) p.nodePort = match.nodePort;
        }
      }
      if (
        s.healthCheckNodePort === undefined &&
        os.healthCheckNodePort !== undefined &&
        s.type === 'LoadBalancer' &&
        s.externalTrafficPolicy === 'Local'
      )
        s.healthCheckNodePort = os.healthCheckNodePort;
    }
    if (s.ipFamilyPolicy === undefined) s.ipFamilyPolicy = 'SingleStack';
    // clusterIP and clusterIPs[0] must agree (ValidateService "must be equal to clusterIP").
    if (typeof s.clusterIP === 'string' && s.clusterIP !== '' && s.clusterIPs === undefined)
      s.clusterIPs = [s.clusterIP];
    const requested = (Array.isArray(s.clusterIPs) ? s.clusterIPs : []).filter(
      (x): x is string => typeof x === 'string' && x !== '',
    );
    if (
      typeof s.clusterIP === 'string' &&
      s.clusterIP !== '' &&
      requested[0] !== undefined &&
      requested[0] !== s.clusterIP
    )
      causes.push(
        invalidValue('spec.clusterIPs', s.clusterIPs, 'element [0] must match clusterIP'),
      );
    const headless = requested[0] === 'None';
    // Families: from requested IPs, then spec.ipFamilies, then the cluster's primary.
    let families: IPFamily[] = [];
    const given = Array.isArray(s.ipFamilies)
      ? (s.ipFamilies.filter((x) => typeof x === 'string') as IPFamily[])
      : [];
    if (!headless) {
      requested.forEach((ip, i) => {
        if (!ipaddr.isValid(ip)) {
          causes.push(
            invalidValue(
              `spec.clusterIPs[${i}]`,
              ip,
              'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
            ),
          );
          return;
        }
        families.push(ip.includes(':') ? 'IPv6' : 'IPv4');
      });
    }
    given.forEach((f, i) => {
      if (families[i] !== undefined && families[i] !== f)
        causes.push(
          invalidValue(`spec.ipFamilies[${i}]`, f, 'must match the IP family of spec.clusterIPs'),
        );
    });
    if (causes.length) return causes;
    if (families.length === 0) families = [...given];
    const dual = this.ranges.length === 2;
    const other = (f: IPFamily): IPFamily => (f === 'IPv4' ? 'IPv6' : 'IPv4');
    const first = families[0] ?? this.primaryFamily;
    if (s.ipFamilyPolicy === 'SingleStack') {
      if (families.length > 1)
        causes.push(
          invalidValue(
            'spec.ipFamilies',
            s.ipFamilies ?? s.clusterIPs,
            'when spec.ipFamilyPolicy is SingleStack, spec.ipFamilies must contain a single family',
          ),
        );
      families = [first];
    } else if (s.ipFamilyPolicy === 'PreferDualStack') {
      families = dual ? [first, families[1] ?? other(first)] : [first];
    } else if (s.ipFamilyPolicy === 'RequireDualStack') {
      if (!dual)
        causes.push(
          invalidValue(
            'spec.ipFamilyPolicy',
            'RequireDualStack',
            'this cluster is not configured for dual-stack services',
          ),
        );
      families = [first, families[1] ?? other(first)];
    }
    families.forEach((f, i) => {
      if (!this.range(f))
        causes.push(invalidValue(`spec.ipFamilies[${i}]`, f, 'not configured on this cluster'));
    });
    if (causes.length) return causes;
    s.ipFamilies = families;
    // Cluster IPs: old ones stay (immutable), requested ones are checked, the rest allocated.
    const oldIPs = os && Array.isArray(os.clusterIPs) ? (os.clusterIPs as string[]) : [];
    if (
      old &&
      oldIPs[0] !== undefined &&
      requested[0] !== undefined &&
      requested[0] !== oldIPs[0] &&
      os?.type !== 'ExternalName'
    ) {
      causes.push(invalidValue('spec.clusterIPs[0]', requested, 'may not change once set'));
      return causes;
    }
    if (headless) {
      s.clusterIP = 'None';
      s.clusterIPs = ['None'];
      return causes;
    }
    const result: string[] = [];
    const fresh: { fam: IPFamily; ip: string }[] = [];
    families.forEach((fam, i) => {
      const range = this.range(fam) as CidrAllocator;
      const want = requested[i];
      if (want !== undefined) {
        const ip = range.normalize(want) as string;
        if (oldIPs.includes(ip)) {
          result.push(ip);
          return;
        }
        if (!range.contains(ip)) {
          causes.push(
            invalidValue(
              `spec.clusterIPs[${i}]`,
              want,
              `failed to allocate IP ${want}: provided IP is not in the valid range. The range of valid IPs is ${range.cidr}`,
            ),
          );
          return;
        }
        if (range.isAllocated(ip)) {
          causes.push(
            invalidValue(
              `spec.clusterIPs[${i}]`,
              want,
              `failed to allocate IP ${want}: provided IP is already allocated`,
            ),
          );
          return;
        }
        range.allocate(ip);
        fresh.push({ fam, ip });
        result.push(ip);
        return;
      }
      const ip = range.allocateNext();
      if (ip === undefined) {
        causes.push(
          invalidValue(
            `spec.clusterIPs[${i}]`,
            null,
            `failed to allocate a serviceIP: range is full`,
          ),
        );
        return;
      }
      fresh.push({ fam, ip });
      result.push(ip);
    });
    const freshPorts: number[] = [];
    const undo = () => {
      for (const f of fresh) this.range(f.fam)?.release(f.ip);
      for (const p of freshPorts) this.nodePorts.release(p);
    };
    if (causes.length) {
      undo();
      return causes;
    }
    s.clusterIPs = result;
    s.clusterIP = result[0] as string;
    const oldPorts = this.heldBy(old).ports;
    const claim = (p: number, field: string): boolean => {
      if (oldPorts.includes(p) || freshPorts.includes(p)) {
        if (freshPorts.includes(p)) {
          causes.push(invalidValue(field, p, 'provided port is already allocated'));
          return false;
        }
        return true;
      }
      if (!this.nodePorts.inRange(p)) {
        causes.push(
          invalidValue(
            field,
            p,
            `provided port is not in the valid range. The range of valid ports is ${this.nodePorts.min}-${this.nodePorts.max}`,
          ),
        );
        return false;
      }
      if (this.nodePorts.isAllocated(p)) {
        causes.push(invalidValue(field, p, 'provided port is already allocated'));
        return false;
      }
      this.nodePorts.allocate(p);
      freshPorts.push(p);
      return true;
    };
    if (needsNodePorts(s)) {
      ports(s).forEach((p, i) => {
        if (typeof p.nodePort === 'number') claim(p.nodePort, `spec.ports[${i}].nodePort`);
        else {
          const n = this.nodePorts.allocateNext();
          if (n === undefined)
            causes.push(invalidValue(`spec.ports[${i}].nodePort`, null, 'range is full'));
          else {
            freshPorts.push(n);
            p.nodePort = n;
          }
        }
      });
    } else {
      ports(s).forEach((p, i) => {
        if (p.nodePort !== undefined && p.nodePort !== 0)
          causes.push(
            forbidden(
              `spec.ports[${i}].nodePort`,
              `may not be used when \`type\` is '${String(s.type)}'`,
            ),
          );
      });
    }
    if (s.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local') {
      if (typeof s.healthCheckNodePort === 'number')
        claim(s.healthCheckNodePort, 'spec.healthCheckNodePort');
      else {
        const n = this.nodePorts.allocateNext();
        if (n !== undefined) {
          freshPorts.push(n);
          s.healthCheckNodePort = n;
        }
      }
    } else if (s.healthCheckNodePort !== undefined) {
      delete s.healthCheckNodePort;
    }
    if (causes.length) undo();
    return causes;
  }
}
