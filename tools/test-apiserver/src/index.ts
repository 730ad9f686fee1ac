// @ironlb/test-apiserver: a Kubernetes API server for tests (issue 4).
export {
  ApiError,
  alreadyExists,
  badRequest,
  conflict,
  formatCause,
  invalid,
  notFound,
} from './errors.ts';
export type {
  CauseReason,
  StatusBody,
  StatusCause,
  StatusDetails,
  StatusReason,
} from './errors.ts';
export {
  checkStructuralSchema,
  validateCustomResource,
  versionSchema,
} from './schema/custom-resource.ts';
export type { ValidateCustomResourceResult } from './schema/custom-resource.ts';
export { CelCompileError } from './schema/cel.ts';
export type {
  CRDVersion,
  CustomResourceDefinition,
  JSONSchemaProps,
  ValidationRule,
} from './schema/types.ts';
export { startTestApiServer, kubeconfigFor } from './start.ts';
export type { TestApiServer, TestApiServerOptions } from './start.ts';
export { ApiCore } from './server/api.ts';
export type {
  AdmissionAttributes,
  AdmissionHook,
  ApiCoreOptions,
  WriteQuery,
  WriteResult,
} from './server/api.ts';
export type { ConversionHook, ConversionOptions } from './conversion/conversions.ts';
export type { WebhookOptions } from './admission/dispatcher.ts';
export type { GcOptions } from './gc/collector.ts';
export type { AccessOptions } from './auth/access.ts';
export { ADMIN_TOKEN } from './auth/authenticator.ts';
export type { StaticToken } from './auth/authenticator.ts';
export type { UserInfo } from './auth/identity.ts';
export type {
  AuditEvent,
  AuditLog,
  AuditOptions,
  AuditQuery,
  UsedPermission,
} from './auth/audit.ts';
export type { ServiceAccountTokenOptions } from './auth/service-account-files.ts';
export { PodLogBook } from './logs/log-book.ts';
export type { LogBookOptions } from './logs/log-book.ts';
export type { PodLogChunk, PodLogRequest, PodLogSource } from './logs/pod-logs.ts';
export type { ServiceNetworkOptions } from './registry/service.ts';
export type { StoreOptions } from './store.ts';
export type { KubeObject, ResourceType, Strategy } from './registry/types.ts';
// tls.ts is loaded lazily by startTestApiServer (it installs the reflect-metadata polyfill).
export { loadKnownFields } from './registry/known-fields.ts';
export type { KnownFields } from './registry/known-fields.ts';
