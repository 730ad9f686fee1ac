// In-memory stand-in for the API server's secrets, ValidatingWebhookConfigurations and CRDs,
// with resourceVersion-based optimistic concurrency like the real thing.
import type { SecretObject } from '../api/meta.js';
import { KubeClientError } from '../errors.js';
import type {
  CrdObject,
  WebhookConfigurationObject,
  WebhookKubeClient,
} from '../webhook/kube-types.js';

type Meta = { metadata: { name?: string; namespace?: string; resourceVersion?: string } };

export class InMemoryWebhookKubeClient implements WebhookKubeClient {
  readonly secrets = new Map<string, SecretObject>();
  readonly webhookConfigurations = new Map<string, WebhookConfigurationObject>();
  readonly crds = new Map<string, CrdObject>();
  /** Every write, in order, for assertions. */
  readonly writes: string[] = [];
  private rv = 1;

  private stamp<T extends Meta>(o: T): T {
    const copy = structuredClone(o);
    copy.metadata.resourceVersion = String(++this.rv);
    return copy;
  }
  private replace<T extends Meta>(store: Map<string, T>, key: string, o: T, what: string): T {
    const cur = store.get(key);
    if (!cur) throw new KubeClientError(`${what} ${key} not found`, 404);
    if (
      o.metadata.resourceVersion !== undefined &&
      o.metadata.resourceVersion !== cur.metadata.resourceVersion
    ) {
      throw new KubeClientError(`${what} ${key}: the object has been modified`, 409);
    }
    const next = this.stamp(o);
    store.set(key, next);
    this.writes.push(`replace ${what} ${key}`);
    return structuredClone(next);
  }

  async getSecret(namespace: string, name: string): Promise<SecretObject | undefined> {
    const s = this.secrets.get(`${namespace}/${name}`);
    return s ? structuredClone(s) : undefined;
  }
  async createSecret(namespace: string, secret: SecretObject): Promise<SecretObject> {
    const key = `${namespace}/${secret.metadata.name ?? ''}`;
    if (this.secrets.has(key)) throw new KubeClientError(`secret ${key} already exists`, 409);
    const s = this.stamp({ ...secret, metadata: { ...secret.metadata, namespace } });
    this.secrets.set(key, s);
    this.writes.push(`create secret ${key}`);
    return structuredClone(s);
  }
  async replaceSecret(namespace: string, secret: SecretObject): Promise<SecretObject> {
    return this.replace(
      this.secrets,
      `${namespace}/${secret.metadata.name ?? ''}`,
      secret,
      'secret',
    );
  }
  async getValidatingWebhookConfiguration(
    name: string,
  ): Promise<WebhookConfigurationObject | undefined> {
    const o = this.webhookConfigurations.get(name);
    return o ? structuredClone(o) : undefined;
  }
  async replaceValidatingWebhookConfiguration(obj: WebhookConfigurationObject): Promise<void> {
    this.replace(
      this.webhookConfigurations,
      obj.metadata.name ?? '',
      obj,
      'validatingwebhookconfiguration',
    );
  }
  async getCustomResourceDefinition(name: string): Promise<CrdObject | undefined> {
    const o = this.crds.get(name);
    return o ? structuredClone(o) : undefined;
  }
  async replaceCustomResourceDefinition(obj: CrdObject): Promise<void> {
    this.replace(this.crds, obj.metadata.name ?? '', obj, 'customresourcedefinition');
  }

  /** Seeds an object as if it had been applied. */
  seedWebhookConfiguration(o: WebhookConfigurationObject): void {
    this.webhookConfigurations.set(o.metadata.name ?? '', this.stamp(o));
  }
  seedCrd(o: CrdObject): void {
    this.crds.set(o.metadata.name ?? '', this.stamp(o));
  }
}
