// Strategies of the core/v1 kinds and Lease (pkg/registry/core/<kind>/strategy.go): defaults,
// validation essentials, status handling and selectable fields.
import {
  forbidden,
  immutable,
  invalidValue,
  notSupported,
  required,
  type StatusCause,
} from '../errors.ts';
import { isObject, type Json } from '../schema/structural.ts';
import { deepEqual } from '../schema/validate.ts';
import {
  containerErrors,
  immutableData,
  keepStatus,
  obj,
  podSpecDefaults,
  statusOnly,
  str,
  validateDataMap,
} from './strategy-helpers.ts';
import type { KubeObject, Strategy } from './types.ts';

export function coreStrategies() {
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
  return {
    namespaceStrategy,
    nodeStrategy,
    podStrategy,
    secretStrategy,
    configMapStrategy,
    eventStrategy,
    leaseStrategy,
  };
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
