// The built-in kinds IronLB and the lab use, with the defaults and validation essentials of their
// real strategies (pkg/registry/<group>/<kind>/strategy.go, pkg/apis/<group>/validation). Kinds
// that are "stored, not run" (Deployment, DaemonSet, webhook configurations) get their API
// behaviour, not their controllers.
import ipaddr from 'ipaddr.js';
import {
  forbidden,
  immutable,
  invalidValue,
  notSupported,
  required,
  duplicate,
  type StatusCause,
} from '../errors.ts';
import { isObject, type Json, type JsonObject } from '../schema/structural.ts';
import { dns1123LabelErrors, validateLabels } from '../util/meta.ts';
import { deepEqual } from '../schema/validate.ts';
import { ServiceNetwork, serviceStrategy } from './service.ts';
import { ALL_VERBS, type KubeObject, type ResourceType, type Strategy } from './types.ts';
import { eventsV1FromCore, eventsV1ToCore, validateEventsV1 } from './events.ts';

function obj(o: KubeObject, field: string): JsonObject {
  if (!isObject(o[field])) o[field] = {};
  return o[field] as JsonObject;
}

function str(v: Json | undefined): string {
  return typeof v === 'string' ? v : '';
}

/** Main writes keep the stored status; status writes keep the stored spec (generic status strategy). */
function keepStatus(o: KubeObject, old: KubeObject): void {
  if (old.status === undefined) delete o.status;
  else o.status = structuredClone(old.status);
}

function statusOnly(o: KubeObject, old: KubeObject): KubeObject {
  const next = { ...o } as KubeObject;
  if (old.spec === undefined) delete next.spec;
  else next.spec = structuredClone(old.spec);
  return next;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

function validateDataMap(o: KubeObject, field: string, base64: boolean, out: StatusCause[]): void {
  const m = o[field];
  if (m === undefined || m === null) return;
  if (!isObject(m)) return void out.push(invalidValue(field, m, 'must be a map'));
  for (const [k, v] of Object.entries(m)) {
    if (!CONFIG_KEY.test(k) || k.length > 253)
      out.push(
        invalidValue(
          `${field}[${k}]`,
          k,
          "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
        ),
      );
    if (typeof v !== 'string') out.push(invalidValue(`${field}[${k}]`, v, 'must be a string'));
    else if (base64 && (v.length % 4 !== 0 || !BASE64.test(v)))
      out.push(invalidValue(`${field}[${k}]`, '<secret contents redacted>', 'illegal base64 data'));
  }
}

function immutableData(o: KubeObject, old: KubeObject, fields: string[]): StatusCause[] {
  if (old.immutable !== true) return [];
  const out: StatusCause[] = [];
  if (o.immutable !== true)
    out.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const f of fields)
    if (!deepEqual(o[f], old[f]))
      out.push(forbidden(f, 'field is immutable when `immutable` is set'));
  return out;
}

function containerErrors(podSpec: Json | undefined, path: string, out: StatusCause[]): void {
  if (!isObject(podSpec)) return void out.push(required(path));
  const cs = podSpec.containers;
  if (!Array.isArray(cs) || cs.length === 0) return void out.push(required(`${path}.containers`));
  const names = new Set<string>();
  cs.forEach((c, i) => {
    const f = `${path}.containers[${i}]`;
    if (!isObject(c)) return void out.push(invalidValue(f, c, 'must be an object'));
    if (typeof c.name !== 'string' || c.name === '') out.push(required(`${f}.name`));
    else {
      for (const e of dns1123LabelErrors(c.name)) out.push(invalidValue(`${f}.name`, c.name, e));
      if (names.has(c.name)) out.push(duplicate(`${f}.name`, c.name));
      names.add(c.name);
    }
    if (typeof c.image !== 'string' || c.image.trim() === '') out.push(required(`${f}.image`));
  });
}

function podSpecDefaults(ps: JsonObject): void {
  ps.restartPolicy ??= 'Always';
  ps.dnsPolicy ??= 'ClusterFirst';
  ps.schedulerName ??= 'default-scheduler';
  ps.terminationGracePeriodSeconds ??= 30;
  ps.securityContext ??= {};
  for (const c of Array.isArray(ps.containers) ? ps.containers : []) {
    if (!isObject(c)) continue;
    const image = str(c.image);
    const tagged = /:[^/]+$/.test(image) && !image.endsWith(':latest');
    c.imagePullPolicy ??= tagged || image.includes('@') ? 'IfNotPresent' : 'Always';
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    c.resources ??= {};
    for (const p of Array.isArray(c.ports) ? c.ports : []) if (isObject(p)) p.protocol ??= 'TCP';
  }
}

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

function workloadStrategy(kind: 'Deployment' | 'DaemonSet'): Strategy {
  return {
    hasGeneration: true,
    allowUnconditionalUpdate: true,
    prepareForCreate(o) {
      o.status = {};
      const spec = obj(o, 'spec');
      if (kind === 'Deployment') {
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
      spec.revisionHistoryLimit ??= 10;
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
      if (kind === 'Deployment' && (typeof spec.replicas !== 'number' || spec.replicas < 0))
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

function rbacRoleStrategy(): Strategy {
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

function bindingStrategy(clusterScoped: boolean): Strategy {
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

function endpointSliceStrategy(): Strategy {
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

function webhookConfigStrategy(): Strategy {
  return {
    allowUnconditionalUpdate: true,
    prepareForCreate(o, ctx) {
      ctx.warnings.push('admission webhooks are stored but not called by this test API server');
      for (const w of Array.isArray(o.webhooks) ? o.webhooks : []) {
        if (!isObject(w)) continue;
        w.failurePolicy ??= 'Fail';
        w.matchPolicy ??= 'Equivalent';
        w.namespaceSelector ??= {};
        w.objectSelector ??= {};
        w.timeoutSeconds ??= 10;
      }
    },
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
      });
      return out;
    },
  };
}

export interface BuiltinOptions {
  net: ServiceNetwork;
}

type Def = Omit<
  ResourceType,
  | 'storageKey'
  | 'storageVersion'
  | 'listKind'
  | 'singular'
  | 'verbs'
  | 'shortNames'
  | 'categories'
  | 'extraSubresources'
> &
  Partial<
    Pick<
      ResourceType,
      'storageKey' | 'storageVersion' | 'shortNames' | 'categories' | 'extraSubresources'
    >
  >;

function def(d: Def): ResourceType {
  return {
    listKind: `${d.kind}List`,
    singular: d.kind.toLowerCase(),
    verbs: ALL_VERBS,
    shortNames: [],
    categories: [],
    extraSubresources: [],
    storageKey: `${d.group}/${d.resource}`,
    storageVersion: d.version,
    ...d,
  };
}

export function builtinTypes(opts: BuiltinOptions): ResourceType[] {
  const namespaceStrategy: Strategy = {
    nameRule: 'label',
    allowUnconditionalUpdate: true,
    prepareForCreate(o) {
      const meta = o.metadata;
      const labels = isObject(meta.labels) ? meta.labels : {};
      // Since 1.21 every namespace carries its name as an immutable label.
      if (typeof meta.name === 'string') labels['kubernetes.io/metadata.name'] = meta.name;
      meta.labels = labels;
      o.spec = { finalizers: ['kubernetes'] };
      o.status = { phase: 'Active' };
    },
    prepareForUpdate(o, old) {
      const labels = isObject(o.metadata.labels) ? o.metadata.labels : {};
      if (typeof o.metadata.name === 'string')
        labels['kubernetes.io/metadata.name'] = o.metadata.name;
      o.metadata.labels = labels;
      o.spec = structuredClone(old.spec ?? {});
      keepStatus(o, old);
    },
    prepareForStatusUpdate: statusOnly,
    selectableFields: (o) => ({
      'status.phase': str(isObject(o.status) ? o.status.phase : undefined),
    }),
  };
  const nodeStrategy: Strategy = {
    allowUnconditionalUpdate: true,
    // Nodes may set status on create (the kubelet registers with it).
    prepareForUpdate: keepStatus,
    validateUpdate(o, old) {
      const ps = isObject(old.spec) ? old.spec.podCIDR : undefined;
      const ns = isObject(o.spec) ? o.spec.podCIDR : undefined;
      return ps !== undefined && ps !== '' && ps !== ns
        ? [
            invalidValue(
              'spec.podCIDR',
              ns ?? '',
              'node updates may not change podCIDR except from "" to valid',
            ),
          ]
        : [];
    },
    prepareForStatusUpdate: statusOnly,
    selectableFields: (o) => ({
      'spec.unschedulable': String(isObject(o.spec) && o.spec.unschedulable === true),
    }),
  };
  const podStrategy: Strategy = {
    allowUnconditionalUpdate: true,
    hasGeneration: true,
    prepareForCreate(o) {
      podSpecDefaults(obj(o, 'spec'));
      const spec = obj(o, 'spec');
      spec.serviceAccountName ??= 'default';
      spec.enableServiceLinks ??= true;
      spec.priority ??= 0;
      o.status = { phase: 'Pending', qosClass: 'BestEffort' };
    },
    validate(o) {
      const out: StatusCause[] = [];
      containerErrors(o.spec, 'spec', out);
      const rp = obj(o, 'spec').restartPolicy;
      if (!['Always', 'OnFailure', 'Never'].includes(str(rp)))
        out.push(notSupported('spec.restartPolicy', rp ?? '', ['Always', 'OnFailure', 'Never']));
      return out;
    },
    prepareForUpdate: keepStatus,
    validateUpdate(o, old) {
      // ValidatePodUpdate: only images, activeDeadlineSeconds, tolerations (additions) may change.
      const strip = (s: Json | undefined): Json => {
        if (!isObject(s)) return {};
        const c = structuredClone(s);
        for (const list of ['containers', 'initContainers'])
          for (const x of Array.isArray(c[list]) ? (c[list] as Json[]) : [])
            if (isObject(x)) delete x.image;
        delete c.activeDeadlineSeconds;
        delete c.tolerations;
        delete c.terminationGracePeriodSeconds;
        return c;
      };
      if (!deepEqual(strip(o.spec), strip(old.spec)))
        return [
          forbidden(
            'spec',
            'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
          ),
        ];
      return [];
    },
    prepareForStatusUpdate(o, old) {
      const next = statusOnly(o, old);
      next.metadata = {
        ...next.metadata,
        ownerReferences: structuredClone(old.metadata.ownerReferences ?? null),
      } as KubeObject['metadata'];
      if (next.metadata.ownerReferences === null) delete next.metadata.ownerReferences;
      return next;
    },
    selectableFields(o) {
      const spec = isObject(o.spec) ? o.spec : {};
      const st = isObject(o.status) ? o.status : {};
      return {
        'spec.nodeName': str(spec.nodeName),
        'spec.restartPolicy': str(spec.restartPolicy),
        'spec.schedulerName': str(spec.schedulerName),
        'spec.serviceAccountName': str(spec.serviceAccountName),
        'spec.hostNetwork': String(spec.hostNetwork === true),
        'status.phase': str(st.phase),
        'status.podIP': str(st.podIP),
        'status.nominatedNodeName': str(st.nominatedNodeName),
      };
    },
  };
  const secretStrategy: Strategy = {
    allowUnconditionalUpdate: true,
    prepareForCreate(o) {
      o.type ??= 'Opaque';
      foldStringData(o);
    },
    validate(o) {
      const out: StatusCause[] = [];
      validateDataMap(o, 'data', true, out);
      const data = isObject(o.data) ? o.data : {};
      if (o.type === 'kubernetes.io/tls') {
        for (const k of ['tls.crt', 'tls.key'])
          if (data[k] === undefined) out.push(required(`data[${k}]`));
      }
      if (
        o.type === 'kubernetes.io/basic-auth' &&
        data.username === undefined &&
        data.password === undefined
      )
        out.push(required('data[username]', 'one of username or password is required'));
      return out;
    },
    prepareForUpdate(o) {
      foldStringData(o);
    },
    validateUpdate(o, old) {
      const out =
        secretStrategy.validate?.(o, { warnings: [], fieldValidation: 'Warn', dryRun: false }) ??
        [];
      if ((o.type ?? 'Opaque') !== old.type) out.push(immutable('type', o.type ?? null));
      out.push(...immutableData(o, old, ['data']));
      return out;
    },
    selectableFields: (o) => ({ type: str(o.type) }),
  };
  const configMapStrategy: Strategy = {
    allowUnconditionalUpdate: true,
    validate(o) {
      const out: StatusCause[] = [];
      validateDataMap(o, 'data', false, out);
      validateDataMap(o, 'binaryData', true, out);
      return out;
    },
    validateUpdate(o, old) {
      const out =
        configMapStrategy.validate?.(o, { warnings: [], fieldValidation: 'Warn', dryRun: false }) ??
        [];
      out.push(...immutableData(o, old, ['data', 'binaryData']));
      return out;
    },
  };
  const eventStrategy: Strategy = {
    nameRule: 'path',
    allowUnconditionalUpdate: true,
    validate(o) {
      const out: StatusCause[] = [];
      const inv = isObject(o.involvedObject) ? o.involvedObject : undefined;
      if (inv && str(inv.namespace) !== '' && inv.namespace !== o.metadata.namespace)
        out.push(
          invalidValue(
            'involvedObject.namespace',
            inv.namespace ?? '',
            'does not match event.namespace',
          ),
        );
      if (
        o.type !== undefined &&
        !['Normal', 'Warning'].includes(str(o.type)) &&
        str(o.reportingComponent) !== ''
      )
        out.push(notSupported('type', o.type, ['Normal', 'Warning']));
      return out;
    },
    selectableFields(o) {
      const inv = isObject(o.involvedObject) ? o.involvedObject : {};
      const src = isObject(o.source) ? o.source : {};
      const f: Record<string, string> = {
        reason: str(o.reason),
        reportingComponent: str(o.reportingComponent),
        source: str(src.component),
        type: str(o.type),
      };
      for (const k of [
        'kind',
        'namespace',
        'name',
        'uid',
        'apiVersion',
        'resourceVersion',
        'fieldPath',
      ])
        f[`involvedObject.${k}`] = str(inv[k]);
      return f;
    },
  };
  const leaseStrategy: Strategy = {
    allowUnconditionalUpdate: true,
    validate(o) {
      const spec = isObject(o.spec) ? o.spec : {};
      const d = spec.leaseDurationSeconds;
      return d !== undefined && d !== null && (typeof d !== 'number' || d <= 0)
        ? [invalidValue('spec.leaseDurationSeconds', d, 'must be greater than 0')]
        : [];
    },
  };
  const plain: Strategy = { allowUnconditionalUpdate: true };
  const none = (o: KubeObject) => void o;
  void none;
  const crdPlaceholder: Strategy = {}; // replaced by the CRD registry (crd.ts)
  return [
    def({
      group: '',
      version: 'v1',
      resource: 'namespaces',
      kind: 'Namespace',
      namespaced: false,
      hasStatus: true,
      shortNames: ['ns'],

      strategy: namespaceStrategy,
    }),
    def({
      group: '',
      version: 'v1',
      resource: 'nodes',
      kind: 'Node',
      namespaced: false,
      hasStatus: true,
      shortNames: ['no'],
      strategy: nodeStrategy,
    }),
    def({
      group: '',
      version: 'v1',
      resource: 'services',
      kind: 'Service',
      namespaced: true,
      hasStatus: true,
      shortNames: ['svc'],
      categories: ['all'],
      strategy: serviceStrategy(opts.net),
    }),
    def({
      group: '',
      version: 'v1',
      resource: 'pods',
      kind: 'Pod',
      namespaced: true,
      hasStatus: true,
      shortNames: ['po'],
      categories: ['all'],
      strategy: podStrategy,
    }),
    def({
      group: '',
      version: 'v1',
      resource: 'secrets',
      kind: 'Secret',
      namespaced: true,
      hasStatus: false,
      strategy: secretStrategy,
    }),
    def({
      group: '',
      version: 'v1',
      resource: 'configmaps',
      kind: 'ConfigMap',
      namespaced: true,
      hasStatus: false,
      shortNames: ['cm'],
      strategy: configMapStrategy,
    }),
    def({
      group: '',
      version: 'v1',
      resource: 'serviceaccounts',
      kind: 'ServiceAccount',
      namespaced: true,
      hasStatus: false,
      shortNames: ['sa'],
      strategy: plain,
    }),
    def({
      group: '',
      version: 'v1',
      resource: 'events',
      kind: 'Event',
      namespaced: true,
      hasStatus: false,
      shortNames: ['ev'],
      strategy: eventStrategy,
    }),
    def({
      group: 'events.k8s.io',
      version: 'v1',
      resource: 'events',
      kind: 'Event',
      namespaced: true,
      hasStatus: false,
      shortNames: ['ev'],
      storageKey: '/events',
      storageVersion: 'v1',
      strategy: {
        ...eventStrategy,
        validate: (o) => validateEventsV1(o),
        selectableFields: eventStrategy.selectableFields,
      },
      fromStorage: eventsV1FromCore,
      toStorage: eventsV1ToCore,
    }),
    def({
      group: 'coordination.k8s.io',
      version: 'v1',
      resource: 'leases',
      kind: 'Lease',
      namespaced: true,
      hasStatus: false,
      strategy: leaseStrategy,
    }),
    def({
      group: 'discovery.k8s.io',
      version: 'v1',
      resource: 'endpointslices',
      kind: 'EndpointSlice',
      namespaced: true,
      hasStatus: false,
      strategy: endpointSliceStrategy(),
    }),
    def({
      group: 'apps',
      version: 'v1',
      resource: 'deployments',
      kind: 'Deployment',
      namespaced: true,
      hasStatus: true,
      shortNames: ['deploy'],
      categories: ['all'],
      strategy: workloadStrategy('Deployment'),
    }),
    def({
      group: 'apps',
      version: 'v1',
      resource: 'daemonsets',
      kind: 'DaemonSet',
      namespaced: true,
      hasStatus: true,
      shortNames: ['ds'],
      categories: ['all'],
      strategy: workloadStrategy('DaemonSet'),
    }),
    def({
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      resource: 'roles',
      kind: 'Role',
      namespaced: true,
      hasStatus: false,
      strategy: rbacRoleStrategy(),
    }),
    def({
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      resource: 'clusterroles',
      kind: 'ClusterRole',
      namespaced: false,
      hasStatus: false,
      strategy: rbacRoleStrategy(),
    }),
    def({
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      resource: 'rolebindings',
      kind: 'RoleBinding',
      namespaced: true,
      hasStatus: false,
      strategy: bindingStrategy(false),
    }),
    def({
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      resource: 'clusterrolebindings',
      kind: 'ClusterRoleBinding',
      namespaced: false,
      hasStatus: false,
      strategy: bindingStrategy(true),
    }),
    def({
      group: 'admissionregistration.k8s.io',
      version: 'v1',
      resource: 'validatingwebhookconfigurations',
      kind: 'ValidatingWebhookConfiguration',
      namespaced: false,
      hasStatus: false,
      categories: ['api-extensions'],
      strategy: webhookConfigStrategy(),
    }),
    def({
      group: 'admissionregistration.k8s.io',
      version: 'v1',
      resource: 'mutatingwebhookconfigurations',
      kind: 'MutatingWebhookConfiguration',
      namespaced: false,
      hasStatus: false,
      categories: ['api-extensions'],
      strategy: webhookConfigStrategy(),
    }),
    def({
      group: 'apiextensions.k8s.io',
      version: 'v1',
      resource: 'customresourcedefinitions',
      kind: 'CustomResourceDefinition',
      namespaced: false,
      hasStatus: true,
      shortNames: ['crd', 'crds'],
      categories: ['api-extensions'],
      strategy: crdPlaceholder,
    }),
  ];
}

/** Secrets: stringData is write-only and folded into data (base64) on every write. */
function foldStringData(o: KubeObject): void {
  if (!isObject(o.stringData)) {
    delete o.stringData;
    return;
  }
  const data = isObject(o.data) ? o.data : {};
  for (const [k, v] of Object.entries(o.stringData))
    data[k] = Buffer.from(String(v), 'utf8').toString('base64');
  o.data = data;
  delete o.stringData;
}

export { validateLabels };
