// @ironlb/lab: a virtual bare-metal cluster in network namespaces (issue 18).
export { LabError } from './errors.ts';
export type { LabErrorCode } from './errors.ts';
export {
  DEFAULT_SCENARIO,
  SCENARIOS,
  hostByName,
  hosts,
  namespaceName,
  nodeByName,
  parseScenario,
  planLab,
  podAddresses,
  resolveScenario,
} from './plan.ts';
export type { HostPlan, LabPlan, NodePlan, Scenario } from './plan.ts';
export {
  control,
  curlArgv,
  downLab,
  inHost,
  kubectl,
  kubectlArgv,
  labInfo,
  stateDirOf,
  upLab,
} from './lab.ts';
export type { LabInfo, UpOptions } from './lab.ts';
