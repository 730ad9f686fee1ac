#!/usr/bin/env node
// ironlb-test-apiserver: run the test API server as a process (for the lab and for restart tests).
//   ironlb-test-apiserver --listen 127.0.0.1:0 --kubeconfig FILE [--http] [--data FILE]
//                         [--service-cluster-ip-range CIDR[,CIDR]] [--service-node-port-range A-B]
//                         [--watch-cache-size N] [--audit-log FILE] [--anonymous-access full|rbac]
//                         [--token-auth-file FILE] [--admission-webhooks call|off]
//                         [--garbage-collector on|off]
// Prints the URL on stdout (one line) once listening; exits 0 on SIGTERM/SIGINT after ending
// watches and flushing --data.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startTestApiServer, type TestApiServerOptions } from './start.ts';

const USAGE = `usage: ironlb-test-apiserver --listen HOST:PORT --kubeconfig FILE [--http] [--data FILE]
  [--service-cluster-ip-range CIDR[,CIDR]] [--service-node-port-range MIN-MAX] [--watch-cache-size N]
  [--bookmark-interval-ms N] [--audit-log FILE] [--anonymous-access full|rbac]
  [--token-auth-file FILE] [--admission-webhooks call|off] [--garbage-collector on|off]
  --token-auth-file: lines token,user,uid[,"group1,group2"] (kube-apiserver's format)`;

/** kube-apiserver's --token-auth-file: token,user,uid[,"group1,group2"] per line. */
function tokenFile(text: string): NonNullable<TestApiServerOptions['staticTokens']> {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const m = /^([^,]+),([^,]+),([^,]*)(?:,"?([^"]*)"?)?$/.exec(l);
      if (!m) throw new Error(`--token-auth-file: bad line ${JSON.stringify(l)}`);
      const t: NonNullable<TestApiServerOptions['staticTokens']>[number] = {
        token: m[1] as string,
        username: m[2] as string,
      };
      if (m[3]) t.uid = m[3];
      if (m[4]) t.groups = m[4].split(',').filter(Boolean);
      return t;
    });
}

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
        'audit-log': { type: 'string' },
        'anonymous-access': { type: 'string' },
        'token-auth-file': { type: 'string' },
        'admission-webhooks': { type: 'string' },
        'garbage-collector': { type: 'string' },
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
  if (values['audit-log']) opts.auditLogPath = values['audit-log'];
  const choice = <T extends string>(flag: string, v: string | undefined, allowed: T[]) => {
    if (v === undefined) return undefined;
    if (!allowed.includes(v as T))
      throw new Error(`--${flag} must be one of ${allowed.join(', ')}`);
    return v as T;
  };
  const anon = choice('anonymous-access', values['anonymous-access'], ['full', 'rbac']);
  if (anon) opts.anonymousAccess = anon;
  const hooks = choice('admission-webhooks', values['admission-webhooks'], ['call', 'off']);
  if (hooks) opts.admissionWebhooks = hooks;
  const gc = choice('garbage-collector', values['garbage-collector'], ['on', 'off']);
  if (gc) opts.garbageCollector = gc;
  if (values['token-auth-file'])
    opts.staticTokens = tokenFile(readFileSync(values['token-auth-file'], 'utf8'));
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
