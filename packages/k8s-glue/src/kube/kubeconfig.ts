// Where the controller's credentials come from, in controller-runtime's order (MetalLB uses
// ctrl.GetConfigOrDie): --kubeconfig, then $KUBECONFIG, then the pod's service account, then
// ~/.kube/config.
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { K8sGlueError } from '../errors.js';

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';
export const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

export interface LoadKubeConfigOptions {
  /** --kubeconfig ('' or undefined = not given). */
  readonly kubeconfig?: string;
  /** Default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export function loadKubeConfig(options: LoadKubeConfigOptions = {}): KubeConfig {
  const env = options.env ?? process.env;
  const kc = new KubeConfig();
  try {
    if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
    else if (env.KUBECONFIG) kc.loadFromDefault();
    else if (env.KUBERNETES_SERVICE_HOST && existsSync(SERVICE_ACCOUNT_TOKEN)) kc.loadFromCluster();
    else kc.loadFromDefault();
  } catch (e) {
    throw new K8sGlueError(
      'INVALID_OPTION',
      `cannot load the kubeconfig: ${(e as Error).message}`,
      { cause: e },
    );
  }
  if (!kc.getCurrentCluster()) {
    throw new K8sGlueError(
      'INVALID_OPTION',
      'no cluster configured: pass --kubeconfig FILE or run in a pod',
    );
  }
  return kc;
}
