// The certificate manager's Kubernetes operations (WebhookKubeClient) over the small REST client,
// so that an app running the webhook never loads client-node's generated API classes.
import type { SecretObject } from '../api/meta.js';
import {
  KubeClientError,
  type CrdObject,
  type WebhookConfigurationObject,
  type WebhookKubeClient,
} from '../webhook/kube-client.js';
import { KubeApiError, isNotFound } from './errors.js';
import type { KubeRest } from './rest.js';

// CertManager recognises lost races by KubeClientError.status (409/422).
async function asClientError<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof KubeApiError) throw new KubeClientError(e.message, e.status, e);
    throw e;
  }
}

async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    if (e instanceof KubeApiError) throw new KubeClientError(e.message, e.status, e);
    throw e;
  }
}

/**
 * A WebhookKubeClient over KubeRest. Errors are KubeClientError (code KUBE_CLIENT_ERROR) with the
 * HTTP `status`, as CertManager expects (409/422 on a lost race).
 */
export function webhookClientFromRest(
  rest: KubeRest,
  fieldManager = 'ironlb-controller',
): WebhookKubeClient {
  const q = { fieldManager };
  const secret = (ns: string, name = '') =>
    `/api/v1/namespaces/${ns}/secrets${name ? `/${name}` : ''}`;
  const vwc = (name: string) =>
    `/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/${name}`;
  const crd = (name: string) => `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`;
  const named = (o: { metadata: { name?: string } }, what: string) => {
    if (!o.metadata.name) throw new KubeApiError(`${what} without a name`, undefined);
    return o.metadata.name;
  };
  return {
    getSecret: (ns, name) =>
      orUndefined(rest.request<SecretObject>({ method: 'GET', path: secret(ns, name) })),
    createSecret: (ns, s) =>
      asClientError(
        rest.request<SecretObject>({
          method: 'POST',
          path: secret(ns),
          query: q,
          body: { apiVersion: 'v1', kind: 'Secret', ...s },
        }),
      ),
    replaceSecret: (ns, s) =>
      asClientError(
        rest.request<SecretObject>({
          method: 'PUT',
          path: secret(ns, named(s, 'secret')),
          query: q,
          body: { apiVersion: 'v1', kind: 'Secret', ...s },
        }),
      ),
    getValidatingWebhookConfiguration: (name) =>
      orUndefined(rest.request<WebhookConfigurationObject>({ method: 'GET', path: vwc(name) })),
    replaceValidatingWebhookConfiguration: async (o) => {
      await asClientError(
        rest.request({
          method: 'PUT',
          path: vwc(named(o, 'validatingwebhookconfiguration')),
          query: q,
          body: {
            apiVersion: 'admissionregistration.k8s.io/v1',
            kind: 'ValidatingWebhookConfiguration',
            ...o,
          },
        }),
      );
    },
    getCustomResourceDefinition: (name) =>
      orUndefined(rest.request<CrdObject>({ method: 'GET', path: crd(name) })),
    replaceCustomResourceDefinition: async (o) => {
      await asClientError(
        rest.request({
          method: 'PUT',
          path: crd(named(o, 'customresourcedefinition')),
          query: q,
          body: { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', ...o },
        }),
      );
    },
  };
}
