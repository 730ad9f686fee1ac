// One base error class for the package (DESIGN.md §3): a literal `code` plus structured fields.
import type { ConfigProblem } from './config/types.js';

export type K8sGlueErrorCode =
  | 'CONFIG_INVALID'
  | 'CONVERTER_INPUT_INVALID'
  | 'CONVERSION_INVALID'
  | 'WEBHOOK_BAD_REQUEST'
  | 'CERTIFICATE_ERROR'
  | 'KUBE_CLIENT_ERROR'
  /** A factory or flag got a value it cannot use (the reconcile harness, the controller's flags). */
  | 'INVALID_OPTION'
  /** The coexistence guard found MetalLB running in IronLB's namespace (issue 19). */
  | 'METALLB_RUNNING';

export class K8sGlueError extends Error {
  readonly code: K8sGlueErrorCode;
  constructor(code: K8sGlueErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'K8sGlueError';
    this.code = code;
  }
}

/** The configuration was rejected; `problems` lists every issue found, not just the first. */
export class ConfigInvalidError extends K8sGlueError {
  readonly problems: readonly ConfigProblem[];
  /** True when every problem may resolve by itself (a referenced object not there yet). */
  readonly transientOnly: boolean;
  constructor(problems: readonly ConfigProblem[], code: K8sGlueErrorCode = 'CONFIG_INVALID') {
    super(code, problems.map((p) => p.message).join('\n'));
    this.name = 'ConfigInvalidError';
    this.problems = problems;
    this.transientOnly = problems.length > 0 && problems.every((p) => p.transient);
  }
}

/** A Kubernetes API call failed; `status` is the HTTP status when there was one (404, 409, ...). */
export class KubeClientError extends K8sGlueError {
  readonly status: number | undefined;
  constructor(message: string, status: number | undefined, cause?: unknown) {
    super('KUBE_CLIENT_ERROR', message, { cause });
    this.name = 'KubeClientError';
    this.status = status;
  }
}
