// Strategies of the non-core built-in kinds: apps (stored, not run), RBAC, EndpointSlice and the
// admission webhook configurations (stored, not called) — pkg/registry/<group>/<kind>/strategy.go.
import ipaddr from 'ipaddr.js';
import {
  forbidden,
  immutable,
  invalidValue,
  notSupported,
  required,
  type StatusCause,
} from '../errors.ts';
import { isObject } from '../schema/structural.ts';
import { deepEqual } from '../schema/validate.ts';
import {
  containerErrors,
  keepStatus,
  obj,
  podSpecDefaults,
  statusOnly,
  str,
} from './strategy-helpers.ts';
import type { KubeObject, Strategy } from './types.ts';

function selectorMatchesTemplate(o: KubeObject, out: StatusCause[]): void {
  const spec = obj(o, 'spec');
  const sel = spec.selector;
  if (!isObject(sel) || (!isObject(sel.matchLabels) && !Array.isArray(sel.matchExpressions))) {
    out.push(required('spec.selector'));
    return;
  }
  const tmpl =
    isObject(spec.template) && isObject(spec.template.metadata)
      ? spec.template.metadata.labels
      : undefined;
  const labels = isObject(tmpl) ? tmpl : {};
  if (isObject(sel.matchLabels)) {
    for (const [k, v] of Object.entries(sel.matchLabels))
      if (labels[k] !== v) {
        out.push(
          invalidValue(
            'spec.template.metadata.labels',
            labels,
            '`selector` does not match template `labels`',
          ),
        );
        return;
      }
  }
}

export function workloadStrategy(kind: 'Deployment' | 'DaemonSet' | 'ReplicaSet'): Strategy {
  return {
    hasGeneration: true,
    allowUnconditionalUpdate: true,
    prepareForCreate(o) {
      // The v1 status as PrepareForCreate leaves it: the counters that are not omitempty show 0.
      o.status =
        kind === 'DaemonSet'
          ? {
              currentNumberScheduled: 0,
              numberMisscheduled: 0,
              desiredNumberScheduled: 0,
              numberReady: 0,
            }
          : kind === 'ReplicaSet'
            ? { replicas: 0 }
            : {};
      const spec = obj(o, 'spec');
      if (kind === 'ReplicaSet') {
        spec.replicas ??= 1;
      } else if (kind === 'Deployment') {
        spec.replicas ??= 1;
        spec.strategy ??= {
          type: 'RollingUpdate',
          rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' },
        };
        spec.progressDeadlineSeconds ??= 600;
      } else {
        spec.updateStrategy ??= {
          type: 'RollingUpdate',
          rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
        };
      }
      if (kind !== 'ReplicaSet') spec.revisionHistoryLimit ??= 10;
      if (isObject(spec.template)) podSpecDefaults(obj(spec.template as KubeObject, 'spec'));
    },
    validate(o) {
      const out: StatusCause[] = [];
      selectorMatchesTemplate(o, out);
      const spec = obj(o, 'spec');
      containerErrors(
        isObject(spec.template) ? spec.template.spec : undefined,
        'spec.template.spec',
        out,
      );
      if (kind !== 'DaemonSet' && (typeof spec.replicas !== 'number' || spec.replicas < 0))
        out.push(
          invalidValue(
            'spec.replicas',
            spec.replicas ?? null,
            'must be greater than or equal to 0',
          ),
        );
      return out;
    },
    prepareForUpdate(o, old) {
      keepStatus(o, old);
      const spec = obj(o, 'spec');
      // Defaulting runs on every decode, so a write that drops replicas gets 1 again.
      if (kind === 'Deployment') spec.replicas ??= 1;
      if (isObject(spec.template)) podSpecDefaults(obj(spec.template as KubeObject, 'spec'));
    },
    validateUpdate(o, old) {
      const out =
        this.validate?.(o, { warnings: [], fieldValidation: 'Warn', dryRun: false }) ?? [];
      if (!deepEqual(obj(o, 'spec').selector, obj(old, 'spec').selector))
        out.push(immutable('spec.selector', obj(o, 'spec').selector));
      return out;
    },
    prepareForStatusUpdate: statusOnly,
  };
}

export function rbacRoleStrategy(): Strategy {
  return {
    nameRule: 'path',
    allowUnconditionalUpdate: true,
    validate(o) {
      const out: StatusCause[] = [];
      const rules = o.rules;
      if (rules !== undefined && rules !== null && !Array.isArray(rules))
        out.push(invalidValue('rules', rules, 'must be a list'));
      (Array.isArray(rules) ? rules : []).forEach((r, i) => {
        if (!isObject(r) || !Array.isArray(r.verbs) || r.verbs.length === 0)
          out.push(required(`rules[${i}].verbs`, 'verbs must contain at least one value'));
        else if (!Array.isArray(r.nonResourceURLs) && !Array.isArray(r.resources))
          out.push(
            required(`rules[${i}].resources`, 'resource rules must supply at least one api group'),
          );
      });
      return out;
    },
  };
}

export function bindingStrategy(clusterScoped: boolean): Strategy {
  return {
    nameRule: 'path',
    allowUnconditionalUpdate: true,
    validate(o) {
      const out: StatusCause[] = [];
      const ref = o.roleRef;
      if (!isObject(ref)) return [required('roleRef')];
      if (ref.apiGroup !== 'rbac.authorization.k8s.io')
        out.push(
          notSupported('roleRef.apiGroup', ref.apiGroup ?? '', ['rbac.authorization.k8s.io']),
        );
      const kinds = clusterScoped ? ['ClusterRole'] : ['Role', 'ClusterRole'];
      if (!kinds.includes(str(ref.kind)))
        out.push(notSupported('roleRef.kind', ref.kind ?? '', kinds));
      if (str(ref.name) === '') out.push(required('roleRef.name'));
      (Array.isArray(o.subjects) ? o.subjects : []).forEach((s, i) => {
        if (!isObject(s)) return;
        if (!['ServiceAccount', 'User', 'Group'].includes(str(s.kind)))
          out.push(
            notSupported(`subjects[${i}].kind`, s.kind ?? '', ['ServiceAccount', 'User', 'Group']),
          );
        if (str(s.name) === '') out.push(required(`subjects[${i}].name`));
        if (s.kind === 'ServiceAccount' && clusterScoped && str(s.namespace) === '')
          out.push(required(`subjects[${i}].namespace`));
      });
      return out;
    },
    validateUpdate(o, old) {
      const out =
        this.validate?.(o, { warnings: [], fieldValidation: 'Warn', dryRun: false }) ?? [];
      if (!deepEqual(o.roleRef, old.roleRef))
        out.push(invalidValue('roleRef', o.roleRef ?? null, 'cannot change roleRef'));
      return out;
    },
  };
}

const ADDRESS_TYPES = ['IPv4', 'IPv6', 'FQDN'];

export function endpointSliceStrategy(): Strategy {
  const validate = (o: KubeObject): StatusCause[] => {
    const out: StatusCause[] = [];
    const at = o.addressType;
    if (!ADDRESS_TYPES.includes(str(at)))
      out.push(
        at === undefined ? required('addressType') : notSupported('addressType', at, ADDRESS_TYPES),
      );
    const eps = o.endpoints;
    if (eps !== undefined && eps !== null && !Array.isArray(eps))
      out.push(invalidValue('endpoints', eps, 'must be a list'));
    (Array.isArray(eps) ? eps : []).forEach((e, i) => {
      const f = `endpoints[${i}]`;
      if (!isObject(e)) return;
      const addrs = Array.isArray(e.addresses) ? e.addresses : [];
      if (addrs.length === 0)
        out.push(required(`${f}.addresses`, 'must contain at least 1 address'));
      if (addrs.length > 100)
        out.push({
          reason: 'FieldValueTooMany',
          message: `Too many: ${addrs.length}: must have at most 100 items`,
          field: `${f}.addresses`,
        });
      addrs.forEach((a, j) => {
        const ok =
          typeof a === 'string' &&
          (at === 'FQDN' ||
            (ipaddr.isValid(a) && (ipaddr.parse(a).kind() === 'ipv6') === (at === 'IPv6')));
        if (!ok)
          out.push(invalidValue(`${f}.addresses[${j}]`, a, `must be a valid ${str(at)} address`));
      });
      if (e.nodeName !== undefined && typeof e.nodeName !== 'string')
        out.push(invalidValue(`${f}.nodeName`, e.nodeName, 'must be a string'));
    });
    (Array.isArray(o.ports) ? o.ports : []).forEach((p, i) => {
      if (!isObject(p)) return;
      if (p.protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(str(p.protocol)))
        out.push(notSupported(`ports[${i}].protocol`, p.protocol, ['TCP', 'UDP', 'SCTP']));
      if (
        p.port !== undefined &&
        p.port !== null &&
        (typeof p.port !== 'number' || p.port < 1 || p.port > 65535)
      )
        out.push(
          invalidValue(`ports[${i}].port`, p.port, 'must be between 1 and 65535, inclusive'),
        );
    });
    return out;
  };
  return {
    allowUnconditionalUpdate: true,
    hasGeneration: true,
    prepareForCreate(o) {
      for (const p of Array.isArray(o.ports) ? o.ports : []) if (isObject(p)) p.protocol ??= 'TCP';
    },
    validate,
    prepareForUpdate(o) {
      for (const p of Array.isArray(o.ports) ? o.ports : []) if (isObject(p)) p.protocol ??= 'TCP';
    },
    validateUpdate(o, old) {
      const out = validate(o);
      if (o.addressType !== old.addressType)
        out.push(immutable('addressType', o.addressType ?? null));
      return out;
    },
  };
}

export function webhookConfigStrategy(mutating = false): Strategy {
  // SetDefaults_ValidatingWebhook / SetDefaults_MutatingWebhook / SetDefaults_Rule /
  // SetDefaults_ServiceReference of admissionregistration/v1.
  const defaults = (o: KubeObject) => {
    for (const w of Array.isArray(o.webhooks) ? o.webhooks : []) {
      if (!isObject(w)) continue;
      w.failurePolicy ??= 'Fail';
      w.matchPolicy ??= 'Equivalent';
      w.namespaceSelector ??= {};
      w.objectSelector ??= {};
      w.timeoutSeconds ??= 10;
      if (mutating) w.reinvocationPolicy ??= 'Never';
      // SetDefaults_Rule: scope '*'. `rules` is an atomic list, so kubectl's three-way merge
      // re-sends a configuration's rules on every apply unless it spells scope out (reported
      // "configured" each time, as on a real cluster); deploy/'s manifests do.
      for (const r of Array.isArray(w.rules) ? w.rules : []) if (isObject(r)) r.scope ??= '*';
      const cc = isObject(w.clientConfig) ? w.clientConfig : undefined;
      if (cc && isObject(cc.service)) cc.service.port ??= 443;
    }
  };
  return {
    allowUnconditionalUpdate: true,
    prepareForCreate: defaults,
    prepareForUpdate: defaults,
    validate(o) {
      const out: StatusCause[] = [];
      (Array.isArray(o.webhooks) ? o.webhooks : []).forEach((w, i) => {
        const f = `webhooks[${i}]`;
        if (!isObject(w)) return;
        if (str(w.name).split('.').length < 3)
          out.push(
            invalidValue(
              `${f}.name`,
              w.name ?? '',
              'should be a domain with at least three segments separated by dots',
            ),
          );
        const cc = isObject(w.clientConfig) ? w.clientConfig : undefined;
        if (!cc || (cc.url === undefined) === (cc.service === undefined))
          out.push(required(`${f}.clientConfig`, 'exactly one of url or service is required'));
        if (!Array.isArray(w.admissionReviewVersions) || w.admissionReviewVersions.length === 0)
          out.push(required(`${f}.admissionReviewVersions`));
        if (!['None', 'NoneOnDryRun'].includes(str(w.sideEffects)))
          out.push(
            w.sideEffects === undefined
              ? required(`${f}.sideEffects`)
              : notSupported(`${f}.sideEffects`, w.sideEffects, ['None', 'NoneOnDryRun']),
          );
        if (!['Fail', 'Ignore'].includes(str(w.failurePolicy)))
          out.push(notSupported(`${f}.failurePolicy`, w.failurePolicy ?? '', ['Fail', 'Ignore']));
        if (typeof w.timeoutSeconds === 'number' && (w.timeoutSeconds < 1 || w.timeoutSeconds > 30))
          out.push(
            invalidValue(
              `${f}.timeoutSeconds`,
              w.timeoutSeconds,
              'the timeout value must be between 1 and 30 seconds',
            ),
          );
        (Array.isArray(w.rules) ? w.rules : []).forEach((r, j) => {
          if (
            isObject(r) &&
            r.scope !== undefined &&
            !['*', 'Cluster', 'Namespaced'].includes(str(r.scope))
          )
            out.push(
              notSupported(`${f}.rules[${j}].scope`, r.scope, ['*', 'Cluster', 'Namespaced']),
            );
        });
        // matchConditions are CEL over the request; not evaluated here, so refused, not ignored.
        if (Array.isArray(w.matchConditions) && w.matchConditions.length > 0)
          out.push(
            forbidden(
              `${f}.matchConditions`,
              'matchConditions are not supported by this test API server',
            ),
          );
      });
      return out;
    },
  };
}
