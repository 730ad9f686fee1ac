// The controller process, assembled from parsed flags: what MetalLB's controller/main.go and
// internal/k8s.New do — namespace, API client, the controller runtime (informers, leader
// election, allocation), the webhook server with its certificate manager (every replica serves
// webhooks), /healthz and /readyz, /metrics — and stopped in reverse. Lives here rather than in
// the app so that it is tested here; apps/controller/src/main.ts only parses argv and handles
// signals.
import { hostname } from 'node:os';
import type { Clock, Logger, Metrics, WallClock } from '@ironlb/clock';
import type { ControllerFlags } from '../controller/flags.js';
import { CertManager } from '../webhook/cert-manager.js';
import { startCertRotation, type CertRotation } from '../webhook/rotation.js';
import { createWebhookServer, type WebhookServer } from '../webhook/server.js';
import { readPair, resolveNamespace, selfSigned } from './app-common.js';
import { guardCoexistence, type CoexistenceGuardOptions } from './coexistence-guard.js';
import { IronlbController } from './controller.js';
import { loadKubeAuth } from './lean-config.js';
import { createHealthServer, createMetricsServer, type OpsServer } from './ops-server.js';
import { createKubeRest, type KubeRest } from './rest.js';
import { webhookClientFromRest } from './webhook-client.js';

export { readPair, resolveNamespace, selfSigned };

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
  /** The coexistence guard's timing (tests); defaults in CoexistenceGuardOptions. */
  readonly coexistence?: Pick<CoexistenceGuardOptions, 'recheckIntervalMs' | 'maxWaitMs'>;
}

export interface ControllerApp {
  readonly controller: IronlbController;
  readonly namespace: string;
  /** Ports actually bound (0 = not serving). */
  readonly ports: { readonly health: number; readonly metrics: number; readonly webhook: number };
  /** Stops everything in reverse order. */
  stop(): Promise<void>;
}

/**
 * Starts the controller process described by `flags`; resolves once it serves. Rejects with
 * MetalLBRunningError (code METALLB_RUNNING) before starting anything when MetalLB's pods run in
 * the namespace and --allow-metallb is not set.
 */
export async function startControllerApp(
  flags: ControllerFlags,
  deps: ControllerAppDeps,
): Promise<ControllerApp> {
  const { clock, wallClock, logger } = deps;
  const namespace = resolveNamespace(flags.namespace);
  const rest =
    deps.rest ??
    // The lean loader, as the speaker's: client-node's KubeConfig is loaded only for what it
    // cannot read itself (exec plugins, auth providers, several files), so a Pod's service
    // account and ordinary kubeconfigs start without evaluating it.
    createKubeRest(
      await loadKubeAuth({ kubeconfig: flags.kubeconfig, ...(deps.env ? { env: deps.env } : {}) }),
      { clock },
      {
        userAgent: deps.userAgent ?? 'ironlb-controller',
      },
    );
  // The coexistence guard, before informers and leader election: a controller beside MetalLB's
  // would allocate every address a second time.
  try {
    await guardCoexistence(
      { rest, clock, wallClock, logger },
      {
        namespace,
        allowMetalLB: flags.allowMetalLB,
        identity: flags.deployment ? { controllerDeployment: flags.deployment } : {},
        podName: flags.podName,
        component: 'metallb-controller',
        ...deps.coexistence,
      },
    );
  } catch (e) {
    rest.close();
    throw e;
  }
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
