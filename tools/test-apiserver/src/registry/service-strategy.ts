// The Service strategy (pkg/registry/core/service): defaults (SetDefaults_Service), validation
// essentials (ValidateService), dropTypeDependentFields on type changes, and the status strategy —
// a status write keeps the request's metadata (MetalLB writes its annotation and status in one
// request) and the old spec; a main write keeps the old status. Allocation is ServiceNetwork's.
import ipaddr from 'ipaddr.js';
import {
  duplicate,
  forbidden,
  invalidValue,
  notSupported,
  required,
  type StatusCause,
} from '../errors.ts';
import { isObject, type Json } from '../schema/structural.ts';
import {
  dns1123LabelErrors,
  dns1123SubdomainErrors,
  qualifiedNameErrors,
  validateLabels,
} from '../util/meta.ts';
import {
  POLICIES,
  PROTOCOLS,
  TYPES,
  needsNodePorts,
  ports,
  spec,
  type ServiceNetwork,
} from './service.ts';
import type { KubeObject, Strategy } from './types.ts';

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
  (Array.isArray(s.externalIPs) ? s.externalIPs : []).forEach((ip, i) => {
    if (typeof ip !== 'string' || !ipaddr.isValid(ip))
      out.push(
        invalidValue(
          `spec.externalIPs[${i}]`,
          ip,
          'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
        ),
      );
  });
  (Array.isArray(s.loadBalancerSourceRanges) ? s.loadBalancerSourceRanges : []).forEach((r, i) => {
    let ok = typeof r === 'string';
    try {
      if (ok) ipaddr.parseCIDR(String(r).trim());
    } catch {
      ok = false;
    }
    if (!ok)
      out.push(
        invalidValue(
          `spec.loadBalancerSourceRanges[${i}]`,
          r,
          'must be a valid CIDR (e.g. 10.0.0.0/8)',
        ),
      );
  });
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
