// @ironlb/k8s-glue/pure: the parts of k8s-glue that are plain functions over plain data — no
// Kubernetes client, no sockets, no files, no timers. Importing it does not load
// @kubernetes/client-node (0.84 s and a large part of a process's memory, issue 12), and its
// declarations reference no client-node type, so a consumer type-checks with skipLibCheck off.
// test/pure-entry.test.ts walks this file's import graph to keep it so. Everything here is also
// exported from `@ironlb/k8s-glue`. Named re-exports only (DESIGN.md §3).
export { ConfigInvalidError, K8sGlueError } from '../errors.js';
export type { K8sGlueErrorCode } from '../errors.js';

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
} from '../api/types.generated.js';
export type {
  ConfigMapObject,
  LabelSelector,
  LabelSelectorRequirement,
  NamespaceObject,
  NodeObject,
  ObjectMeta,
  SecretObject,
} from '../api/meta.js';

// CRDs and the webhook configuration, rendered.
export { GROUP, KINDS } from '../crd/definitions.js';
export type { KindDef, PrinterColumn, VersionDef } from '../crd/definitions.js';
export {
  DEFAULT_CONVERSION_SERVICE,
  WEBHOOK_CONFIGURATION_NAME,
  buildCrd,
  buildValidatingWebhookConfiguration,
  renderAll,
  renderTypes,
} from '../crd/render.js';
export type { ConversionService } from '../crd/render.js';
export type { CelRule, Schema } from '../crd/schema.js';

// Configuration: parsing and validation with MetalLB's rules.
export { parseConfig } from '../config/parse.js';
export { DEFAULT_NAMESPACE, MAX_PROBLEMS_PER_OBJECT } from '../config/resources.js';
export type { ClusterResources, ParseOptions } from '../config/resources.js';
export { anySelectorMatches, canonicalSelectors, selectorMatches } from '../config/selector.js';
export { labelKeyErrors, labelValueErrors, selectorError } from '../config/labels.js';
export { parseCommunity } from '../config/community.js';
export { formatGoDuration, parseGoDuration } from '../config/duration.js';
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
} from '../config/types.js';

// The meeting point with @ironlb/ipam.
export { matchingPools, poolMatchesService, toIpamPools } from '../config/ipam.js';
export type { ServiceIdentity } from '../config/ipam.js';

// Webhook decisions (the HTTPS server and certificates are in `@ironlb/k8s-glue`).
export {
  MAX_DENIAL_PROBLEMS,
  WEBHOOK_PATHS,
  admissionResponse,
  decideAdmission,
} from '../webhook/admission.js';
export type {
  AdmissionDecision,
  AdmissionRequest,
  AdmissionResponse,
  AdmissionReview,
} from '../webhook/admission.js';
export {
  V1BETA2_FIELDS_ANNOTATION,
  bgpPeerToV1beta1,
  bgpPeerToV1beta2,
  handleConversionReview,
} from '../webhook/conversion.js';
export type { ConversionReview } from '../webhook/conversion.js';

// The legacy ConfigMap converter.
export { convertConfig, convertConfigMap, renderResources } from '../convert/configmap.js';
export type { ConvertOptions, ConvertResult, ConvertedResources } from '../convert/configmap.js';
export { GENERATED_HEADER, configFromInput, dnsSafeName } from '../convert/input.js';

// The speaker's announce decisions (issue 17): pure functions over the parsed config, Services,
// EndpointSlices, Nodes and the member set.
export {
  decideLayer2,
  interfacesFor,
  l2AdsForService,
  preferredScores,
  sortL2Candidates,
} from '../announce/layer2.js';
export type {
  InterfaceSet,
  Layer2Address,
  Layer2Decisions,
  Layer2ServiceDecision,
} from '../announce/layer2.js';
export { aggregatedPrefix, bgpAdsForService, bgpAdvConflict, decideBgp } from '../announce/bgp.js';
export type {
  BgpDecisions,
  BgpLocalPrefConflict,
  BgpPeerRoutes,
  BgpRoute,
  BgpRouteAttributes,
  BgpServiceDecision,
  LargeCommunityValue,
} from '../announce/bgp.js';
export { bgpSessions, peerSessionOptions } from '../announce/sessions.js';
export type { BgpSession, BgpSessionOptions } from '../announce/sessions.js';
export {
  EXCLUDE_BALANCERS_LABEL,
  checkService,
  endpointCanServe,
  hasHealthyEndpoint,
  isExcludedFromBalancers,
  isNetworkUnavailable,
} from '../announce/inputs.js';
export type { AnnounceableService, ServiceWithdrawal } from '../announce/inputs.js';
export { announceFailedEvent, nodeAssignedEvent, withdrawLog } from '../announce/reasons.js';
export type { BgpReason, Layer2Reason, Protocol, ServiceReason } from '../announce/reasons.js';
export {
  DEFAULT_EXCLUDED_INTERFACES,
  MEMBERLIST_DEFAULT_PORT,
  MEMBERLIST_SECRET_KEY_FILE,
  interfaceExcluded,
  memberlistPlan,
  memberlistSecretFromFile,
  parseExcludeL2,
} from '../announce/speaker-config.js';
export type { MemberlistFlags, MemberlistPlan } from '../announce/speaker-config.js';
export type {
  EndpointSliceObject,
  LogLine,
  NodeStatusObject,
  ServiceEvent,
  ServiceInput,
  SpeakerView,
} from '../announce/types.js';
