// The speaker process, assembled from parsed flags: what MetalLB's speaker/main.go does —
// namespace, memberlist, API client, the speaker runtime, /healthz and /readyz on 127.0.0.1
// (host network), /metrics — and its stop. The protocol side (memberlist, Layer 2, BGP) is built by
// the app from the protocol libraries and handed in as ports, so that k8s-glue never imports them;
// apps/speaker/src/main.ts only wires and handles signals.
//
// Stopping (SIGTERM): a planned handover, which MetalLB does not have — memberlist is left first,
// so the other speakers elect new owners at once; this node keeps answering ARP/NDP until each of
// its addresses was announced by its next owner; BGP sessions close with Cease (or, where graceful
// restart was negotiated, without a NOTIFICATION so the router keeps the routes, RFC 4724).
import { hostname } from 'node:os';
import type { Clock, Logger, Metrics, WallClock } from '@ironlb/clock';
import { memberlistPlan, type MemberlistPlan } from '../announce/speaker-config.js';
import type { SpeakerFlags } from '../speaker/flags.js';
import { readPair, resolveNamespace } from './app-common.js';
import { guardCoexistence, type CoexistenceGuardOptions } from './coexistence-guard.js';
import { selfSignedServingCert } from './self-signed.js';
import { loadKubeAuth } from './lean-config.js';
import { createHealthServer, createMetricsServer } from './ops-server.js';
import { createKubeRest, type KubeRest } from './rest.js';
import { IronlbSpeaker } from './speaker.js';
import type { BgpPort, Layer2Port, MembershipPort } from './speaker-ports.js';

export type EnabledMemberlistPlan = Extract<MemberlistPlan, { enabled: true }>;

export interface SpeakerAppDeps {
  readonly clock: Clock;
  readonly wallClock: WallClock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Prometheus text of every metric (the app's registry). */
  readonly renderMetrics: () => Promise<string>;
  readonly metricsContentType: string;
  readonly random?: () => number;
  /** Default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** A ready-made API client (tests); default: from --kubeconfig / in-cluster config. */
  readonly rest?: KubeRest;
  /** User-Agent of API requests (default ironlb-speaker). */
  readonly userAgent?: string;
  readonly layer2: Layer2Port;
  readonly bgp: BgpPort;
  /** Starts memberlist as planned (called when METALLB_ML_BIND_ADDR and _LABELS are set). */
  readonly startMembership: (plan: EnabledMemberlistPlan) => Promise<MembershipPort>;
  /** The coexistence guard's timing (tests); defaults in CoexistenceGuardOptions. */
  readonly coexistence?: Pick<CoexistenceGuardOptions, 'recheckIntervalMs' | 'maxWaitMs'>;
}

export interface SpeakerApp {
  readonly speaker: IronlbSpeaker;
  readonly namespace: string;
  readonly membership: MembershipPort | undefined;
  /** Ports actually bound (0 = not serving). */
  readonly ports: { readonly health: number; readonly metrics: number };
  /**
   * Stops. `handOver` (SIGTERM): leave memberlist, answer until the next owners announced (at most
   * --handover-timeout), close BGP, delete this node's status objects; otherwise just stop.
   */
  stop(options?: { readonly handOver?: boolean }): Promise<void>;
}

/**
 * Starts the speaker described by `flags`; resolves once it has made its first decisions. Rejects
 * with MetalLBRunningError (code METALLB_RUNNING) before binding anything when MetalLB's pods run
 * in the namespace and --allow-metallb is not set.
 */
export async function startSpeakerApp(
  flags: SpeakerFlags,
  deps: SpeakerAppDeps,
): Promise<SpeakerApp> {
  const { clock, wallClock, logger } = deps;
  const namespace = resolveNamespace(flags.namespace);
  const plan = memberlistPlan(
    flags.nodeName,
    {
      mlBindAddr: flags.mlBindAddr,
      mlBindPort: flags.mlBindPort,
      mlLabels: flags.mlLabels,
      mlNamespace: flags.mlNamespace,
      namespace,
      mlSecretKeyPath: flags.mlSecretKeyPath,
      mlWanConfig: flags.mlWanConfig,
      ...(flags.mlProfile ? { mlProfile: flags.mlProfile } : {}),
    },
    {},
  );
  for (const l of plan.log) logger[l.level]({ ...l.fields }, l.msg);

  const stack: (() => Promise<void> | void)[] = [];
  const unwind = async () => {
    for (const f of stack.splice(0).reverse()) {
      try {
        await f();
      } catch (e) {
        logger.warn({ op: 'shutdown', error: String(e) }, 'stopping a component failed');
      }
    }
  };
  try {
    // Layer 2 is the app's (its sockets are open already): closed whatever fails below.
    stack.push(() => deps.layer2.close());
    // The lean loader: client-node's KubeConfig only for what it cannot read itself (issue 17's
    // memory budget).
    const rest =
      deps.rest ??
      createKubeRest(
        await loadKubeAuth({
          kubeconfig: flags.kubeconfig,
          ...(deps.env ? { env: deps.env } : {}),
        }),
        { clock },
        { userAgent: deps.userAgent ?? 'ironlb-speaker' },
      );
    stack.push(() => rest.close());
    // The coexistence guard before anything is bound or announced: MetalLB's speakers answer for
    // the same addresses, and its memberlist cannot talk to ours.
    await guardCoexistence(
      { rest, clock, wallClock, logger },
      {
        namespace,
        allowMetalLB: flags.allowMetalLB,
        podName: flags.podName,
        component: 'metallb-speaker',
        ...deps.coexistence,
      },
    );
    // memberlist next: a port taken by another speaker is a reason not to start at all.
    let membership: MembershipPort | undefined;
    if (plan.enabled) {
      membership = await deps.startMembership(plan);
      const m = membership;
      stack.push(() => m.close());
      logger.info(
        { op: 'startup', bind: plan.bindAddr, profile: plan.profile },
        'memberlist started (fast dead node detection)',
      );
    }
    const speaker = new IronlbSpeaker(
      {
        rest,
        clock,
        wallClock,
        logger,
        metrics: deps.metrics,
        ...(deps.random ? { random: deps.random } : {}),
        layer2: deps.layer2,
        bgp: deps.bgp,
        ...(membership ? { membership } : {}),
      },
      {
        namespace,
        nodeName: flags.nodeName,
        ...(flags.podName ? { podName: flags.podName } : {}),
        ...(flags.lbClass ? { loadBalancerClass: flags.lbClass } : {}),
        ignoreExcludeLb: flags.ignoreExcludeLb,
        ...(plan.enabled
          ? {
              memberlist: {
                namespace: plan.namespace,
                podLabelSelector: plan.podLabelSelector,
                port: flags.mlBindPort,
              },
            }
          : {}),
      },
    );

    // Host network: the probes listen on loopback only (MetalLB does the same).
    const health = createHealthServer(
      { ready: () => speaker.ready },
      { port: flags.healthProbePort, host: '127.0.0.1' },
    );
    const healthPort = (await health.listen()).port;
    stack.push(() => health.close());

    let metricsPort = 0;
    if (flags.metricsPort > 0) {
      const pair = flags.metricsCertDir
        ? readPair(flags.metricsCertDir, '--metrics-cert-dir')
        : // MetalLB makes one in memory too; node:crypto alone, without the x509 stack.
          selfSignedServingCert([hostname(), 'localhost'], wallClock.epochMs());
      const metrics = createMetricsServer(
        { render: deps.renderMetrics, contentType: deps.metricsContentType },
        {
          port: flags.metricsPort,
          ...(flags.host ? { host: flags.host } : {}),
          ...pair,
          minTlsVersion: flags.tlsMinVersion,
          ...(flags.tlsCiphers ? { ciphers: flags.tlsCiphers } : {}),
          ...(flags.tlsCurves ? { ecdhCurve: flags.tlsCurves } : {}),
        },
      );
      metricsPort = (await metrics.listen()).port;
      stack.push(() => metrics.close());
    }

    stack.push(() => speaker.stop());
    stack.push(() => deps.bgp.stop('ironlb-speaker stopping'));
    await speaker.start();
    logger.info(
      {
        op: 'startup',
        namespace,
        node: flags.nodeName,
        memberlist: plan.enabled,
        healthPort,
        metricsPort,
      },
      'speaker started',
    );

    let stopping: Promise<void> | undefined;
    return {
      speaker,
      namespace,
      membership,
      ports: { health: healthPort, metrics: metricsPort },
      stop(options = {}) {
        stopping ??= (async () => {
          if (options.handOver) {
            const t0 = clock.now();
            const [left] = await Promise.all([
              speaker.handOver(flags.handoverTimeoutMs),
              deps.bgp.stop('ironlb-speaker: planned shutdown'),
            ]);
            logger.info(
              {
                op: 'shutdown',
                handoverMs: Math.round(clock.now() - t0),
                notTakenOver: left.length,
              },
              'handed over',
            );
            await speaker.clearStatuses(2000);
          }
          await unwind();
        })();
        return stopping;
      },
    };
  } catch (e) {
    await unwind();
    throw e;
  }
}
