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
