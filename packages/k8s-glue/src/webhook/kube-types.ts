// The Kubernetes operations the certificate manager needs, as an injected interface: plain types,
// so that CertManager (and @ironlb/k8s-glue's main entry) never load @kubernetes/client-node.
// Adapters: webhookKubeClientFromConfig (client-node, in @ironlb/k8s-glue/kube), the controller's
// REST client, and InMemoryWebhookKubeClient in ./testing.
import type { SecretObject } from '../api/meta.js';

export interface WebhookConfigurationObject {
  metadata: { name?: string; resourceVersion?: string };
  webhooks?: {
    name: string;
    clientConfig: { caBundle?: string; [k: string]: unknown };
    [k: string]: unknown;
  }[];
}

export interface CrdObject {
  metadata: { name?: string; resourceVersion?: string };
  spec: {
    conversion?: {
      strategy: string;
      webhook?: {
        clientConfig?: { caBundle?: string; [k: string]: unknown };
        [k: string]: unknown;
      };
    };
    [k: string]: unknown;
  };
}

/** Reads return undefined for "not found"; writes throw K8sGlueError('KUBE_CLIENT_ERROR') with `status`. */
export interface WebhookKubeClient {
  getSecret(namespace: string, name: string): Promise<SecretObject | undefined>;
  createSecret(namespace: string, secret: SecretObject): Promise<SecretObject>;
  /** Optimistic concurrency: fails with status 409 when metadata.resourceVersion is stale. */
  replaceSecret(namespace: string, secret: SecretObject): Promise<SecretObject>;
  getValidatingWebhookConfiguration(name: string): Promise<WebhookConfigurationObject | undefined>;
  replaceValidatingWebhookConfiguration(obj: WebhookConfigurationObject): Promise<void>;
  getCustomResourceDefinition(name: string): Promise<CrdObject | undefined>;
  replaceCustomResourceDefinition(obj: CrdObject): Promise<void>;
}
