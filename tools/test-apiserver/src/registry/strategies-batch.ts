// batch/v1 Job, stored, not run (no job controller: whoever plays the controller writes
// /status). Defaults of SetDefaults_Job (pkg/apis/batch/v1/defaults.go), selector generation and
// status reset of the strategy (pkg/registry/batch/job/strategy.go), and the essentials of
// pkg/apis/batch/validation (ValidateJob, ValidateJobSpecUpdate, ValidateJobUpdateStatus with the
// JobManagedBy-era status rules a controller — or a test acting as one — must follow).
import { immutable, invalidValue, notSupported, required, type StatusCause } from '../errors.ts';
import { isObject, type Json, type JsonObject } from '../schema/structural.ts';
import { deepEqual } from '../schema/validate.ts';
import { LabelSelectorError, selectorMatches } from '../util/label-selector.ts';
import { containerErrors, keepStatus, obj, podSpecDefaults, str } from './strategy-helpers.ts';
import type { KubeObject, Strategy } from './types.ts';

// batch.LegacyJobNameLabel / JobNameLabel / LegacyControllerUidLabel / ControllerUidLabel.
const JOB_NAME = 'job-name';
const JOB_NAME_PREFIXED = 'batch.kubernetes.io/job-name';
const CONTROLLER_UID = 'controller-uid';
const CONTROLLER_UID_PREFIXED = 'batch.kubernetes.io/controller-uid';

/** math.MaxInt32: backoffLimit's default when backoffLimitPerIndex is set. */
const MAX_INT32 = 2_147_483_647;

const nonNegative = (v: Json | undefined): boolean =>
  v === undefined || v === null || (typeof v === 'number' && v >= 0);

/** A field.Invalid whose value is field.OmitValueType{} (printed without a value). */
function invalidNoValue(field: string, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', message: `Invalid value: ${detail}`, field };
}

function template(o: KubeObject): JsonObject {
  const spec = obj(o, 'spec');
  if (!isObject(spec.template)) spec.template = {};
  return spec.template as JsonObject;
}

function templateLabels(o: KubeObject): JsonObject | undefined {
  const t = template(o);
  return isObject(t.metadata) && isObject(t.metadata.labels) ? t.metadata.labels : undefined;
}

/** SetDefaults_Job (and the pod template's SetDefaults_PodSpec), run on every decode. */
function defaultJob(o: KubeObject): void {
  const spec = obj(o, 'spec');
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex !== undefined ? MAX_INT32 : 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  if (isObject(spec.podFailurePolicy))
    for (const rule of Array.isArray(spec.podFailurePolicy.rules)
      ? spec.podFailurePolicy.rules
      : [])
      if (isObject(rule) && Array.isArray(rule.onPodConditions))
        for (const p of rule.onPodConditions) if (isObject(p)) p.status ??= 'True';
  spec.podReplacementPolicy ??= isObject(spec.podFailurePolicy) ? 'Failed' : 'TerminatingOrFailed';
  // kubernetes#120206 (1.29): manualSelector is defaulted instead of nil-checked.
  spec.manualSelector ??= false;
  podSpecDefaults(obj(template(o) as KubeObject, 'spec'));
  copyTemplateLabels(o);
}

/** `labels := obj.Spec.Template.Labels; if labels != nil && len(obj.Labels) == 0 { ... }` */
function copyTemplateLabels(o: KubeObject): void {
  const tl = templateLabels(o);
  const own = o.metadata.labels;
  if (tl && (!isObject(own) || Object.keys(own).length === 0))
    o.metadata.labels = structuredClone(tl);
}

/** generateSelector: the job-name and controller-uid labels, and a selector on the uid. */
function generateSelector(o: KubeObject): void {
  const t = template(o);
  if (!isObject(t.metadata)) t.metadata = {};
  const meta = t.metadata as JsonObject;
  if (!isObject(meta.labels)) meta.labels = {};
  const labels = meta.labels as JsonObject;
  const name = o.metadata.name ?? '';
  const uid = str(o.metadata.uid);
  // Labels the user set are kept (a conflict is then refused by validation).
  labels[JOB_NAME] ??= name;
  labels[JOB_NAME_PREFIXED] ??= name;
  labels[CONTROLLER_UID] ??= uid;
  labels[CONTROLLER_UID_PREFIXED] ??= uid;
  const spec = obj(o, 'spec');
  if (!isObject(spec.selector)) spec.selector = {};
  const sel = spec.selector as JsonObject;
  if (!isObject(sel.matchLabels)) sel.matchLabels = {};
  (sel.matchLabels as JsonObject)[CONTROLLER_UID_PREFIXED] ??= uid;
}

function matches(sel: Json | undefined, labels: Json | undefined): boolean {
  try {
    return selectorMatches(sel, labels ?? {});
  } catch (e) {
    if (e instanceof LabelSelectorError) return false;
    throw e;
  }
}

/** validateGeneratedSelector (ValidateHasLabel per generated label, then the selector itself). */
function generatedSelectorErrors(o: KubeObject, prefixed: boolean, out: StatusCause[]): void {
  const spec = obj(o, 'spec');
  if (spec.manualSelector === true || !isObject(spec.selector)) return;
  const uid = str(o.metadata.uid);
  if (uid === '') out.push(required('metadata.uid'));
  const labels = templateLabels(o) ?? {};
  const expected: Record<string, string> = {
    [CONTROLLER_UID]: uid,
    [JOB_NAME]: o.metadata.name ?? '',
  };
  if (prefixed) {
    expected[CONTROLLER_UID_PREFIXED] = uid;
    expected[JOB_NAME_PREFIXED] = o.metadata.name ?? '';
  }
  for (const [key, want] of Object.entries(expected)) {
    const f = `spec.template.metadata.labels[${key}]`;
    if (labels[key] === undefined) out.push(required(f, want));
    else if (labels[key] !== want) out.push(invalidValue(f, labels, `must be '${want}'`));
  }
  if (!matches(spec.selector, expected))
    out.push(invalidValue('spec.selector', spec.selector, '`selector` not auto-generated'));
}

/** ValidateJobSpec: counters, completion mode, replacement policy, template, restart policy. */
function specErrors(o: KubeObject, out: StatusCause[]): void {
  const spec = obj(o, 'spec');
  for (const f of [
    'parallelism',
    'completions',
    'activeDeadlineSeconds',
    'backoffLimit',
    'ttlSecondsAfterFinished',
    'backoffLimitPerIndex',
    'maxFailedIndexes',
  ])
    if (!nonNegative(spec[f]))
      out.push(invalidValue(`spec.${f}`, spec[f], 'must be greater than or equal to 0'));
  const mode = spec.completionMode;
  if (mode !== 'NonIndexed' && mode !== 'Indexed')
    out.push(notSupported('spec.completionMode', mode ?? '', ['NonIndexed', 'Indexed']));
  if (mode === 'Indexed' && (spec.completions === undefined || spec.completions === null))
    out.push(required('spec.completions', 'when completion mode is Indexed'));
  if (mode !== 'Indexed' && spec.backoffLimitPerIndex !== undefined)
    out.push(
      invalidValue(
        'spec.backoffLimitPerIndex',
        spec.backoffLimitPerIndex,
        'requires indexed completion mode',
      ),
    );
  // validatePodReplacementPolicy: only Failed goes with a podFailurePolicy.
  const rp = spec.podReplacementPolicy;
  if (isObject(spec.podFailurePolicy)) {
    if (rp !== 'Failed') out.push(notSupported('spec.podReplacementPolicy', rp ?? '', ['Failed']));
  } else if (rp !== 'Failed' && rp !== 'TerminatingOrFailed')
    out.push(
      notSupported('spec.podReplacementPolicy', rp ?? '', ['Failed', 'TerminatingOrFailed']),
    );
  if (!isObject(spec.selector)) out.push(required('spec.selector'));
  // LabelSelectorAsSelector(nil) is labels.Nothing(): no selector matches no template either.
  if (!isObject(spec.selector) || !matches(spec.selector, templateLabels(o)))
    out.push(
      invalidValue(
        'spec.template.metadata.labels',
        templateLabels(o) ?? null,
        '`selector` does not match template `labels`',
      ),
    );
  const ps = isObject(spec.template) ? spec.template.spec : undefined;
  containerErrors(ps, 'spec.template.spec', out);
  const restart = isObject(ps) ? ps.restartPolicy : undefined;
  // SetDefaults_PodSpec made a missing restartPolicy Always, so both read "Required".
  if (restart === 'Always' || restart === undefined || restart === '')
    out.push(required('spec.template.spec.restartPolicy', 'valid values: "OnFailure", "Never"'));
  else if (restart !== 'OnFailure' && restart !== 'Never')
    out.push(notSupported('spec.template.spec.restartPolicy', restart, ['OnFailure', 'Never']));
  else if (isObject(spec.podFailurePolicy) && restart !== 'Never')
    out.push(
      invalidValue(
        'spec.template.spec.restartPolicy',
        restart,
        'only "Never" is supported when podFailurePolicy is specified',
      ),
    );
}

function validateJob(o: KubeObject, prefixed: boolean): StatusCause[] {
  const out: StatusCause[] = [];
  generatedSelectorErrors(o, prefixed, out);
  specErrors(o, out);
  return out;
}

const conditionTrue = (o: KubeObject, type: string): boolean =>
  (Array.isArray(obj(o, 'status').conditions) ? (obj(o, 'status').conditions as Json[]) : []).some(
    (c) => isObject(c) && c.type === type && c.status === 'True',
  );

const num = (v: Json | undefined): number => (typeof v === 'number' ? v : 0);

/**
 * ValidateJobUpdateStatus with the options getStatusValidationOptions sets since JobManagedBy
 * (1.32 beta, on): a rule about a field applies when that field (or the finished state) changes.
 */
function statusErrors(o: KubeObject, old: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const st = obj(o, 'status');
  const ost = obj(old, 'status');
  const complete = conditionTrue(o, 'Complete');
  const failed = conditionTrue(o, 'Failed');
  const finished = complete || failed;
  const changed = (f: string) => !deepEqual(st[f], ost[f]);
  const completeChanged = complete !== conditionTrue(old, 'Complete');
  const failedChanged = failed !== conditionTrue(old, 'Failed');
  const finishedChanged =
    finished !== (conditionTrue(old, 'Complete') || conditionTrue(old, 'Failed'));
  if ((completeChanged || failedChanged) && complete && failed)
    out.push(
      invalidNoValue('status.conditions', 'cannot set Complete=True and Failed=true conditions'),
    );
  if (
    (completeChanged || changed('completionTime')) &&
    st.completionTime !== undefined &&
    !complete
  )
    out.push(
      invalidValue(
        'status.completionTime',
        st.completionTime,
        'cannot set completionTime when there is no Complete=True condition',
      ),
    );
  if (completeChanged && complete && st.completionTime === undefined)
    out.push(required('status.completionTime', 'completionTime is required for Complete jobs'));
  if (
    (changed('startTime') || changed('completionTime')) &&
    typeof st.startTime === 'string' &&
    typeof st.completionTime === 'string' &&
    Date.parse(st.completionTime) < Date.parse(st.startTime)
  )
    out.push(
      invalidValue(
        'status.completionTime',
        st.completionTime,
        'must be equal to or after `startTime`',
      ),
    );
  if (failedChanged && failed && !conditionTrue(o, 'FailureTarget'))
    out.push(
      invalidNoValue(
        'status.conditions',
        'cannot set Failed=True condition without the FailureTarget=true condition',
      ),
    );
  if (completeChanged && complete && !conditionTrue(o, 'SuccessCriteriaMet'))
    out.push(
      invalidNoValue(
        'status.conditions',
        'cannot set Complete=True condition without the SuccessCriteriaMet=true condition',
      ),
    );
  if ((finishedChanged || changed('active')) && finished && num(st.active) > 0)
    out.push(invalidValue('status.active', st.active, 'active>0 is invalid for finished job'));
  if ((finishedChanged || changed('startTime')) && finished && st.startTime === undefined)
    out.push(required('status.startTime', 'startTime is required for finished job'));
  for (const c of ['Failed', 'Complete', 'FailureTarget'])
    if (conditionTrue(old, c) && !conditionTrue(o, c))
      out.push(
        invalidNoValue('status.conditions', `cannot disable the terminal ${c}=True condition`),
      );
  if (conditionTrue(old, 'SuccessCriteriaMet') && !conditionTrue(o, 'SuccessCriteriaMet'))
    out.push(
      invalidNoValue('status.conditions', 'cannot disable the SuccessCriteriaMet=True condition'),
    );
  if (num(st.failed) < num(ost.failed))
    out.push(invalidValue('status.failed', num(st.failed), 'cannot decrease the failed counter'));
  const spec = obj(o, 'spec');
  const indexedScalable =
    spec.completionMode === 'Indexed' && deepEqual(spec.completions, spec.parallelism);
  if (!indexedScalable && num(st.succeeded) < num(ost.succeeded))
    out.push(
      invalidValue('status.succeeded', num(st.succeeded), 'cannot decrease the succeeded counter'),
    );
  if (
    st.completionTime !== undefined &&
    ost.completionTime !== undefined &&
    st.completionTime !== ost.completionTime
  )
    out.push(immutable('status.completionTime', st.completionTime));
  return out;
}

export function jobStrategy(): Strategy {
  return {
    hasGeneration: true,
    allowUnconditionalUpdate: true,
    // DefaultGarbageCollectionPolicy: OrphanDependents for batch/v1 "for back compatibility".
    defaultGcPolicy: 'orphan',
    prepareForCreate(o) {
      defaultJob(o);
      o.status = {};
    },
    generateOnCreate(o) {
      if (obj(o, 'spec').manualSelector !== true) generateSelector(o);
      // The stored object is decoded (and defaulted) again: a Job without labels of its own
      // shows the generated template labels, as on a real cluster.
      copyTemplateLabels(o);
    },
    validate: (o) => validateJob(o, true),
    prepareForUpdate(o, old) {
      keepStatus(o, old);
      defaultJob(o);
    },
    validateUpdate(o, old) {
      // Jobs stored before the batch.kubernetes.io/ labels existed are not held to them.
      const ol = templateLabels(old) ?? {};
      const out = validateJob(
        o,
        ol[JOB_NAME_PREFIXED] !== undefined && ol[CONTROLLER_UID_PREFIXED] !== undefined,
      );
      const spec = obj(o, 'spec');
      const os = obj(old, 'spec');
      if (!deepEqual(spec.selector, os.selector))
        out.push(immutable('spec.selector', spec.selector ?? null));
      // The template is immutable unless the Job is suspended (then only scheduling
      // directives of a never-started Job may change: not modelled, the template stays fixed).
      if (!deepEqual(spec.template, os.template))
        out.push(immutable('spec.template', spec.template ?? null));
      // Completions may change only for Indexed Jobs scaled with parallelism (elastic).
      const elastic =
        spec.completionMode === 'Indexed' && deepEqual(spec.completions, spec.parallelism);
      if (!elastic && !deepEqual(spec.completions, os.completions))
        out.push(immutable('spec.completions', spec.completions ?? null));
      for (const f of [
        'completionMode',
        'podFailurePolicy',
        'backoffLimitPerIndex',
        'managedBy',
        'successPolicy',
      ])
        if (!deepEqual(spec[f], os[f])) out.push(immutable(`spec.${f}`, spec[f] ?? null));
      return out;
    },
    prepareForStatusUpdate(o, old) {
      const next = { ...o } as KubeObject;
      next.spec = structuredClone(old.spec as Json);
      return next;
    },
    validateStatusUpdate: statusErrors,
  };
}
