// @ironlb/k8s-glue/kube: everything that talks to an API server through @kubernetes/client-node's
// KubeConfig — the REST client, informers, the controller runtime, leader election, event
// recording, the operational HTTP endpoints. Kept apart from the package's main entry, which never
// loads client-node. Named re-exports only (DESIGN.md §3).
export { createKubeRest } from './rest.js';
export type {
  KubeAuth,
  KubeRequest,
  KubeRest,
  KubeRestOptions,
  WatchEvent,
  WatchHandle,
} from './rest.js';
export { loadKubeAuth } from './lean-config.js';
export { KubeApiError, isAlreadyExists, isConflict, isGone, isNotFound } from './errors.js';
export { loadKubeConfig, SERVICE_ACCOUNT_NAMESPACE } from './kubeconfig.js';
export type { LoadKubeConfigOptions } from './kubeconfig.js';
export { Informer, objectKey, stripForCache } from './informer.js';
export type { InformerDeps, InformerHandlers, InformerOptions, KubeObject } from './informer.js';
export { FencedError, Writer, openGate } from './writer.js';
export type { Priority, WriteGate, WriterOptions } from './writer.js';
export { EventRecorder } from './event-recorder.js';
export { MetalLBRunningError, guardCoexistence } from './coexistence-guard.js';
export type { CoexistenceGuardDeps, CoexistenceGuardOptions } from './coexistence-guard.js';
export type { EventRecorderDeps, EventRecorderOptions } from './event-recorder.js';
export { LeaderElector } from './leader-elector.js';
export type { LeaderElectorDeps, LeaderElectorOptions } from './leader-elector.js';
export { IronlbController } from './controller.js';
export type { ControllerDeps, ControllerLeaderElection, ControllerOptions } from './controller.js';
export { serviceStatusPatch } from './controller-writes.js';
export { createHealthServer, createMetricsServer } from './ops-server.js';
export type { HealthServerOptions, MetricsServerOptions, OpsServer } from './ops-server.js';
export { webhookClientFromRest } from './webhook-client.js';
export { METALLB_KINDS, paths } from './resources.js';
export { resolveNamespace, startControllerApp } from './controller-app.js';
export type { ControllerApp, ControllerAppDeps } from './controller-app.js';
// The client-node adapters of k8s-glue's own interfaces (moved here from the main entry, which
// never loads client-node): every input of parseConfig in one list call per kind, and the
// certificate manager's operations.
export { BGP_EXTRAS_CONFIGMAP, listClusterResources } from './list.js';
export { webhookKubeClientFromConfig } from '../webhook/kube-client.js';
// The speaker: its runtime (informers, decisions of src/announce, status objects, events), the
// ports the app implements with the protocol libraries, and the process assembled from flags.
export { EXCLUDE_L2_CONFIGMAP, EXCLUDE_L2_KEY, IronlbSpeaker } from './speaker.js';
export type { SpeakerDeps, SpeakerOptions } from './speaker.js';
export { SpeakerState } from './speaker-state.js';
export type { SpeakerOutputs, StatusWant } from './speaker-state.js';
export { SpeakerWrites } from './speaker-writes.js';
export type { StatusObject } from './speaker-writes.js';
export { MemberJoiner, seedAddress, seedsFromPods } from './speaker-members.js';
export type { MemberJoinerDeps, MemberJoinerOptions } from './speaker-members.js';
export type {
  BgpPort,
  BgpSessionProblem,
  BgpSessionState,
  Layer2Port,
  MemberChange,
  MembershipPort,
} from './speaker-ports.js';
export { startSpeakerApp } from './speaker-app.js';
export type { EnabledMemberlistPlan, SpeakerApp, SpeakerAppDeps } from './speaker-app.js';
