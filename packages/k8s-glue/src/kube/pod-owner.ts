// The owner reference to this process's own Pod: MetalLB owns the objects a speaker or controller
// writes (status objects, ConfigurationState) by its Pod, so garbage collection removes them with
// it. Read once per process; both write paths use it.
import type { Logger } from '@ironlb/clock';
import type { OwnerRef } from '../controller/status-objects.js';
import { isNotFound } from './errors.js';
import { paths } from './resources.js';
import type { KubeRest } from './rest.js';

/**
 * The owner reference to Pod `podName` in `namespace`, or null without a pod name or when the Pod
 * is not found (logged with `orphanMessage`: the objects are written without an owner).
 */
export async function fetchPodOwner(
  deps: { readonly rest: KubeRest; readonly logger: Logger },
  namespace: string,
  podName: string | undefined,
  orphanMessage: string,
): Promise<OwnerRef | null> {
  if (!podName) return null;
  try {
    const pod = await deps.rest.request<{ metadata: { name?: string; uid?: string } }>({
      method: 'GET',
      path: paths.pod(namespace, podName),
    });
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      name: pod.metadata.name ?? podName,
      uid: pod.metadata.uid ?? '',
    };
  } catch (e) {
    if (!isNotFound(e)) throw e;
    deps.logger.warn({ op: 'startup', pod: podName }, orphanMessage);
    return null;
  }
}
