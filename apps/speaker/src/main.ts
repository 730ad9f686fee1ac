// ironlb-speaker: flags and environment → logger, metrics, the protocol side (memberlist, Layer 2,
// BGP + BFD) and the speaker process from @ironlb/k8s-glue/kube → run until SIGTERM/SIGINT →
// hand over and stop. Wiring only: every decision lives in @ironlb/k8s-glue and the protocol
// libraries, and is tested there (DESIGN.md §3).
import { backgroundClock, systemClock, systemWallClock } from '@ironlb/clock';
import { createAppLogger } from '@ironlb/clock/pino';
import { prometheusMetrics } from '@ironlb/clock/prometheus';
import { K8sGlueError, parseSpeakerFlags, speakerUsage } from '@ironlb/k8s-glue';
import { startSpeakerApp } from '@ironlb/k8s-glue/kube';
import { createSpeakerBgp } from './bgp.js';
import { createSpeakerLayer2 } from './layer2.js';
import { startMembership } from './membership.js';

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
  const deps = { clock: systemClock, logger, metrics };
  const layer2 = createSpeakerLayer2(deps, { refreshIntervalMs: flags.gratuitousArpIntervalMs });
  const bgp = createSpeakerBgp(deps, { nodeName: flags.nodeName });
  let app: Awaited<ReturnType<typeof startSpeakerApp>>;
  try {
    app = await startSpeakerApp(flags, {
      ...deps,
      wallClock: systemWallClock,
      renderMetrics: () => metrics.registry.metrics(),
      metricsContentType: metrics.registry.contentType,
      layer2,
      bgp,
      startMembership: (plan) =>
        startMembership(
          // Background timers: memberlist never keeps the process alive on its own.
          { ...deps, clock: backgroundClock },
          {
            nodeName: plan.name,
            bindAddr: flags.mlBindAddr,
            bindPort: flags.mlBindPort,
            secretKeyPath: flags.mlSecretKeyPath,
            profile: plan.profile,
          },
        ),
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

process.exitCode = await main();
