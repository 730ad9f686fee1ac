// The API client's error: the package's base class with code KUBE_CLIENT_ERROR, the HTTP status
// and the Kubernetes Status reason (Conflict, NotFound, Expired, ...). Kept apart from
// webhook/kube-client.ts so that importing it never loads client-node's generated API classes.
import { K8sGlueError } from '../errors.js';

export class KubeApiError extends K8sGlueError {
  /** HTTP status; undefined for network errors and timeouts. */
  readonly status: number | undefined;
  /** metav1.Status reason ('Conflict', 'NotFound', 'Expired', 'Timeout' for our own timeouts). */
  readonly reason: string | undefined;
  /** metav1.Status message. */
  readonly apiMessage: string | undefined;
  constructor(
    message: string,
    status: number | undefined,
    reason?: string,
    apiMessage?: string,
    cause?: unknown,
  ) {
    super('KUBE_CLIENT_ERROR', message, cause === undefined ? undefined : { cause });
    this.name = 'KubeApiError';
    this.status = status;
    this.reason = reason;
    this.apiMessage = apiMessage;
  }
}

export const isNotFound = (e: unknown): boolean => e instanceof KubeApiError && e.status === 404;
export const isConflict = (e: unknown): boolean => e instanceof KubeApiError && e.status === 409;
export const isAlreadyExists = (e: unknown): boolean =>
  e instanceof KubeApiError && e.status === 409 && e.reason === 'AlreadyExists';
export const isGone = (e: unknown): boolean =>
  e instanceof KubeApiError && (e.status === 410 || e.reason === 'Expired' || e.reason === 'Gone');
