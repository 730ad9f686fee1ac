// @ironlb/k8s-glue public API. Named re-exports only (DESIGN.md §3). This entry never loads
// @kubernetes/client-node (issue 12; test/pure-entry.test.ts): what needs it is exported by
// @ironlb/k8s-glue/kube. The plain functions over plain data — config, CRDs, webhook decisions,
// converter, announce decisions — are also exported by @ironlb/k8s-glue/pure, which loads no
// I/O module either.
export { ConfigInvalidError, K8sGlueError } from './errors.js';
export type { K8sGlueErrorCode } from './errors.js';

// API types (generated from src/crd/definitions.ts) and the core objects k8s-glue reads.
export type {
  BFDProfile,
  BFDProfileSpec,
  BGPAdvertisement,
  BGPAdvertisementSpec,
  BGPPeer,
  BGPPeerSpec,
  BGPPeerV1beta1,
  BGPPeerV1beta1Spec,
  Community,
  CommunitySpec,
  ConfigurationState,
  ConfigurationStateStatus,
  IPAddressPool,
  IPAddressPoolSpec,
  IPAddressPoolStatus,
  L2Advertisement,
  L2AdvertisementSpec,
  ServiceBGPStatus,
  ServiceBGPStatusStatus,
  ServiceL2Status,
  ServiceL2StatusStatus,
} from './api/types.generated.js';
export type {
  ConfigMapObject,
  LabelSelector,
  LabelSelectorRequirement,
  NamespaceObject,
  NodeObject,
  ObjectMeta,
  SecretObject,
} from './api/meta.js';

// CRDs.
export { GROUP, KINDS } from './crd/definitions.js';
export type { KindDef, PrinterColumn, VersionDef } from './crd/definitions.js';
export { buildCrd, DEFAULT_CONVERSION_SERVICE, renderAll, renderTypes } from './crd/render.js';
export type { ConversionService } from './crd/render.js';
export type { CelRule, Schema } from './crd/schema.js';

// Configuration.
export { parseConfig } from './config/parse.js';
export { DEFAULT_NAMESPACE, MAX_PROBLEMS_PER_OBJECT } from './config/resources.js';
export type { ClusterResources, ParseOptions } from './config/resources.js';
export { anySelectorMatches, canonicalSelectors, selectorMatches } from './config/selector.js';
export { labelKeyErrors, labelValueErrors, selectorError } from './config/labels.js';
export { parseCommunity } from './config/community.js';
export { formatGoDuration, parseGoDuration } from './config/duration.js';
export { matchingPools, poolMatchesService, toIpamPools } from './config/ipam.js';
export type { ServiceIdentity } from './config/ipam.js';
export type {
  AddressBlock,
  BfdProfileConfig,
  BgpAdvertisementConfig,
  ConfigProblem,
  DomainConfig,
  L2AdvertisementConfig,
  ObjectRef,
  ParseResult,
  PeerConfig,
  PoolConfig,
  ServiceAllocationConfig,
} from './config/types.js';

// Webhooks.
export {
  MAX_DENIAL_PROBLEMS,
  WEBHOOK_PATHS,
  admissionResponse,
  decideAdmission,
} from './webhook/admission.js';
export type {
  AdmissionDecision,
  AdmissionRequest,
  AdmissionResponse,
  AdmissionReview,
} from './webhook/admission.js';
export {
  V1BETA2_FIELDS_ANNOTATION,
  bgpPeerToV1beta1,
  bgpPeerToV1beta2,
  handleConversionReview,
} from './webhook/conversion.js';
export type { ConversionReview } from './webhook/conversion.js';
export { createWebhookServer } from './webhook/server.js';
export type {
  TlsVersion,
  WebhookHttpsServer,
  WebhookServer,
  WebhookServerDeps,
  WebhookServerOptions,
} from './webhook/server.js';
export { CertManager } from './webhook/cert-manager.js';
export { startCertRotation } from './webhook/rotation.js';
export type { CertRotation, CertRotationDeps, CertRotationOptions } from './webhook/rotation.js';
export type { CertManagerDeps, CertManagerOptions, EnsureResult } from './webhook/cert-manager.js';
export { generateCa, inspectBundle, issueServingCert } from './webhook/certs.js';
export type { BundleVerdict, CertBundle, KeyPairPem } from './webhook/certs.js';
export { KubeClientError } from './errors.js';
export type {
  CrdObject,
  WebhookConfigurationObject,
  WebhookKubeClient,
} from './webhook/kube-types.js';
export { WEBHOOK_CONFIGURATION_NAME, buildValidatingWebhookConfiguration } from './crd/render.js';

// The legacy ConfigMap converter.
export { convertConfig, convertConfigMap, renderResources } from './convert/configmap.js';
export type { ConvertOptions, ConvertResult, ConvertedResources } from './convert/configmap.js';
export { configFromInput, dnsSafeName, GENERATED_HEADER } from './convert/input.js';

// Reading the cluster (listClusterResources, webhookKubeClientFromConfig) needs
// @kubernetes/client-node: it is exported by @ironlb/k8s-glue/kube, never from here.

// The reconcile harness's pure parts (work queue, event correlation, leader-election decisions).
export { RateLimiter, WorkQueue } from './reconcile/workqueue.js';
export type { RateLimiterOptions, WorkQueueOptions } from './reconcile/workqueue.js';
export { EventCorrelator } from './reconcile/event-correlator.js';
export type {
  CorrelatorDecision,
  EventCorrelatorOptions,
  EventRequest,
  EventType,
  InvolvedObject,
} from './reconcile/event-correlator.js';
export { LeaderElectionMachine, microTime, resolveLeaderOptions } from './reconcile/leader.js';
export type {
  LeaderElectionOptions,
  LeasePlan,
  LeaseSpec,
  ObservedLease,
  ResolvedLeaderOptions,
} from './reconcile/leader.js';

// The controller's decisions: Service → allocation request, MetalLB's convergence, configuration,
// status objects, flags. Pure; @ironlb/k8s-glue/kube runs them against an API server.
export {
  ANNOTATIONS,
  DEPRECATED_ANNOTATIONS,
  DEPRECATED_ANNOTATION_PREFIX,
  annotationValue,
  backendKey,
  clusterIPsOf,
  deprecatedAnnotationKeys,
  desiredAddresses,
  familyForAddresses,
  handlesLoadBalancerClass,
  ingressIPs,
  requestedPool,
  serviceFamily,
  serviceKey,
  servicePorts,
  sharingKey,
  toAllocationRequest,
} from './controller/service.js';
export type { DesiredAddresses, FamilyWord, ServiceObject } from './controller/service.js';
export { SyncState } from './controller/outcome.js';
export type { EventSpec, ServiceOutcome, ServiceUpdate } from './controller/outcome.js';
export { ServiceEventReason, handleService, ingressEquals } from './controller/service-handler.js';
export type { ControllerState, ServiceHandlerOptions } from './controller/service-handler.js';
export { reprocessOrder, restoreAssignments } from './controller/reprocess.js';
export {
  ConditionReason,
  ConditionType,
  INVALID_CONFIGURATION_REASON,
  handleConfig,
} from './controller/config-handler.js';
export type { ConditionSpec, ConfigInputs, ConfigOutcome } from './controller/config-handler.js';
export {
  CONFIGURATION_STATE_LABELS,
  CONFIGURATION_STATE_NAME,
  LEGACY_CONFIGMAP_NAMES,
  LEGACY_CONFIGMAP_REASON,
  MEMBERLIST_SECRET_KEY,
  configurationStateEquals,
  configurationStateStatus,
  jsonWithBigInts,
  legacyConfigMapEvent,
  memberlistSecret,
  poolStatusEquals,
  poolStatusFor,
  rfc3339,
} from './controller/status-objects.js';
export type { OwnerRef } from './controller/status-objects.js';
export { CONTROLLER_FLAGS, controllerUsage, parseControllerFlags } from './controller/flags.js';
export type { ControllerFlags, ParsedFlags, WebhookMode } from './controller/flags.js';
export { handlesServiceEvents, reactToSync } from './controller/sync-policy.js';
export type { SyncReaction } from './controller/sync-policy.js';

// The speaker's announce decisions (issue 17): pure functions over the parsed config, Services,
// EndpointSlices, Nodes and the member set.
export {
  decideLayer2,
  interfacesFor,
  l2AdsForService,
  preferredScores,
  sortL2Candidates,
} from './announce/layer2.js';
export type {
  InterfaceSet,
  Layer2Address,
  Layer2Decisions,
  Layer2ServiceDecision,
} from './announce/layer2.js';
export { aggregatedPrefix, bgpAdsForService, bgpAdvConflict, decideBgp } from './announce/bgp.js';
export type {
  BgpDecisions,
  BgpLocalPrefConflict,
  BgpPeerRoutes,
  BgpRoute,
  BgpRouteAttributes,
  BgpServiceDecision,
  LargeCommunityValue,
} from './announce/bgp.js';
export { bgpSessions, peerSessionOptions } from './announce/sessions.js';
export type { BgpSession, BgpSessionOptions } from './announce/sessions.js';
export {
  EXCLUDE_BALANCERS_LABEL,
  checkService,
  endpointCanServe,
  hasHealthyEndpoint,
  isExcludedFromBalancers,
  isNetworkUnavailable,
} from './announce/inputs.js';
export type { AnnounceableService, ServiceWithdrawal } from './announce/inputs.js';
export { announceFailedEvent, nodeAssignedEvent, withdrawLog } from './announce/reasons.js';
export type { BgpReason, Layer2Reason, Protocol, ServiceReason } from './announce/reasons.js';
export {
  DEFAULT_EXCLUDED_INTERFACES,
  MEMBERLIST_DEFAULT_PORT,
  MEMBERLIST_SECRET_KEY_FILE,
  interfaceExcluded,
  memberlistPlan,
  memberlistSecretFromFile,
  parseExcludeL2,
} from './announce/speaker-config.js';
export type { MemberlistFlags, MemberlistPlan } from './announce/speaker-config.js';
export type {
  EndpointSliceObject,
  LogLine,
  NodeStatusObject,
  ServiceEvent,
  ServiceInput,
  SpeakerView,
} from './announce/types.js';

// Installing beside (or instead of) MetalLB: the coexistence guard's decision (issue 19).
export {
  ALLOW_METALLB_FLAG,
  METALLB_RUNNING_REASON,
  MIGRATING_URL,
  decideCoexistence,
  memberlistPortTakenMessage,
} from './install/coexistence.js';
export type {
  CoexistenceAction,
  CoexistenceDecision,
  CoexistenceOptions,
  GuardPod,
  IronlbIdentity,
  MetalLBPod,
} from './install/coexistence.js';
