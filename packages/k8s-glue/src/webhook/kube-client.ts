// The Kubernetes operations the certificate manager needs, as an injected interface (so tests
// use an in-memory fake) plus the real adapter over @kubernetes/client-node.
import {
  AdmissionregistrationV1Api,
  ApiextensionsV1Api,
  CoreV1Api,
  type KubeConfig,
  type V1CustomResourceDefinition,
  type V1Secret,
  type V1ValidatingWebhookConfiguration,
} from '@kubernetes/client-node';
import type { SecretObject } from '../api/meta.js';
import { K8sGlueError } from '../errors.js';

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

export class KubeClientError extends K8sGlueError {
  readonly status: number | undefined;
  constructor(message: string, status: number | undefined, cause?: unknown) {
    super('KUBE_CLIENT_ERROR', message, { cause });
    this.name = 'KubeClientError';
    this.status = status;
  }
}

function statusOf(e: unknown): number | undefined {
  const c = (e as { code?: unknown }).code;
  return typeof c === 'number' ? c : undefined;
}

async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (statusOf(e) === 404) return undefined;
    throw new KubeClientError(`kubernetes read failed: ${(e as Error).message}`, statusOf(e), e);
  }
}

async function write<T>(what: string, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw new KubeClientError(`kubernetes ${what} failed: ${(e as Error).message}`, statusOf(e), e);
  }
}

/** The real client: @kubernetes/client-node 2.x object-parameter APIs. */
export function webhookKubeClientFromConfig(kc: KubeConfig): WebhookKubeClient {
  const core = kc.makeApiClient(CoreV1Api);
  const adm = kc.makeApiClient(AdmissionregistrationV1Api);
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  return {
    getSecret: (namespace, name) =>
      orUndefined(core.readNamespacedSecret({ name, namespace })) as Promise<
        SecretObject | undefined
      >,
    createSecret: (namespace, secret) =>
      write(
        'create secret',
        core.createNamespacedSecret({ namespace, body: secret as V1Secret }),
      ) as Promise<SecretObject>,
    replaceSecret: (namespace, secret) =>
      write(
        'replace secret',
        core.replaceNamespacedSecret({
          name: secret.metadata.name ?? '',
          namespace,
          body: secret as V1Secret,
        }),
      ) as Promise<SecretObject>,
    getValidatingWebhookConfiguration: (name) =>
      orUndefined(adm.readValidatingWebhookConfiguration({ name })) as Promise<
        WebhookConfigurationObject | undefined
      >,
    replaceValidatingWebhookConfiguration: async (obj) => {
      await write(
        'replace validatingwebhookconfiguration',
        adm.replaceValidatingWebhookConfiguration({
          name: obj.metadata.name ?? '',
          body: obj as V1ValidatingWebhookConfiguration,
        }),
      );
    },
    getCustomResourceDefinition: (name) =>
      orUndefined(ext.readCustomResourceDefinition({ name })) as Promise<CrdObject | undefined>,
    replaceCustomResourceDefinition: async (obj) => {
      await write(
        'replace customresourcedefinition',
        ext.replaceCustomResourceDefinition({
          name: obj.metadata.name ?? '',
          body: obj as unknown as V1CustomResourceDefinition,
        }),
      );
    },
  };
}
