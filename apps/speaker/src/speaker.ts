// ironlb-speaker (loaded by the launcher, main.ts): flags and environment → logger, metrics, the protocol side (memberlist, Layer 2,
// BGP + BFD) and the speaker process from @ironlb/k8s-glue/kube → run until SIGTERM/SIGINT →
// hand over and stop. Wiring only: every decision lives in @ironlb/k8s-glue and the protocol
// libraries, and is tested there (DESIGN.md §3).
import { systemClock, systemWallClock } from '@ironlb/clock';
import { createAppLogger } from '@ironlb/clock/pino';
import { prometheusMetrics } from '@ironlb/clock/prometheus';
import { collectDefaultMetrics } from 'prom-client';
import { K8sGlueError, parseSpeakerFlags, speakerUsage } from '@ironlb/k8s-glue';
import { startSpeakerApp } from '@ironlb/k8s-glue/kube';
import { createSpeakerBgp } from './bgp.js';
import { createSpeakerLayer2 } from './layer2.js';
import { startMembershipThread, type MembershipThread } from './membership-thread.js';

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseSpeakerFlags(process.argv.slice(2), process.env);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${speakerUsage()}`);
    return 2;
  }
  const { flags, warnings } = parsed;
  if (flags.help) {
    process.stdout.write(speakerUsage());
    return 0;
  }
  const logger = createAppLogger({ level: flags.logLevel as 'info' });
  for (const w of warnings) logger.warn({ op: 'startup' }, w);
  logger.info(
    { op: 'startup', version: '0.1.0', node: process.version, nodeName: flags.nodeName },
    'IronLB speaker starting',
  );
  const metrics = prometheusMetrics({ prefix: 'metallb_' });
  // Process and runtime figures (RSS, heap, event-loop lag, GC), as MetalLB exports Go's.
  collectDefaultMetrics({ register: metrics.registry });
  const deps = { clock: systemClock, logger, metrics };
  const layer2 = createSpeakerLayer2(deps, { refreshIntervalMs: flags.gratuitousArpIntervalMs });
  const bgp = createSpeakerBgp(deps, { nodeName: flags.nodeName });
  let membership: MembershipThread | undefined;
  let app: Awaited<ReturnType<typeof startSpeakerApp>>;
  try {
    app = await startSpeakerApp(flags, {
      ...deps,
      wallClock: systemWallClock,
      // memberlist runs in a worker thread: its metrics come from there.
      renderMetrics: async () => {
        await membership?.syncMetrics().catch(() => undefined);
        return metrics.registry.metrics();
      },
      metricsContentType: metrics.registry.contentType,
      layer2,
      bgp,
      startMembership: async (plan) => {
        membership = await startMembershipThread(
          { logger, metrics },
          {
            nodeName: plan.name,
            bindAddr: flags.mlBindAddr,
            bindPort: flags.mlBindPort,
            secretKeyPath: flags.mlSecretKeyPath,
            profile: plan.profile,
            keyRotationGraceMs: flags.mlKeyRotationGraceMs,
            logLevel: flags.logLevel,
          },
        );
        membership.onWedged(() => {
          logger.error(
            { op: 'memberlist' },
            'this thread was unresponsive and memberlist left the cluster: exiting to be restarted',
          );
          process.exit(1);
        });
        return membership;
      },
    });
  } catch (e) {
    logger.error(
      {
        op: 'startup',
        error: String(e),
        code: e instanceof K8sGlueError ? e.code : (e as { code?: string }).code,
      },
      'failed to start',
    );
    return 1;
  }
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info({ op: 'shutdown', signal }, 'starting shutdown');
  await app.stop({ handOver: true });
  logger.info({ op: 'shutdown' }, 'done');
  return 0;
}

// Exit once stopped: a retry timer or a keep-alive socket left somewhere must not hold the node's
// handover (and the pod's termination) open.
process.exit(await main());
