// Services as pkg/registry/core/service does them: defaults (SetDefaults_Service), validation
// essentials (ValidateService), cluster IPs per ipFamilyPolicy, NodePorts for NodePort/LoadBalancer
// (and healthCheckNodePort for ETP=Local), patchAllocatedValues on update, and the status strategy:
// a status write keeps the request's metadata (MetalLB writes its annotation and status in one
// request) and the old spec; a main write keeps the old status.
import ipaddr from 'ipaddr.js';
import {
  forbidden,
  invalidValue,
  notSupported,
  required,
  duplicate,
  type StatusCause,
} from '../errors.ts';
import { isObject, type Json, type JsonObject } from '../schema/structural.ts';
import {
  dns1035LabelErrors,
  dns1123LabelErrors,
  dns1123SubdomainErrors,
  qualifiedNameErrors,
  validateLabels,
} from '../util/meta.ts';
import { CidrAllocator, PortAllocator, type IPFamily } from './allocators.ts';
import type { KubeObject, Strategy } from './types.ts';

export interface ServiceNetworkOptions {
  /** Service CIDRs, primary family first. Default ['198.18.0.0/16', '2001:db8:1::/108']. */
  serviceClusterIPRanges?: string[];
  /** NodePort range. Default '30000-32767'. */
  serviceNodePortRange?: string;
}

const TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const POLICIES = ['SingleStack', 'PreferDualStack', 'RequireDualStack'];

type Port = JsonObject & {
  port?: number;
  protocol?: string;
  nodePort?: number;
  name?: string;
  targetPort?: Json;
};

function spec(o: KubeObject): JsonObject {
  if (!isObject(o.spec)) o.spec = {};
  return o.spec as JsonObject;
}

function ports(s: JsonObject): Port[] {
  return Array.isArray(s.ports) ? (s.ports.filter(isObject) as Port[]) : [];
}

function needsNodePorts(s: JsonObject): boolean {
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

/**
 * dropTypeDependentFields (pkg/registry/core/service/storage): when an update changes the type,
 * fields the new type cannot have are cleared if the client left them as they were — so
 * `{"spec":{"type":"ClusterIP"}}` on a LoadBalancer Service just works. Values the client
 * changed are kept and then fail validation, as on a real cluster.
 */
function dropTypeDependentFields(svc: KubeObject, old: KubeObject): void {
  const s = spec(svc);
  const os = spec(old);
  if (s.type === os.type) return;
  const same = (k: string) => JSON.stringify(s[k]) === JSON.stringify(os[k]);
  if (!needsNodePorts(s) && needsNodePorts(os)) {
    for (const p of ports(s)) {
      const match = ports(os).find(
        (q) => q.port === p.port && (q.protocol ?? 'TCP') === (p.protocol ?? 'TCP'),
      );
      if (p.nodePort !== undefined && match?.nodePort === p.nodePort) delete p.nodePort;
    }
  }
  if (s.type !== 'LoadBalancer') {
    for (const k of ['healthCheckNodePort', 'allocateLoadBalancerNodePorts', 'loadBalancerClass'])
      if (same(k)) delete s[k];
  }
  if (s.type !== 'NodePort' && s.type !== 'LoadBalancer' && same('externalTrafficPolicy'))
    delete s.externalTrafficPolicy;
  if (s.type === 'ExternalName') {
    for (const k of [
      'clusterIP',
      'clusterIPs',
      'ipFamilies',
      'ipFamilyPolicy',
      'internalTrafficPolicy',
    ])
      if (same(k)) delete s[k];
  }
}

function defaults(svc: KubeObject): void {
  const s = spec(svc);
  s.type ??= 'ClusterIP';
  s.sessionAffinity ??= 'None';
  for (const p of ports(s)) {
    p.protocol ??= 'TCP';
    if (p.targetPort === undefined && typeof p.port === 'number') p.targetPort = p.port;
  }
  if (s.type !== 'ExternalName') s.internalTrafficPolicy ??= 'Cluster';
  if (s.type === 'NodePort' || s.type === 'LoadBalancer') s.externalTrafficPolicy ??= 'Cluster';
  if (s.type === 'LoadBalancer') s.allocateLoadBalancerNodePorts ??= true;
}

function validateSpec(svc: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const s = spec(svc);
  if (!TYPES.includes(String(s.type))) out.push(notSupported('spec.type', s.type, TYPES));
  const ps = ports(s);
  const headless =
    s.clusterIP === 'None' || (Array.isArray(s.clusterIPs) && s.clusterIPs[0] === 'None');
  if (s.type === 'ExternalName') {
    if (typeof s.externalName !== 'string' || s.externalName === '')
      out.push(required('spec.externalName'));
    else
      for (const e of dns1123SubdomainErrors(s.externalName))
        out.push(invalidValue('spec.externalName', s.externalName, e));
  } else if (ps.length === 0 && !headless) {
    out.push(required('spec.ports'));
  }
  const seenNames = new Set<string>();
  const seenPorts = new Set<string>();
  ps.forEach((p, i) => {
    const f = `spec.ports[${i}]`;
    if (ps.length > 1 && (typeof p.name !== 'string' || p.name === ''))
      out.push(required(`${f}.name`));
    if (typeof p.name === 'string' && p.name !== '') {
      for (const e of dns1123LabelErrors(p.name)) out.push(invalidValue(`${f}.name`, p.name, e));
      if (seenNames.has(p.name)) out.push(duplicate(`${f}.name`, p.name));
      seenNames.add(p.name);
    }
    if (typeof p.port !== 'number' || !Number.isInteger(p.port) || p.port < 1 || p.port > 65535)
      out.push(invalidValue(`${f}.port`, p.port ?? 0, 'must be between 1 and 65535, inclusive'));
    if (!PROTOCOLS.includes(String(p.protocol)))
      out.push(notSupported(`${f}.protocol`, p.protocol, PROTOCOLS));
    const key = `${p.port}/${p.protocol}`;
    if (seenPorts.has(key)) out.push(duplicate(f, { port: p.port, protocol: p.protocol }));
    seenPorts.add(key);
    const tp = p.targetPort;
    if (typeof tp === 'number' && (tp < 1 || tp > 65535))
      out.push(invalidValue(`${f}.targetPort`, tp, 'must be between 1 and 65535, inclusive'));
    if (typeof tp === 'string' && !/^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(tp))
      out.push(
        invalidValue(
          `${f}.targetPort`,
          tp,
          'must be no more than 15 characters and contain only lowercase alphanumerics and dashes',
        ),
      );
  });
  if (s.ipFamilyPolicy !== undefined && !POLICIES.includes(String(s.ipFamilyPolicy)))
    out.push(notSupported('spec.ipFamilyPolicy', s.ipFamilyPolicy, POLICIES));
  if (s.ipFamilies !== undefined) {
    if (!Array.isArray(s.ipFamilies))
      out.push(invalidValue('spec.ipFamilies', s.ipFamilies, 'must be a list'));
    else {
      if (s.ipFamilies.length > 2)
        out.push({
          reason: 'FieldValueTooMany',
          message: `Too many: ${s.ipFamilies.length}: must have at most 2 items`,
          field: 'spec.ipFamilies',
        });
      s.ipFamilies.forEach((f, i) => {
        if (f !== 'IPv4' && f !== 'IPv6')
          out.push(notSupported(`spec.ipFamilies[${i}]`, f, ['IPv4', 'IPv6']));
        if (s.ipFamilies && (s.ipFamilies as Json[]).indexOf(f) < i)
          out.push(duplicate(`spec.ipFamilies[${i}]`, f));
      });
    }
  }
  if (!['None', 'ClientIP'].includes(String(s.sessionAffinity)))
    out.push(notSupported('spec.sessionAffinity', s.sessionAffinity, ['ClientIP', 'None']));
  if (s.externalTrafficPolicy !== undefined) {
    if (s.type !== 'NodePort' && s.type !== 'LoadBalancer')
      out.push(
        invalidValue(
          'spec.externalTrafficPolicy',
          s.externalTrafficPolicy,
          'may only be set for NodePort or LoadBalancer services',
        ),
      );
    else if (!['Cluster', 'Local'].includes(String(s.externalTrafficPolicy)))
      out.push(
        notSupported('spec.externalTrafficPolicy', s.externalTrafficPolicy, ['Cluster', 'Local']),
      );
  }
  if (
    s.internalTrafficPolicy !== undefined &&
    !['Cluster', 'Local'].includes(String(s.internalTrafficPolicy))
  )
    out.push(
      notSupported('spec.internalTrafficPolicy', s.internalTrafficPolicy, ['Cluster', 'Local']),
    );
  if (s.loadBalancerClass !== undefined && s.loadBalancerClass !== null) {
    if (s.type !== 'LoadBalancer')
      out.push(
        forbidden('spec.loadBalancerClass', "may only be used when `type` is 'LoadBalancer'"),
      );
    else
      for (const e of qualifiedNameErrors(String(s.loadBalancerClass)))
        out.push(invalidValue('spec.loadBalancerClass', s.loadBalancerClass, e));
  }
  if (typeof s.loadBalancerIP === 'string' && s.loadBalancerIP !== '') {
    if (s.type !== 'LoadBalancer')
      out.push(forbidden('spec.loadBalancerIP', "may only be used when `type` is 'LoadBalancer'"));
    else if (!ipaddr.isValid(s.loadBalancerIP))
      out.push(invalidValue('spec.loadBalancerIP', s.loadBalancerIP, 'must be a valid IP address'));
  }
  if (s.selector !== undefined) validateLabels(s.selector, 'spec.selector', out);
  return out;
}

function validateStatus(svc: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const st = isObject(svc.status) ? svc.status : {};
  const lb = isObject(st.loadBalancer) ? st.loadBalancer : {};
  const ingress = Array.isArray(lb.ingress) ? lb.ingress : [];
  ingress.forEach((ing, i) => {
    const f = `status.loadBalancer.ingress[${i}]`;
    if (!isObject(ing)) return void out.push(invalidValue(f, ing, 'must be an object'));
    if (ing.ip !== undefined && (typeof ing.ip !== 'string' || !ipaddr.isValid(ing.ip)))
      out.push(invalidValue(`${f}.ip`, ing.ip, 'must be a valid IP address'));
    if (ing.hostname !== undefined) {
      if (typeof ing.hostname !== 'string' || ipaddr.isValid(ing.hostname))
        out.push(
          invalidValue(`${f}.hostname`, ing.hostname, 'must be a DNS name, not an IP address'),
        );
      else
        for (const e of dns1123SubdomainErrors(ing.hostname))
          out.push(invalidValue(`${f}.hostname`, ing.hostname, e));
    }
    if (ing.ipMode !== undefined) {
      if (ing.ip === undefined)
        out.push(forbidden(`${f}.ipMode`, 'may not be specified when `ip` is not'));
      else if (!['VIP', 'Proxy'].includes(String(ing.ipMode)))
        out.push(notSupported(`${f}.ipMode`, ing.ipMode, ['Proxy', 'VIP']));
    }
  });
  return out;
}

export function serviceStrategy(net: ServiceNetwork): Strategy {
  return {
    nameRule: 'dns1035',
    allowUnconditionalUpdate: true,
    prepareForCreate(svc) {
      svc.status = { loadBalancer: {} };
      defaults(svc);
    },
    validate: (svc) => validateSpec(svc),
    prepareForUpdate(svc, old) {
      svc.status = structuredClone(old.status ?? { loadBalancer: {} });
      dropTypeDependentFields(svc, old);
      defaults(svc);
    },
    validateUpdate(svc, old) {
      const out = validateSpec(svc);
      const s = spec(svc);
      const os = spec(old);
      if (
        os.type === 'LoadBalancer' &&
        s.type === 'LoadBalancer' &&
        os.loadBalancerClass !== undefined &&
        s.loadBalancerClass !== os.loadBalancerClass
      )
        out.push(
          invalidValue(
            'spec.loadBalancerClass',
            s.loadBalancerClass ?? null,
            'may not change once set',
          ),
        );
      return out;
    },
    prepareForStatusUpdate(svc, old) {
      // serviceStatusStrategy.PrepareForUpdate: only spec is reset; metadata changes stay.
      const next = { ...svc, spec: structuredClone(old.spec ?? {}) } as KubeObject;
      const lb =
        isObject(next.status) && isObject(next.status.loadBalancer)
          ? next.status.loadBalancer
          : undefined;
      if (lb && Array.isArray(lb.ingress))
        for (const ing of lb.ingress)
          if (isObject(ing) && typeof ing.ip === 'string' && ing.ipMode === undefined)
            ing.ipMode = 'VIP';
      return next;
    },
    validateStatusUpdate: (svc) => validateStatus(svc),
    beforeCommit: (svc, old) => net.allocate(svc, old),
    afterUpdate: (svc, old) => net.releaseAll(old, svc),
    afterDelete: (svc) => net.releaseAll(svc),
    rollback: (svc, old) => net.releaseAll(svc, old),
    selectableFields(svc) {
      const s = spec(svc);
      return { 'spec.clusterIP': String(s.clusterIP ?? ''), 'spec.type': String(s.type ?? '') };
    },
  };
}

export { dns1035LabelErrors };
