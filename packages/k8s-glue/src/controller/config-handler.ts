// The controller's configuration handler: MetalLB's PoolReconciler (internal/k8s/controllers/
// pool_controller.go) + SetPools (controller/main.go). The controller reads only IPAddressPools,
// Communities and Namespaces (for serviceAllocation.namespaceSelectors). An invalid configuration
// never replaces the last valid one: the allocator keeps running on it, config_stale says so,
// ConfigurationState carries the reason, and an event on each offending object says what is wrong.
import { IpamError, type Allocator } from '@ironlb/ipam';
import type { Community, IPAddressPool } from '../api/types.generated.js';
import type { NamespaceObject } from '../api/meta.js';
import { toIpamPools } from '../config/ipam.js';
import { parseConfig } from '../config/parse.js';
import type { ConfigProblem, DomainConfig, PoolConfig } from '../config/types.js';
import { SyncState, type EventSpec } from './outcome.js';
import type { ControllerState } from './service-handler.js';

/** ConfigurationState condition (metav1.Condition without the time). */
export interface ConditionSpec {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
}

/** MetalLB's condition types and reasons (internal/k8s/controllers/values.go). Append-only. */
export const ConditionType = {
  ConfigReconcilerValid: 'configReconcilerValid',
  PoolReconcilerValid: 'poolReconcilerValid',
} as const;

export const ConditionReason = {
  Configuration: 'ConfigurationError',
  Infra: 'InfraError',
  None: 'Reconciled',
  Unknown: 'UnknownError',
} as const;

/** Event reason on an object that makes the configuration invalid (IronLB's; MetalLB only logs). */
export const INVALID_CONFIGURATION_REASON = 'InvalidConfiguration';

export interface ConfigInputs {
  readonly pools: readonly IPAddressPool[];
  readonly communities: readonly Community[];
  readonly namespaces: readonly NamespaceObject[];
}

export interface ConfigOutcome {
  readonly sync: SyncState;
  /** The poolReconcilerValid condition to report in ConfigurationState. */
  readonly condition: ConditionSpec;
  /** metallb_k8s_client_config_stale_bool. */
  readonly stale: boolean;
  /** The configuration was (re)loaded by this call. */
  readonly reloaded: boolean;
  readonly problems: readonly ConfigProblem[];
  readonly events: readonly EventSpec[];
}

// What of the configuration the allocator depends on: pools with their addresses, flags and
// pinning (namespaces resolved, service selectors). Advertisements do not matter here.
function allocationView(pools: readonly PoolConfig[]): string {
  return JSON.stringify(
    pools.map((p) => [
      p.name,
      p.blocks.map((b) => b.source),
      p.autoAssign,
      p.avoidBuggyIPs,
      p.serviceAllocation ?? null,
    ]),
  );
}

function problemEvents(problems: readonly ConfigProblem[]): EventSpec[] {
  return problems
    .filter((p) => p.object.name !== '' && p.object.kind !== 'Namespace')
    .map((p) => ({
      object: {
        kind: p.object.kind,
        apiVersion:
          p.object.kind === 'ConfigMap' || p.object.kind === 'Secret' ? 'v1' : 'metallb.io/v1beta1',
        namespace: p.object.namespace,
        name: p.object.name,
      },
      type: 'Warning' as const,
      reason: INVALID_CONFIGURATION_REASON,
      message: p.path ? `${p.path}: ${p.message}` : p.message,
    }));
}

/**
 * Parses the pools, and when they are valid and differ from the current ones, hands them to the
 * allocator and asks for every Service to be reprocessed. `namespace` is IronLB's namespace.
 */
export function handleConfig(
  state: ControllerState,
  inputs: ConfigInputs,
  namespace: string,
): ConfigOutcome {
  const parsed = parseConfig(
    { pools: inputs.pools, communities: inputs.communities, namespaces: inputs.namespaces },
    { namespace },
  );
  if (!parsed.ok) {
    const transientOnly = parsed.problems.every((p) => p.transient);
    return {
      // A missing referenced object may appear by itself: retry with backoff. Anything else
      // waits for the user to change something (MetalLB does not retry parse errors at all).
      sync: transientOnly ? SyncState.Error : SyncState.ErrorNoRetry,
      condition: {
        type: ConditionType.PoolReconcilerValid,
        status: 'False',
        reason: ConditionReason.Configuration,
        message: `configuration error: ${parsed.problems.map((p) => p.message).join('; ')}`,
      },
      stale: true,
      reloaded: false,
      problems: parsed.problems,
      events: problemEvents(parsed.problems),
    };
  }
  const valid: ConditionSpec = {
    type: ConditionType.PoolReconcilerValid,
    status: 'True',
    reason: ConditionReason.None,
    message: '',
  };
  const current = state.config;
  if (current && allocationView(current.pools) === allocationView(parsed.config.pools)) {
    state.config = parsed.config;
    return {
      sync: SyncState.Success,
      condition: valid,
      stale: false,
      reloaded: false,
      problems: [],
      events: [],
    };
  }
  try {
    setPools(state.allocator, parsed.config);
  } catch (e) {
    // parseConfig and ipam validate the same syntax; a disagreement is a bug, reported as such.
    const message =
      e instanceof IpamError ? e.issues.map((i) => i.message).join('; ') || e.message : String(e);
    return {
      sync: SyncState.ErrorNoRetry,
      condition: {
        type: ConditionType.PoolReconcilerValid,
        status: 'False',
        reason: ConditionReason.Configuration,
        message: `configuration error: general handler sync state error: ${message}`,
      },
      stale: true,
      reloaded: false,
      problems: [],
      events: [],
    };
  }
  state.config = parsed.config;
  return {
    sync: SyncState.ReprocessAll,
    condition: valid,
    stale: false,
    reloaded: true,
    problems: [],
    events: [],
  };
}

function setPools(alloc: Allocator, config: DomainConfig): void {
  alloc.setPools(toIpamPools(config));
}
