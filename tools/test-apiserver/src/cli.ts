#!/usr/bin/env node
// ironlb-test-apiserver: run the test API server as a process (for the lab and for restart tests).
//   ironlb-test-apiserver --listen 127.0.0.1:0 --kubeconfig FILE [--http] [--data FILE]
//                         [--service-cluster-ip-range CIDR[,CIDR]] [--service-node-port-range A-B]
//                         [--watch-cache-size N]
// Prints the URL on stdout (one line) once listening; exits 0 on SIGTERM/SIGINT after ending
// watches and flushing --data.
import { parseArgs } from 'node:util';
import { startTestApiServer, type TestApiServerOptions } from './start.ts';

const USAGE = `usage: ironlb-test-apiserver --listen HOST:PORT --kubeconfig FILE [--http] [--data FILE]
  [--service-cluster-ip-range CIDR[,CIDR]] [--service-node-port-range MIN-MAX] [--watch-cache-size N]
  [--bookmark-interval-ms N]`;

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        listen: { type: 'string', default: '127.0.0.1:0' },
        kubeconfig: { type: 'string' },
        http: { type: 'boolean', default: false },
        data: { type: 'string' },
        'service-cluster-ip-range': { type: 'string' },
        'service-node-port-range': { type: 'string' },
        'watch-cache-size': { type: 'string' },
        'bookmark-interval-ms': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const opts: TestApiServerOptions = {
    listen: values.listen,
    tls: !values.http,
    withoutClient: true,
  };
  if (values.kubeconfig) opts.kubeconfigPath = values.kubeconfig;
  if (values.data) opts.dataFile = values.data;
  if (values['service-cluster-ip-range'])
    opts.serviceClusterIPRanges = values['service-cluster-ip-range'].split(',');
  if (values['service-node-port-range'])
    opts.serviceNodePortRange = values['service-node-port-range'];
  if (values['watch-cache-size']) opts.watchCacheSize = Number(values['watch-cache-size']);
  if (values['bookmark-interval-ms'])
    opts.bookmarkIntervalMs = Number(values['bookmark-interval-ms']);
  const server = await startTestApiServer(opts);
  process.stdout.write(`${server.url}\n`);
  let stopping = false;
  const shutdown = (sig: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`ironlb-test-apiserver: ${sig}, shutting down\n`);
    server.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`shutdown failed: ${(e as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((e: unknown) => {
  process.stderr.write(`ironlb-test-apiserver: ${(e as Error).message}\n`);
  process.exit(1);
});
