// The speaker's configuration as MetalLB's ConfigReconciler keeps it: parsed as a whole from the
// cluster's resources; an invalid parse never replaces the last valid configuration (the speaker
// keeps announcing on it, config_stale says so, and ConfigurationState `speaker-<node>` carries
// the reason). Sessions the protocol libraries refuse (an option they do not implement) make the
// ConfigurationState Invalid too — never silently ignored.
import type { Logger } from '@ironlb/clock';
import {
  ConditionReason,
  ConditionType,
  type ConditionSpec,
} from '../controller/config-handler.js';
import { parseConfig } from '../config/parse.js';
import type { ClusterResources } from '../config/resources.js';
import type { DomainConfig } from '../config/types.js';
import type { SpeakerMetrics } from './speaker-metrics.js';
import type { BgpSessionProblem } from './speaker-ports.js';

export class SpeakerConfigTracker {
  /** The last valid configuration (undefined until one parsed). */
  config: DomainConfig | undefined;
  private condition: ConditionSpec | undefined;
  private problems: readonly BgpSessionProblem[] = [];
  parses = 0;

  constructor(
    private readonly deps: { readonly logger: Logger; readonly metrics: SpeakerMetrics },
    private readonly namespace: string,
  ) {}

  /** Parses `resources`; returns whether the ConfigurationState conditions changed. */
  reparse(resources: ClusterResources): boolean {
    this.parses++;
    const { logger, metrics } = this.deps;
    const res = parseConfig(resources, { namespace: this.namespace });
    if (res.ok) {
      const changed = JSON.stringify(res.config) !== JSON.stringify(this.config ?? null);
      this.config = res.config;
      metrics.configLoaded.set(undefined, 1);
      metrics.configStale.set(undefined, 0);
      if (changed)
        logger.info({ controller: 'ConfigReconciler', event: 'configLoaded' }, 'config reloaded');
      return this.setCondition({
        type: ConditionType.ConfigReconcilerValid,
        status: 'True',
        reason: ConditionReason.None,
        message: '',
      });
    }
    metrics.configStale.set(undefined, 1);
    metrics.updateErrors.inc();
    const message = res.problems.map((p) => p.message).join('\n');
    logger.error(
      { controller: 'ConfigReconciler', error: message },
      'failed to parse the configuration',
    );
    return this.setCondition({
      type: ConditionType.ConfigReconcilerValid,
      status: 'False',
      reason: ConditionReason.Configuration,
      message,
    });
  }

  /** Records the sessions the protocols refused; returns whether that changed anything. */
  setSessionProblems(problems: readonly BgpSessionProblem[]): boolean {
    if (JSON.stringify(problems) === JSON.stringify(this.problems)) return false;
    this.problems = problems;
    return true;
  }

  /** The ConfigurationState conditions: the parse, plus sessions the protocols refused. */
  conditions(): ConditionSpec[] {
    const c = this.condition;
    if (!c) return [];
    if (c.status !== 'True' || this.problems.length === 0) return [c];
    return [
      {
        type: ConditionType.ConfigReconcilerValid,
        status: 'False',
        reason: ConditionReason.Configuration,
        message: this.problems.map((p) => `BGPPeer ${p.name}: ${p.message}`).join('\n'),
      },
    ];
  }

  private setCondition(c: ConditionSpec): boolean {
    const prev = this.condition;
    this.condition = c;
    return !prev || prev.status !== c.status || prev.message !== c.message;
  }
}
