// Strategies of the kinds install manifests carry besides workloads and RBAC:
// PodDisruptionBudget (policy/v1), NetworkPolicy (networking.k8s.io/v1) and PriorityClass
// (scheduling.k8s.io/v1) — the defaults of their SetDefaults_* functions, the status fields their
// PrepareForCreate resets, and the essentials of pkg/apis/<group>/validation.
import ipaddr from 'ipaddr.js';
import { forbidden, invalidValue, notSupported, tooMany, type StatusCause } from '../errors.ts';
import { isObject, type Json } from '../schema/structural.ts';
import { deepEqual } from '../schema/validate.ts';
import { keepStatus, obj, statusOnly, str } from './strategy-helpers.ts';
import type { KubeObject, Strategy } from './types.ts';

/** An IntOrString that must be >= 0 (and a percent <= 100%). */
function intOrPercent(v: Json | undefined, field: string, out: StatusCause[]): void {
  if (v === undefined || v === null) return;
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0)
      out.push(invalidValue(field, v, 'must be greater than or equal to 0'));
    return;
  }
  const m = typeof v === 'string' ? /^(\d+)%$/.exec(v) : null;
  if (!m) {
    out.push(
      invalidValue(
        field,
        v,
        "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
      ),
    );
    return;
  }
  if (Number(m[1]) > 100) out.push(invalidValue(field, v, 'must not be greater than 100%'));
}

export function podDisruptionBudgetStrategy(): Strategy {
  const validate = (o: KubeObject): StatusCause[] => {
    const out: StatusCause[] = [];
    const spec = obj(o, 'spec');
    if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined)
      out.push(invalidValue('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
    intOrPercent(spec.minAvailable, 'spec.minAvailable', out);
    intOrPercent(spec.maxUnavailable, 'spec.maxUnavailable', out);
    const p = spec.unhealthyPodEvictionPolicy;
    if (p !== undefined && p !== null && !['IfHealthyBudget', 'AlwaysAllow'].includes(str(p)))
      out.push(
        notSupported('spec.unhealthyPodEvictionPolicy', p, ['AlwaysAllow', 'IfHealthyBudget']),
      );
    return out;
  };
  return {
    hasGeneration: true,
    allowUnconditionalUpdate: true,
    prepareForCreate(o) {
      // The disruption controller fills these in; v1 always shows the four counters.
      o.status = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
    },
    validate,
    prepareForUpdate: keepStatus,
    validateUpdate: (o) => validate(o),
    prepareForStatusUpdate: statusOnly,
  };
}

function defaultNetworkPolicy(o: KubeObject): void {
  const spec = obj(o, 'spec');
  spec.podSelector ??= {};
  if (!Array.isArray(spec.policyTypes) || spec.policyTypes.length === 0) {
    // A policy without policyTypes is at least Ingress, and Egress when it has egress rules.
    spec.policyTypes = ['Ingress'];
    if (Array.isArray(spec.egress) && spec.egress.length > 0) spec.policyTypes.push('Egress');
  }
  for (const dir of ['ingress', 'egress'])
    for (const rule of Array.isArray(spec[dir]) ? (spec[dir] as Json[]) : [])
      if (isObject(rule))
        for (const p of Array.isArray(rule.ports) ? rule.ports : [])
          if (isObject(p)) p.protocol ??= 'TCP';
}

function validateNetworkPolicy(o: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const spec = obj(o, 'spec');
  const types = Array.isArray(spec.policyTypes) ? spec.policyTypes : [];
  types.forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress')
      out.push(notSupported(`spec.policyTypes[${i}]`, t, ['Egress', 'Ingress']));
  });
  if (types.length > 2) out.push(tooMany('spec.policyTypes', types.length, 2));
  for (const dir of ['ingress', 'egress']) {
    const rules = Array.isArray(spec[dir]) ? (spec[dir] as Json[]) : [];
    rules.forEach((rule, i) => {
      if (!isObject(rule)) return;
      (Array.isArray(rule.ports) ? rule.ports : []).forEach((p, j) => {
        if (!isObject(p)) return;
        const f = `spec.${dir}[${i}].ports[${j}]`;
        if (p.protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(str(p.protocol)))
          out.push(notSupported(`${f}.protocol`, p.protocol, ['SCTP', 'TCP', 'UDP']));
        if (typeof p.port === 'number' && (p.port < 1 || p.port > 65535))
          out.push(invalidValue(`${f}.port`, p.port, 'must be between 1 and 65535, inclusive'));
        if (p.endPort !== undefined && p.endPort !== null) {
          if (typeof p.port !== 'number')
            out.push(forbidden(`${f}.endPort`, 'may not be specified when `port` is non-numeric'));
          else if (typeof p.endPort !== 'number' || p.endPort < p.port)
            out.push(
              invalidValue(`${f}.endPort`, p.endPort, 'must be greater than or equal to `port`'),
            );
        }
      });
      const peers = dir === 'ingress' ? rule.from : rule.to;
      (Array.isArray(peers) ? peers : []).forEach((peer, j) => {
        if (!isObject(peer) || !isObject(peer.ipBlock)) return;
        const f = `spec.${dir}[${i}].${dir === 'ingress' ? 'from' : 'to'}[${j}].ipBlock`;
        const cidr = str(peer.ipBlock.cidr);
        if (!ipaddr.isValidCIDR(cidr))
          out.push(
            invalidValue(
              `${f}.cidr`,
              cidr,
              'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
            ),
          );
      });
    });
  }
  return out;
}

export function networkPolicyStrategy(): Strategy {
  return {
    hasGeneration: true,
    allowUnconditionalUpdate: true,
    prepareForCreate: defaultNetworkPolicy,
    validate: validateNetworkPolicy,
    prepareForUpdate: (o) => defaultNetworkPolicy(o),
    validateUpdate: (o) => validateNetworkPolicy(o),
  };
}

/** scheduling.HighestUserDefinablePriority */
const HIGHEST_USER_PRIORITY = 1_000_000_000;
const SYSTEM_CLASSES: Record<string, number> = {
  'system-node-critical': 2_000_001_000,
  'system-cluster-critical': 2_000_000_000,
};

export function priorityClassStrategy(): Strategy {
  const validate = (o: KubeObject): StatusCause[] => {
    const out: StatusCause[] = [];
    const name = o.metadata.name ?? '';
    const value = typeof o.value === 'number' ? o.value : 0;
    if (name.startsWith('system-')) {
      const known = SYSTEM_CLASSES[name];
      const err =
        known === undefined
          ? `name ${name} is not a known system priority class`
          : value !== known
            ? `value of ${name} PriorityClass must be ${known}`
            : o.globalDefault === true
              ? `globalDefault of ${name} PriorityClass must be false`
              : '';
      if (err)
        out.push(
          forbidden(
            'metadata.name',
            `priority class names with 'system-' prefix are reserved for system use only. error: ${err}`,
          ),
        );
    } else if (value > HIGHEST_USER_PRIORITY)
      out.push(
        forbidden(
          'value',
          `maximum allowed value of a user defined priority is ${HIGHEST_USER_PRIORITY}`,
        ),
      );
    const pp = o.preemptionPolicy;
    if (pp !== undefined && !['PreemptLowerPriority', 'Never'].includes(str(pp)))
      out.push(notSupported('preemptionPolicy', pp, ['Never', 'PreemptLowerPriority']));
    return out;
  };
  const defaults = (o: KubeObject) => {
    o.value ??= 0;
    o.preemptionPolicy ??= 'PreemptLowerPriority';
  };
  return {
    allowUnconditionalUpdate: true,
    prepareForCreate: defaults,
    validate,
    prepareForUpdate: defaults,
    validateUpdate(o, old) {
      const out = validate(o);
      if (o.value !== old.value) out.push(forbidden('value', 'may not be changed in an update.'));
      if (!deepEqual(o.preemptionPolicy, old.preemptionPolicy))
        out.push(
          invalidValue('preemptionPolicy', o.preemptionPolicy ?? null, 'field is immutable'),
        );
      return out;
    },
  };
}
