// The real adapter of the certificate manager's Kubernetes operations (webhook/kube-types.ts) over
// @kubernetes/client-node. Exported by @ironlb/k8s-glue/kube only: the main entry never loads
// client-node.
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
import { KubeClientError } from '../errors.js';
import type { CrdObject, WebhookConfigurationObject, WebhookKubeClient } from './kube-types.js';

export type { CrdObject, WebhookConfigurationObject, WebhookKubeClient } from './kube-types.js';
export { KubeClientError } from '../errors.js';

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
