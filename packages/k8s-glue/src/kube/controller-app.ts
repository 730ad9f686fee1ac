// The controller process, assembled from parsed flags: what MetalLB's controller/main.go and
// internal/k8s.New do — namespace, API client, the controller runtime (informers, leader
// election, allocation), the webhook server with its certificate manager (every replica serves
// webhooks), /healthz and /readyz, /metrics — and stopped in reverse. Lives here rather than in
// the app so that it is tested here; apps/controller/src/main.ts only parses argv and handles
// signals.
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Clock, Logger, Metrics, WallClock } from '@ironlb/clock';
import { DEFAULT_NAMESPACE } from '../config/resources.js';
import type { ControllerFlags } from '../controller/flags.js';
import { K8sGlueError } from '../errors.js';
import { CertManager } from '../webhook/cert-manager.js';
import { generateCa, issueServingCert } from '../webhook/certs.js';
import { startCertRotation, type CertRotation } from '../webhook/rotation.js';
import { createWebhookServer, type WebhookServer } from '../webhook/server.js';
import { IronlbController } from './controller.js';
import { SERVICE_ACCOUNT_NAMESPACE, loadKubeConfig } from './kubeconfig.js';
import { createHealthServer, createMetricsServer, type OpsServer } from './ops-server.js';
import { createKubeRest, type KubeRest } from './rest.js';
import { webhookClientFromRest } from './webhook-client.js';

export interface ControllerAppDeps {
  readonly clock: Clock;
  readonly wallClock: WallClock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Prometheus text of every metric (the app's registry). */
  readonly renderMetrics: () => Promise<string>;
  readonly metricsContentType: string;
  readonly randomBytes: (n: number) => Uint8Array;
  /** Default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** A ready-made API client (tests); default: from --kubeconfig / in-cluster config. */
  readonly rest?: KubeRest;
  /** User-Agent of API requests (default ironlb-controller). */
  readonly userAgent?: string;
}

export interface ControllerApp {
  readonly controller: IronlbController;
  readonly namespace: string;
  /** Ports actually bound (0 = not serving). */
  readonly ports: { readonly health: number; readonly metrics: number; readonly webhook: number };
  /** Stops everything in reverse order. */
  stop(): Promise<void>;
}

/** MetalLB's namespace resolution, with IronLB's default when nothing says otherwise. */
export function resolveNamespace(flag: string): string {
  if (flag) return flag;
  if (existsSync(SERVICE_ACCOUNT_NAMESPACE)) {
    const ns = readFileSync(SERVICE_ACCOUNT_NAMESPACE, 'utf8').trim();
    if (ns) return ns;
  }
  return DEFAULT_NAMESPACE;
}

function readPair(dir: string, what: string): { cert: string; key: string } {
  try {
    return {
      cert: readFileSync(join(dir, 'tls.crt'), 'utf8'),
      key: readFileSync(join(dir, 'tls.key'), 'utf8'),
    };
  } catch (e) {
    throw new K8sGlueError(
      'INVALID_OPTION',
      `${what}: cannot read tls.crt / tls.key in ${dir}: ${(e as Error).message}`,
      { cause: e },
    );
  }
}

/** Starts the controller process described by `flags`; resolves once it serves. */
export async function startControllerApp(
  flags: ControllerFlags,
  deps: ControllerAppDeps,
): Promise<ControllerApp> {
  const { clock, wallClock, logger } = deps;
  const namespace = resolveNamespace(flags.namespace);
  const rest =
    deps.rest ??
    createKubeRest(
      loadKubeConfig({ kubeconfig: flags.kubeconfig, ...(deps.env ? { env: deps.env } : {}) }),
      { clock },
      {
        userAgent: deps.userAgent ?? 'ironlb-controller',
      },
    );
  const mode = flags.webhookMode;
  const controller = new IronlbController(
    { rest, clock, wallClock, logger, metrics: deps.metrics, randomBytes: deps.randomBytes },
    {
      namespace,
      ...(flags.lbClass ? { loadBalancerClass: flags.lbClass } : {}),
      podName: flags.podName || hostname(),
      deployment: flags.deployment,
      mlSecretName: flags.mlSecretName,
      leaderElection: flags.leaderElect
        ? {
            leaseName: flags.leaseName,
            leaseDurationMs: flags.leaseDurationMs,
            renewDeadlineMs: flags.renewDeadlineMs,
            retryPeriodMs: flags.retryPeriodMs,
          }
        : false,
      reconcile: mode !== 'onlywebhook',
      webhookCaches: mode !== 'disabled',
    },
  );
  const stack: (() => Promise<void> | void)[] = [() => rest.close()];
  const stop = async () => {
    for (const f of stack.splice(0).reverse()) {
      try {
        await f();
      } catch (e) {
        logger.warn({ op: 'shutdown', error: String(e) }, 'stopping a component failed');
      }
    }
  };
  const tls = {
    minTlsVersion: flags.tlsMinVersion,
    ...(flags.tlsCiphers ? { ciphers: flags.tlsCiphers } : {}),
    ...(flags.tlsCurves ? { ecdhCurve: flags.tlsCurves } : {}),
  };
  let webhook: WebhookServer | undefined;
  try {
    const health = createHealthServer(
      { ready: () => controller.ready && (mode === 'disabled' || webhook !== undefined) },
      { port: flags.healthProbePort },
    );
    const healthPort = (await health.listen()).port;
    stack.push(() => health.close());

    let metricsPort = 0;
    if (flags.metricsPort > 0) {
      const pair = flags.metricsCertDir
        ? readPair(flags.metricsCertDir, '--metrics-cert-dir')
        : await selfSigned(wallClock.epochMs());
      const metrics: OpsServer = createMetricsServer(
        { render: deps.renderMetrics, contentType: deps.metricsContentType },
        { port: flags.metricsPort, ...pair, ...tls },
      );
      metricsPort = (await metrics.listen()).port;
      stack.push(() => metrics.close());
    }

    stack.push(() => controller.stop());
    await controller.start();

    let webhookPort = 0;
    if (mode !== 'disabled') {
      let rotation: CertRotation | undefined;
      let pair: { cert: string; key: string };
      let manager: CertManager | undefined;
      if (flags.disableCertRotation) {
        pair = readPair(flags.certDir, '--cert-dir');
      } else {
        manager = new CertManager(
          {
            client: webhookClientFromRest(rest),
            wallClock,
            logger,
          },
          { namespace, secretName: flags.webhookSecret, serviceName: flags.certServiceName },
        );
        const { bundle } = await manager.ensure();
        pair = { cert: bundle.serving.certPem, key: bundle.serving.keyPem };
      }
      const server = createWebhookServer(
        { resources: async () => controller.clusterResources(), logger },
        { ...pair, namespace, port: flags.webhookPort, minTlsVersion: flags.tlsMinVersion },
      );
      // Cipher and curve choices apply to every certificate the server is given.
      const secure = (cert: string, key: string) =>
        server.server.setSecureContext({
          cert,
          key,
          minVersion: flags.tlsMinVersion,
          ...(tls.ciphers ? { ciphers: tls.ciphers } : {}),
          ...(tls.ecdhCurve ? { ecdhCurve: tls.ecdhCurve } : {}),
        });
      secure(pair.cert, pair.key);
      webhookPort = (await server.listen()).port;
      stack.push(() => server.close());
      if (manager) {
        rotation = startCertRotation({
          manager,
          clock,
          onCertificate: (b) => {
            secure(b.serving.certPem, b.serving.keyPem);
            logger.info({ op: 'certRotation' }, 'webhook serving certificate updated');
          },
          onError: (e) =>
            logger.error({ op: 'certRotation', error: String(e) }, 'certificate rotation failed'),
        });
        const r = rotation;
        stack.push(() => r.stop());
      }
      webhook = server;
    }
    logger.info(
      {
        op: 'startup',
        namespace,
        webhookMode: mode,
        healthPort,
        metricsPort,
        webhookPort,
        leaderElection: flags.leaderElect,
      },
      'controller started',
    );
    return {
      controller,
      namespace,
      ports: { health: healthPort, metrics: metricsPort, webhook: webhookPort },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** A self-signed certificate for /metrics (MetalLB generates one in memory the same way). */
async function selfSigned(nowMs: number): Promise<{ cert: string; key: string }> {
  const host = hostname();
  const ca = await generateCa(`${host}-ca@${Math.floor(nowMs / 1000)}`, nowMs, 365 * 86_400_000);
  const serving = await issueServingCert(ca, [host, 'localhost'], nowMs, 365 * 86_400_000);
  return { cert: serving.certPem + ca.certPem, key: serving.keyPem };
}
