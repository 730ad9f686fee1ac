// The objects the controller keeps besides Services: IPAddressPool status counters
// (pool_status_controller.go), the ConfigurationState `controller` (configuration_state_controller.go),
// the memberlist Secret (internal/k8s/k8s.go CreateMlSecret) and the warning about a pre-0.13
// ConfigMap. Pure builders and comparisons; the harness writes.
import type { PoolCounters } from '@ironlb/ipam';
import type { ConfigMapObject, ObjectMeta, SecretObject } from '../api/meta.js';
import type { ConfigurationStateStatus, IPAddressPoolStatus } from '../api/types.generated.js';
import type { EventSpec } from './outcome.js';
import { ConditionReason, type ConditionSpec } from './config-handler.js';

// ---------------------------------------------------------------- IPAddressPool status

const INT64_MAX = (1n << 63n) - 1n;

/**
 * IPAddressPool.status from the allocator's exact counters. The CRD fields are int64: a /64 has
 * 2^64 addresses, so values saturate at 2^63-1 (MetalLB saturates per CIDR and then overflows
 * when summing, PR #3140). Values are bigints; serialize with poolStatusJson().
 */
export function poolStatusFor(
  c: PoolCounters,
): Record<keyof Required<IPAddressPoolStatus>, bigint> {
  const sat = (v: bigint) => (v > INT64_MAX ? INT64_MAX : v < 0n ? 0n : v);
  return {
    assignedIPv4: sat(c.assignedIPv4),
    assignedIPv6: sat(c.assignedIPv6),
    availableIPv4: sat(c.availableIPv4),
    availableIPv6: sat(c.availableIPv6),
  };
}

/** Does the stored status (parsed from JSON: numbers) already show these counters? */
export function poolStatusEquals(
  stored: IPAddressPoolStatus | undefined,
  want: Record<keyof Required<IPAddressPoolStatus>, bigint>,
): boolean {
  const s = stored ?? {};
  return (Object.keys(want) as (keyof IPAddressPoolStatus)[]).every((k) => {
    const v = s[k];
    // JSON numbers past 2^53 lose precision on the way in; compare as the API returned them.
    return typeof v === 'number' && Number(want[k]) === v;
  });
}

interface RawJson {
  rawJSON(text: string): unknown;
}

/** JSON text of an object whose bigint fields are written as exact integers. */
export function jsonWithBigInts(value: unknown): string {
  const raw = JSON as unknown as RawJson;
  return JSON.stringify(value, (_k, v: unknown) =>
    typeof v === 'bigint' ? raw.rawJSON(v.toString()) : v,
  );
}

// ---------------------------------------------------------------- ConfigurationState

/** MetalLB's name and labels for the controller's ConfigurationState. */
export const CONFIGURATION_STATE_NAME = 'controller';
export const CONFIGURATION_STATE_LABELS: Readonly<Record<string, string>> = {
  'metallb.io/component-type': 'controller',
};

/**
 * The status ConfigurationStateReconciler derives from the conditions: Invalid when any condition
 * is False with reason ConfigurationError (errorSummary = their messages), Valid when there are
 * conditions, Unknown when none. `previous` keeps lastTransitionTime for conditions that did not
 * change (MetalLB stamps every reconcile, rewriting the object each time).
 */
export function configurationStateStatus(
  conditions: readonly ConditionSpec[],
  previous: ConfigurationStateStatus | undefined,
  nowRfc3339: string,
): ConfigurationStateStatus {
  const prev = new Map((previous?.conditions ?? []).map((c) => [c.type, c]));
  const out = conditions.map((c) => {
    const p = prev.get(c.type);
    const same = p && p.status === c.status && p.reason === c.reason && p.message === c.message;
    return {
      type: c.type,
      status: c.status,
      reason: c.reason,
      message: c.message,
      lastTransitionTime: same && p ? p.lastTransitionTime : nowRfc3339,
    };
  });
  const errors = out.filter(
    (c) => c.status === 'False' && c.reason === ConditionReason.Configuration,
  );
  return {
    result: errors.length > 0 ? 'Invalid' : out.length > 0 ? 'Valid' : 'Unknown',
    errorSummary: errors.map((c) => c.message).join('\n'),
    conditions: out,
  };
}

/** Do two ConfigurationState statuses say the same (ignoring field order)? */
export function configurationStateEquals(
  a: ConfigurationStateStatus | undefined,
  b: ConfigurationStateStatus,
): boolean {
  if (!a) return false;
  const norm = (s: ConfigurationStateStatus) =>
    JSON.stringify({
      result: s.result ?? '',
      errorSummary: s.errorSummary ?? '',
      conditions: (s.conditions ?? []).map((c) => [
        c.type,
        c.status,
        c.reason,
        c.message,
        c.lastTransitionTime,
      ]),
    });
  return norm(a) === norm(b);
}

/** RFC 3339 with seconds (metav1.Time). */
export function rfc3339(epochMs: number): string {
  return `${new Date(Math.floor(epochMs / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

// ---------------------------------------------------------------- memberlist Secret

/** The key MetalLB's speakers read (METALLB_ML_SECRET_KEY_PATH/secretkey). */
export const MEMBERLIST_SECRET_KEY = 'secretkey';

export interface OwnerRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
}

/**
 * The memberlist Secret MetalLB's controller creates when missing: 16 random bytes, base64 without
 * padding (the text speakers read from the file), under key `secretkey`, owned by the controller's
 * Deployment so that uninstalling removes it.
 */
export function memberlistSecret(
  name: string,
  namespace: string,
  randomBytes: Uint8Array,
  owner: OwnerRef | undefined,
): SecretObject & { metadata: ObjectMeta & { ownerReferences?: OwnerRef[] } } {
  const key = Buffer.from(randomBytes).toString('base64').replace(/=+$/, '');
  return {
    metadata: {
      name,
      namespace,
      ...(owner ? { ownerReferences: [{ ...owner }] } : {}),
    },
    type: 'Opaque',
    data: { [MEMBERLIST_SECRET_KEY]: Buffer.from(key, 'utf8').toString('base64') },
  };
}

// ---------------------------------------------------------------- legacy ConfigMap

/** Names MetalLB ≤ 0.12 read its configuration from (manifests: `config`; Helm: `metallb-config`). */
export const LEGACY_CONFIGMAP_NAMES: readonly string[] = ['config', 'metallb-config'];
export const LEGACY_CONFIGMAP_REASON = 'LegacyConfigMap';

/**
 * A Warning event on a pre-0.13 MetalLB ConfigMap (key `config` with `address-pools:` or
 * `peers:`), which IronLB does not read: it points to the converter.
 */
export function legacyConfigMapEvent(
  cm: ConfigMapObject,
  namespace: string,
): EventSpec | undefined {
  const name = cm.metadata.name ?? '';
  if (!LEGACY_CONFIGMAP_NAMES.includes(name)) return undefined;
  if ((cm.metadata.namespace ?? namespace) !== namespace) return undefined;
  const text = cm.data?.config;
  if (typeof text !== 'string' || !/(^|\n)\s*(address-pools|peers)\s*:/.test(text))
    return undefined;
  return {
    object: {
      kind: 'ConfigMap',
      apiVersion: 'v1',
      namespace,
      name,
      ...(cm.metadata.uid ? { uid: cm.metadata.uid } : {}),
    },
    type: 'Warning',
    reason: LEGACY_CONFIGMAP_REASON,
    message:
      `ConfigMap ${namespace}/${name} holds a MetalLB configuration in the pre-0.13 format, which is ` +
      'not read any more: convert it to custom resources with ironlb-convert-configmap ' +
      `(kubectl get configmap -n ${namespace} ${name} -o yaml | npx ironlb-convert-configmap | kubectl apply -f -)`,
  };
}
