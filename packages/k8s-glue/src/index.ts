// @ironlb/k8s-glue public API. Named re-exports only (DESIGN.md §3).
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
export { DEFAULT_NAMESPACE } from './config/resources.js';
export type { ClusterResources, ParseOptions } from './config/resources.js';
export { anySelectorMatches, selectorMatches } from './config/selector.js';
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
export { WEBHOOK_PATHS, admissionResponse, decideAdmission } from './webhook/admission.js';
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
  WebhookServer,
  WebhookServerDeps,
  WebhookServerLogger,
  WebhookServerOptions,
} from './webhook/server.js';
export { CertManager } from './webhook/cert-manager.js';
export { startCertRotation } from './webhook/rotation.js';
export type {
  CertRotation,
  CertRotationDeps,
  CertRotationOptions,
  Timers,
} from './webhook/rotation.js';
export type { CertManagerOptions, Clock, EnsureResult, Logger } from './webhook/cert-manager.js';
export { generateCa, inspectBundle, issueServingCert } from './webhook/certs.js';
export type { BundleVerdict, CertBundle, KeyPairPem } from './webhook/certs.js';
export { KubeClientError, webhookKubeClientFromConfig } from './webhook/kube-client.js';
export type {
  CrdObject,
  WebhookConfigurationObject,
  WebhookKubeClient,
} from './webhook/kube-client.js';
export { WEBHOOK_CONFIGURATION_NAME, buildValidatingWebhookConfiguration } from './crd/render.js';

// The legacy ConfigMap converter.
export { convertConfig, convertConfigMap, renderResources } from './convert/configmap.js';
export type { ConvertOptions, ConvertResult, ConvertedResources } from './convert/configmap.js';
export { configFromInput, dnsSafeName, GENERATED_HEADER } from './convert/input.js';

// Reading the cluster.
export { BGP_EXTRAS_CONFIGMAP, listClusterResources } from './kube/list.js';

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
