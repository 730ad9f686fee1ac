// Keeps the webhook's certificate valid, as MetalLB's cert-controller does: the CA and serving
// certificate live in a Secret (default metallb-webhook-cert), are re-issued before they
// expire, and the CA bundle is patched into the ValidatingWebhookConfiguration and the BGPPeer
// CRD's conversion webhook. All Kubernetes access goes through the injected client; dates come
// from the injected wall clock (@ironlb/clock WallClock: a monotonic Clock starting at 0 does not
// type-check here, so certificates cannot be dated 1970 by mistake), so rotation is tested
// without waiting.
import { silentLogger, systemWallClock, type Logger, type WallClock } from '@ironlb/clock';
import type { SecretObject } from '../api/meta.js';
import {
  generateCa,
  inspectBundle,
  issueServingCert,
  type CertBundle,
  type KeyPairPem,
  certificateNotAfterMs,
} from './certs.js';
import { KubeClientError } from '../errors.js';
import type { WebhookKubeClient } from './kube-types.js';

/** CertManager's injected dependencies. */
export interface CertManagerDeps {
  /** The Kubernetes operations it needs (`webhookKubeClientFromConfig`, or a fake). */
  readonly client: WebhookKubeClient;
  /** Dates for certificates and expiry checks. Default systemWallClock. */
  readonly wallClock?: WallClock;
  /** Default silentLogger. */
  readonly logger?: Logger;
}

export interface CertManagerOptions {
  /** Namespace of the Secret and Service (default metallb-system). */
  readonly namespace?: string;
  /** Default metallb-webhook-cert (MetalLB --webhook-secret). */
  readonly secretName?: string;
  /** Default metallb-webhook-service (MetalLB --cert-service-name). */
  readonly serviceName?: string;
  /** Default metallb-webhook-configuration. */
  readonly webhookConfigurationName?: string;
  /** CRDs whose conversion webhook gets the CA bundle (default bgppeers.metallb.io). */
  readonly conversionCrdNames?: readonly string[];
  /** Default 10 years. */
  readonly caValidityMs?: number;
  /** Default 1 year. */
  readonly servingValidityMs?: number;
  /** Re-issue when less than this is left (default 90 days, cert-controller's lookahead). */
  readonly refreshBeforeMs?: number;
}

const DAY = 86_400_000;
const KEYS = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  cert: 'tls.crt',
  key: 'tls.key',
  prevCa: 'ca.prev.crt',
} as const;

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string | undefined) =>
  s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8');

export interface EnsureResult {
  readonly bundle: CertBundle;
  /** True when this call generated new material. */
  readonly rotated: boolean;
}

export class CertManager {
  private readonly o: Required<CertManagerOptions>;
  private readonly deps: Required<CertManagerDeps>;
  constructor(deps: CertManagerDeps, options: CertManagerOptions = {}) {
    this.deps = {
      client: deps.client,
      wallClock: deps.wallClock ?? systemWallClock,
      logger: deps.logger ?? silentLogger,
    };
    this.o = {
      namespace: options.namespace ?? 'metallb-system',
      secretName: options.secretName ?? 'metallb-webhook-cert',
      serviceName: options.serviceName ?? 'metallb-webhook-service',
      webhookConfigurationName: options.webhookConfigurationName ?? 'metallb-webhook-configuration',
      conversionCrdNames: options.conversionCrdNames ?? ['bgppeers.metallb.io'],
      caValidityMs: options.caValidityMs ?? 3650 * DAY,
      servingValidityMs: options.servingValidityMs ?? 365 * DAY,
      refreshBeforeMs: options.refreshBeforeMs ?? 90 * DAY,
    };
  }

  /** DNS names the API server uses to reach the webhook Service. */
  dnsNames(): string[] {
    const { serviceName: s, namespace: n } = this.o;
    return [`${s}.${n}.svc`, `${s}.${n}.svc.cluster.local`, `${s}.${n}`, s];
  }

  /** Makes sure a valid bundle is stored and published; returns it. Safe to call repeatedly. */
  async ensure(): Promise<EnsureResult> {
    const { client, wallClock } = this.deps;
    for (let attempt = 0; ; attempt++) {
      const secret = await client.getSecret(this.o.namespace, this.o.secretName);
      const stored = secret ? this.read(secret) : undefined;
      const now = wallClock.epochMs();
      const verdict = inspectBundle(stored, this.dnsNames(), now, this.o.refreshBeforeMs);
      let bundle: CertBundle;
      let rotated = false;
      if (verdict === 'ok' && stored) {
        bundle = stored;
      } else {
        bundle = await this.issue(verdict, stored, now);
        rotated = true;
        try {
          await this.write(secret, bundle);
        } catch (e) {
          // Another replica (or a restart) wrote first: start over from what it stored.
          if (e instanceof KubeClientError && (e.status === 409 || e.status === 422) && attempt < 3)
            continue;
          throw e;
        }
        this.deps.logger.info(
          { op: 'certRotation', verdict, secret: this.o.secretName },
          'webhook certificate issued',
        );
      }
      await this.publish(bundle.caBundlePem);
      return { bundle, rotated };
    }
  }

  /** When the stored serving certificate must next be renewed (for scheduling the next check). */
  nextRenewalMs(bundle: CertBundle): number {
    return (
      Math.min(
        certificateNotAfterMs(bundle.serving.certPem),
        certificateNotAfterMs(bundle.ca.certPem),
      ) - this.o.refreshBeforeMs
    );
  }

  private read(secret: SecretObject): CertBundle | undefined {
    const d = secret.data ?? {};
    const caCert = unb64(d[KEYS.caCert]);
    const caKey = unb64(d[KEYS.caKey]);
    const cert = unb64(d[KEYS.cert]);
    const key = unb64(d[KEYS.key]);
    if (!caCert || !caKey || !cert || !key) return undefined;
    const prev = unb64(d[KEYS.prevCa]);
    return {
      ca: { certPem: caCert, keyPem: caKey },
      serving: { certPem: cert, keyPem: key },
      caBundlePem: caCert + (prev ?? ''),
    };
  }

  private async issue(
    verdict: string,
    stored: CertBundle | undefined,
    now: number,
  ): Promise<CertBundle> {
    let ca: KeyPairPem;
    let prev = '';
    if (verdict === 'renew-all' || !stored) {
      ca = await generateCa(
        `ironlb-webhook-ca@${Math.floor(now / 1000)}`,
        now,
        this.o.caValidityMs,
      );
      // Keep trusting the previous CA while it is still valid, so that the API server accepts
      // both the old and the new serving certificate during the switch.
      if (stored) {
        try {
          if (certificateNotAfterMs(stored.ca.certPem) > now) prev = stored.ca.certPem;
        } catch {
          prev = '';
        }
      }
    } else {
      ca = stored.ca;
      prev = stored.caBundlePem.slice(stored.ca.certPem.length);
    }
    const serving = await issueServingCert(
      ca,
      this.dnsNames(),
      now,
      Math.min(this.o.servingValidityMs, this.o.caValidityMs),
    );
    return { ca, serving, caBundlePem: ca.certPem + prev };
  }

  private async write(existing: SecretObject | undefined, b: CertBundle): Promise<void> {
    const prev = b.caBundlePem.slice(b.ca.certPem.length);
    const data: Record<string, string> = {
      [KEYS.caCert]: b64(b.ca.certPem),
      [KEYS.caKey]: b64(b.ca.keyPem),
      [KEYS.cert]: b64(b.serving.certPem),
      [KEYS.key]: b64(b.serving.keyPem),
      ...(prev ? { [KEYS.prevCa]: b64(prev) } : {}),
    };
    if (!existing) {
      await this.deps.client.createSecret(this.o.namespace, {
        metadata: { name: this.o.secretName, namespace: this.o.namespace },
        type: 'Opaque',
        data,
      });
    } else {
      await this.deps.client.replaceSecret(this.o.namespace, { ...existing, data });
    }
  }

  private async publish(caBundlePem: string): Promise<void> {
    const { client } = this.deps;
    const caBundle = b64(caBundlePem);
    const vwc = await client.getValidatingWebhookConfiguration(this.o.webhookConfigurationName);
    if (vwc) {
      const hooks = vwc.webhooks ?? [];
      if (hooks.some((h) => h.clientConfig.caBundle !== caBundle)) {
        await client.replaceValidatingWebhookConfiguration({
          ...vwc,
          webhooks: hooks.map((h) => ({ ...h, clientConfig: { ...h.clientConfig, caBundle } })),
        });
      }
    } else {
      this.deps.logger.warn(
        { name: this.o.webhookConfigurationName },
        'validating webhook configuration not found, caBundle not patched',
      );
    }
    for (const name of this.o.conversionCrdNames) {
      const crd = await client.getCustomResourceDefinition(name);
      const wh = crd?.spec.conversion?.webhook;
      if (!crd || !wh) {
        this.deps.logger.warn(
          { crd: name },
          'CRD with a conversion webhook not found, caBundle not patched',
        );
        continue;
      }
      if (wh.clientConfig?.caBundle === caBundle) continue;
      await client.replaceCustomResourceDefinition({
        ...crd,
        spec: {
          ...crd.spec,
          conversion: {
            ...crd.spec.conversion,
            strategy: 'Webhook',
            webhook: { ...wh, clientConfig: { ...wh.clientConfig, caBundle } },
          },
        },
      });
    }
  }
}
