// ironlb-controller: flags and environment → logger, metrics and the controller process from
// @ironlb/k8s-glue/kube → run until SIGTERM/SIGINT → stop in reverse. Wiring only: every decision
// lives in @ironlb/k8s-glue and @ironlb/ipam and is tested there (DESIGN.md §3).
import { randomBytes } from 'node:crypto';
import { systemClock, systemWallClock } from '@ironlb/clock';
import { createAppLogger } from '@ironlb/clock/pino';
import { prometheusMetrics } from '@ironlb/clock/prometheus';
import { K8sGlueError, controllerUsage, parseControllerFlags } from '@ironlb/k8s-glue';
import { startControllerApp } from '@ironlb/k8s-glue/kube';

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseControllerFlags(process.argv.slice(2), process.env);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${controllerUsage()}`);
    return 2;
  }
  const { flags, warnings } = parsed;
  if (flags.help) {
    process.stdout.write(controllerUsage());
    return 0;
  }
  const logger = createAppLogger({ level: flags.logLevel as 'info' });
  for (const w of warnings) logger.warn({ op: 'startup' }, w);
  logger.info(
    { op: 'startup', version: '0.1.0', node: process.version },
    'IronLB controller starting',
  );
  const metrics = prometheusMetrics({ prefix: 'metallb_' });
  let app: Awaited<ReturnType<typeof startControllerApp>>;
  try {
    app = await startControllerApp(flags, {
      clock: systemClock,
      wallClock: systemWallClock,
      logger,
      metrics,
      renderMetrics: () => metrics.registry.metrics(),
      metricsContentType: metrics.registry.contentType,
      randomBytes: (n) => randomBytes(n),
    });
  } catch (e) {
    logger.error(
      { op: 'startup', error: String(e), code: e instanceof K8sGlueError ? e.code : undefined },
      'failed to start',
    );
    return 1;
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ op: 'shutdown', signal }, 'stopping');
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await app.stop();
  logger.info({ op: 'shutdown' }, 'stopped');
  return 0;
}

process.exitCode = await main();
