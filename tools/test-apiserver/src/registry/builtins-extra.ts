// Built-in kinds added for install manifests and the lab (issue 15): ReplicaSet,
// PodDisruptionBudget, NetworkPolicy, PriorityClass, Job (helm hooks). Stored with their real
// defaults and validation essentials, not run (no controllers).
import { def } from './builtins.ts';
import { jobStrategy } from './strategies-batch.ts';
import { workloadStrategy } from './strategies-other.ts';
import {
  networkPolicyStrategy,
  podDisruptionBudgetStrategy,
  priorityClassStrategy,
} from './strategies-policy.ts';
import type { ResourceType } from './types.ts';

export function extraBuiltinTypes(): ResourceType[] {
  return [
    def({
      group: 'apps',
      version: 'v1',
      resource: 'replicasets',
      kind: 'ReplicaSet',
      namespaced: true,
      hasStatus: true,
      shortNames: ['rs'],
      categories: ['all'],
      strategy: workloadStrategy('ReplicaSet'),
    }),
    def({
      group: 'batch',
      version: 'v1',
      resource: 'jobs',
      kind: 'Job',
      namespaced: true,
      hasStatus: true,
      categories: ['all'],
      strategy: jobStrategy(),
    }),
    def({
      group: 'policy',
      version: 'v1',
      resource: 'poddisruptionbudgets',
      kind: 'PodDisruptionBudget',
      namespaced: true,
      hasStatus: true,
      shortNames: ['pdb'],
      strategy: podDisruptionBudgetStrategy(),
    }),
    def({
      group: 'networking.k8s.io',
      version: 'v1',
      resource: 'networkpolicies',
      kind: 'NetworkPolicy',
      namespaced: true,
      hasStatus: false,
      shortNames: ['netpol'],
      strategy: networkPolicyStrategy(),
    }),
    def({
      group: 'scheduling.k8s.io',
      version: 'v1',
      resource: 'priorityclasses',
      kind: 'PriorityClass',
      namespaced: false,
      hasStatus: false,
      shortNames: ['pc'],
      strategy: priorityClassStrategy(),
    }),
  ];
}
