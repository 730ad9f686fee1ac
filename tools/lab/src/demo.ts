// `npm run demo` (issue 18): the seed articles' journey on a virtual bare-metal cluster. The lab
// comes up with IronLB installed from deploy/, the seeds' IPAddressPool + L2Advertisement are
// applied (only their addresses rewritten into documentation ranges), nginx is created and
// exposed as a LoadBalancer as the seeds do, a dual-stack Service and a BGP announcement go beside
// it, then the announcing node is crashed (client-side failover measured), another drained (zero
// failed requests expected) and the seeds' pre-0.13 ConfigMap converted and applied. Everything is
// removed at the end unless --keep.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeBinary, workspaceRoot } from '@ironlb/netns-kit';
import { control, downLab, inHost, kubectl, upLab, type LabInfo } from './lab.ts';
import { resolveScenario } from './plan.ts';
import { waitFor } from './wait.ts';

export { waitFor };

export interface DemoOptions {
  name: string;
  keep: boolean;
  say: (line: string) => void;
}

interface Row {
  step: string;
  result: string;
  ok: boolean;
}

const SEEDS = join(workspaceRoot, 'tools', 'lab', 'fixtures', 'seeds');

// BGP to the lab's router (AS 64512, dynamic neighbours), IPv4 and IPv6 sessions, a pool in
// documentation ranges that only Services asking for it get.
export const BGP_CONFIG = `apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: {name: router, namespace: metallb-system}
spec: {myASN: 64500, peerASN: 64512, peerAddress: 198.51.100.1}
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: {name: router-v6, namespace: metallb-system}
spec: {myASN: 64500, peerASN: 64512, peerAddress: "2001:db8:1::1"}
---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: bgp-pool, namespace: metallb-system}
spec: {addresses: [192.0.2.0/26, "2001:db8:3::/120"], autoAssign: false, avoidBuggyIPs: true}
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: {name: bgp, namespace: metallb-system}
spec: {ipAddressPools: [bgp-pool], communities: ["64512:100"], localPref: 120}
`;

export const DUAL_STACK_SERVICE = `apiVersion: v1
kind: Service
metadata: {name: web-bgp, namespace: default, annotations: {metallb.io/address-pool: bgp-pool}}
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  ipFamilyPolicy: RequireDualStack
  ipFamilies: [IPv4, IPv6]
  selector: {app: nginx}
  ports: [{port: 80, targetPort: 80}]
`;

/** The seeds' pool addresses are private ranges; the lab uses documentation ones. */
export function rewriteSeedAddresses(
  yaml: string,
  range: string,
): { yaml: string; from: string[] } {
  const from: string[] = [];
  const out = yaml.replace(
    /^(\s*-\s*)(\d+\.\d+\.\d+\.\d+(?:-\d+\.\d+\.\d+\.\d+|\/\d+))\s*$/gm,
    (_m, lead: string, addr: string) => {
      from.push(addr);
      return `${lead}${range}`;
    },
  );
  return { yaml: out, from };
}

export interface ProbeRecord {
  /** ms since `startProber` was called (the caller's clock, from the prober's `at`). */
  t: number;
  /** When the request was sent, epoch ms. */
  at?: number;
  ok: boolean;
  node?: string;
  error?: string;
  /** How long the request took, ms. */
  ms?: number;
}

export interface ProberOptions {
  /** Each request's deadline. Default 250 ms. */
  timeoutMs?: number;
  /** Stop after this many requests. Default: only the duration bounds it. */
  count?: number;
}

/**
 * Starts the request loop in a client host; `stop()` ends it and `done()` waits for it to end by
 * itself (duration or count), both returning every request's record.
 */
export function startProber(
  info: LabInfo,
  from: string,
  url: string,
  durationMs: number,
  intervalMs = 20,
  opts: ProberOptions = {},
): { stop(): Promise<ProbeRecord[]>; done(): Promise<ProbeRecord[]>; startedAt: number } {
  const argv = inHost(info, from, [
    nodeBinary(),
    join(workspaceRoot, 'tools', 'lab', 'src', 'prober.ts'),
    '--url',
    url,
    '--interval-ms',
    String(intervalMs),
    '--duration-ms',
    String(durationMs),
    ...(opts.timeoutMs !== undefined ? ['--timeout-ms', String(opts.timeoutMs)] : []),
    ...(opts.count !== undefined ? ['--count', String(opts.count)] : []),
  ]);
  const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  const startedAt = Date.now();
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  // The prober's own `t` starts once node has started in the host, a few hundred ms after
  // startedAt: rebase on its wall-clock `at` so `t` is on the caller's timeline.
  const records = () =>
    out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as ProbeRecord)
      .map((r) => (r.at === undefined ? r : { ...r, t: r.at - startedAt }));
  return {
    startedAt,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      return records();
    },
    async done() {
      await exited;
      return records();
    },
  };
}

/**
 * Failover as the client saw it, from `atMs` (ms since the prober started): the outage from the
 * crash to the first request that succeeded after the last one that failed. The `node` a reply
 * names is the pod's node, not the node the address reached (kube-proxy forwards), so requests
 * are judged by success alone. 0 when nothing failed; undefined when nothing succeeded after.
 */
export function failoverMs(records: ProbeRecord[], atMs: number): number | undefined {
  const after = records.filter((r) => r.t >= atMs).sort((a, b) => a.t - b.t);
  const lastFailed = after.filter((r) => !r.ok).at(-1);
  if (!lastFailed) return after.length > 0 ? 0 : undefined;
  const back = after.find((r) => r.ok && r.t > lastFailed.t);
  return back ? back.t - atMs : undefined;
}

export function must(r: { code: number; stdout: string; stderr: string }, what: string): string {
  if (r.code !== 0) throw new Error(`${what} failed: ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** The next hops the lab's router holds for a BGP-learned prefix (`ip route` is per family). */
export function routerNextHops(lab: LabInfo, family: '-4' | '-6', dst: string): string[] {
  type Route = { dst: string; nexthops?: { gateway: string }[] };
  const argv = inHost(lab, 'router', ['ip', family, '-j', 'route', 'show', 'proto', 'bgp']);
  const out = spawnSync(argv[0] as string, argv.slice(1), { encoding: 'utf8' }).stdout;
  let routes: Route[] = [];
  try {
    routes = JSON.parse(out || '[]') as Route[];
  } catch {
    return [];
  }
  return routes.find((r) => r.dst === dst)?.nexthops?.map((n) => n.gateway) ?? [];
}

/** The node announcing the lab's first Layer 2 Service (its ServiceL2Status). */
export function l2Announcer(lab: LabInfo): string {
  return kubectl(lab, [
    'get',
    'servicel2statuses',
    '-n',
    'metallb-system',
    '-o',
    'jsonpath={.items[0].status.node}',
  ]).stdout.trim();
}

export async function runDemo(o: DemoOptions): Promise<Row[]> {
  const rows: Row[] = [];
  const say = o.say;
  const t0 = Date.now();
  const step = (title: string) => say(`\n== ${title}`);
  let info: LabInfo | undefined;
  try {
    step(
      '1. A bare-metal cluster in network namespaces, with IronLB installed from deploy/ironlb-native.yaml',
    );
    info = await upLab({
      name: o.name,
      scenario: resolveScenario(undefined),
      ironlb: true,
      progress: (l) => say(`   ${l}`),
    });
    const lab = info;
    const k = (args: string[], input?: string) =>
      must(kubectl(lab, args, input), `kubectl ${args.join(' ')}`);
    say(k(['get', 'nodes', '-o', 'wide']).replace(/^/gm, '   '));
    say(k(['get', 'po', '-n', 'metallb-system']).replace(/^/gm, '   '));
    rows.push({
      step: 'lab up, IronLB installed',
      result: `${((Date.now() - t0) / 1000).toFixed(0)} s`,
      ok: true,
    });

    step("2. The seeds' kube-proxy strictARP step");
    const cm = k(['get', 'configmap', 'kube-proxy', '-n', 'kube-system', '-o', 'yaml']).replace(
      'strictARP: false',
      'strictARP: true',
    );
    const diff = kubectl(lab, ['diff', '-f', '-', '-n', 'kube-system'], cm);
    say(
      diff.stdout
        .split('\n')
        .filter((l) => /^[+-]\s+strictARP/.test(l))
        .map((l) => `   ${l}`)
        .join('\n'),
    );
    k(['apply', '-f', '-', '-n', 'kube-system'], cm);

    step("3. The seeds' IPAddressPool and L2Advertisement (seed 001), addresses rewritten");
    const seed = readFileSync(join(SEEDS, '001-crs.yaml'), 'utf8');
    const { yaml, from } = rewriteSeedAddresses(seed, '198.51.100.200-198.51.100.250');
    say(
      `   addresses: ${from.join(', ')} → 198.51.100.200-198.51.100.250 (documentation range of the lab's segment)`,
    );
    say(k(['apply', '-f', '-'], yaml).replace(/^/gm, '   '));

    step('4. nginx, exposed as the seeds do');
    say(
      k([
        'create',
        'deploy',
        'nginx',
        '--image',
        'nginx:latest',
        '--port',
        '80',
        '-n',
        'default',
      ]).replace(/^/gm, '   '),
    );
    say(
      k([
        'expose',
        'deployment',
        'nginx',
        '--name',
        'nginx-lb',
        '--port',
        '8080',
        '--target-port',
        '80',
        '--type',
        'LoadBalancer',
        '-n',
        'default',
      ]).replace(/^/gm, '   '),
    );
    const ip = await waitFor(
      'an EXTERNAL-IP',
      () =>
        kubectl(lab, [
          'get',
          'svc',
          'nginx-lb',
          '-o',
          'jsonpath={.status.loadBalancer.ingress[0].ip}',
        ]).stdout.trim(),
      (s) => s !== '',
      30_000,
    );
    await waitFor(
      'nginx ready',
      () =>
        kubectl(lab, [
          'get',
          'deploy',
          'nginx',
          '-o',
          'jsonpath={.status.readyReplicas}',
        ]).stdout.trim(),
      (s) => s === '1',
      30_000,
    );
    say(k(['get', 'svc']).replace(/^/gm, '   '));
    const curl = spawnSync(
      inHost(lab, 'client', ['curl', '-sS', '-m', '3', `http://${ip}:8080/`])[0] as string,
      inHost(lab, 'client', ['curl', '-sS', '-m', '3', `http://${ip}:8080/`]).slice(1),
      { encoding: 'utf8' },
    );
    say(`   client$ curl http://${ip}:8080/ → ${curl.stdout.trim() || curl.stderr.trim()}`);
    rows.push({
      step: `EXTERNAL-IP ${ip}, reached from client`,
      result: curl.stdout.trim() ? 'yes' : 'no',
      ok: curl.status === 0,
    });
    say(
      k(['describe', 'service', 'nginx-lb'])
        .split('\n')
        .filter((l) => /Events|nodeAssigned|IPAllocated/.test(l))
        .map((l) => `   ${l}`)
        .join('\n'),
    );

    step(
      '5. A dual-stack Service over BGP: the router learns it from every node (ECMP), IPv4 and IPv6',
    );
    // Three nginx replicas, one per node, and externalTrafficPolicy Local: every node has an
    // endpoint, announces, and serves what reaches it — so the answers show which node ECMP chose.
    k(['scale', 'deployment', 'nginx', '--replicas', '3']);
    await waitFor(
      '3 nginx replicas ready',
      () =>
        kubectl(lab, [
          'get',
          'deploy',
          'nginx',
          '-o',
          'jsonpath={.status.readyReplicas}',
        ]).stdout.trim(),
      (s) => s === '3',
      30_000,
    );
    say(k(['apply', '-f', '-'], BGP_CONFIG).replace(/^/gm, '   '));
    k(['apply', '-f', '-'], DUAL_STACK_SERVICE);
    const ips = await waitFor(
      'two addresses',
      () =>
        kubectl(lab, [
          'get',
          'svc',
          'web-bgp',
          '-o',
          'jsonpath={.status.loadBalancer.ingress[*].ip}',
        ])
          .stdout.trim()
          .split(/\s+/)
          .filter(Boolean),
      (a) => a.length === 2,
      30_000,
    );
    say(k(['get', 'svc', 'web-bgp']).replace(/^/gm, '   '));
    const v4 = ips.find((ip) => !ip.includes(':')) as string;
    const v6 = ips.find((ip) => ip.includes(':')) as string;
    // `ip route` lists one family at a time: ask for each, and wait until each prefix has a next
    // hop through every node.
    const nextHops = (family: '-4' | '-6', dst: string) => routerNextHops(lab, family, dst);
    const [hops, hops6] = await waitFor(
      'the router holding both prefixes with three next hops each',
      () => [nextHops('-4', v4), nextHops('-6', v6)] as const,
      ([a, b]) => a.length === 3 && b.length === 3,
      60_000,
    );
    say(`   router: ${v4}/32 via ${hops.join(', ')}`);
    say(`   router: ${v6}/128 via ${hops6.join(', ')}`);
    const spread = new Map<string, number>();
    for (let i = 0; i < 60; i++) {
      const argv = inHost(lab, 'client-wan', ['curl', '-s', '-m', '2', `http://${v4}/`]);
      const m = /node=(\S+)/.exec(
        spawnSync(argv[0] as string, argv.slice(1), { encoding: 'utf8' }).stdout,
      );
      if (m?.[1]) spread.set(m[1], (spread.get(m[1]) ?? 0) + 1);
    }
    const argv6 = inHost(lab, 'client-wan', ['curl', '-s', '-m', '2', `http://[${v6}]/`]);
    const over6 = spawnSync(argv6[0] as string, argv6.slice(1), { encoding: 'utf8' }).stdout.trim();
    say(
      `   client-wan → ${v4}: 60 requests served by ${[...spread].map(([n, c]) => `${n} ${c}`).join(', ')}; → [${v6}]: ${over6}`,
    );
    rows.push({
      step: 'BGP: dual-stack Service, ECMP from client-wan',
      result: `${hops.length}/${hops6.length} next hops (v4/v6), ${spread.size} nodes serving, IPv6 ${over6 ? 'ok' : 'failed'}`,
      ok: hops.length === 3 && hops6.length === 3 && spread.size >= 2 && over6.startsWith('pod='),
    });

    // Failover: crash the node announcing the address, measure at the client.
    step('6. Crash the announcing node; the client measures failover');
    k(['scale', 'deployment', 'nginx', '--replicas', '3']);
    await waitFor(
      '3 nginx replicas ready',
      () =>
        kubectl(lab, [
          'get',
          'deploy',
          'nginx',
          '-o',
          'jsonpath={.status.readyReplicas}',
        ]).stdout.trim(),
      (s) => s === '3',
      30_000,
    );
    const announcer = await waitFor(
      'ServiceL2Status',
      () =>
        kubectl(lab, [
          'get',
          'servicel2statuses',
          '-n',
          'metallb-system',
          '-o',
          'jsonpath={.items[0].status.node}',
        ]).stdout.trim(),
      (s) => s !== '',
      20_000,
    );
    say(`   ${ip} is announced from ${announcer}`);
    const probe = startProber(lab, 'client', `http://${ip}:8080/`, 20_000);
    await new Promise((r) => setTimeout(r, 2000));
    const crashAt = Date.now() - probe.startedAt;
    await control(lab.name, 'crash', { node: announcer });
    await new Promise((r) => setTimeout(r, 4000));
    const recs = await probe.stop();
    const fo = failoverMs(recs, crashAt);
    const failed = recs.filter((r) => r.t >= crashAt && !r.ok).length;
    say(
      `   failover at the client: ${fo === undefined ? 'no success after the crash' : `${fo} ms`} (${failed} requests failed meanwhile; MetalLB needs ~6 s just to detect)`,
    );
    rows.push({
      step: `L2 crash failover (${announcer})`,
      result: fo === undefined ? 'none' : `${fo} ms`,
      ok: fo !== undefined && fo <= 2000,
    });
    await control(lab.name, 'restore', { node: announcer });

    step('7. Drain the node now announcing: a planned handover, zero failed requests expected');
    const now = await waitFor(
      'a new announcer',
      () =>
        kubectl(lab, [
          'get',
          'servicel2statuses',
          '-n',
          'metallb-system',
          '-o',
          'jsonpath={.items[0].status.node}',
        ]).stdout.trim(),
      (s) => s !== '' && s !== announcer,
      20_000,
    );
    const probe2 = startProber(lab, 'client', `http://${ip}:8080/`, 30_000);
    await new Promise((r) => setTimeout(r, 1000));
    const drainAt = Date.now() - probe2.startedAt;
    const d = await control<{ stopMs: number }>(lab.name, 'drain', { node: now });
    await new Promise((r) => setTimeout(r, 2000));
    const recs2 = await probe2.stop();
    const bad2 = recs2.filter((r) => r.t >= drainAt && !r.ok);
    // ECONNRESET: an established connection reset. A connection open at the instant the client's
    // neighbour entry moves goes on at the new node, which has no such connection and resets it:
    // Layer 2 cannot move a TCP connection between nodes (MetalLB neither). Those are reported;
    // they must all have been open at one instant (one move). Every other failure is a request
    // the handover left unanswered, and there must be none.
    const cut2 = bad2.filter((r) => r.error === 'ECONNRESET');
    const failed2 = bad2.length - cut2.length;
    const oneInstant =
      cut2.length === 0 ||
      Math.max(...cut2.map((r) => r.t)) <= Math.min(...cut2.map((r) => r.t + (r.ms ?? 0)));
    say(
      `   drained ${now}: speaker stopped in ${d.stopMs} ms; ${recs2.filter((r) => r.t >= drainAt).length} requests, ${failed2} failed${cut2.length > 0 ? `, ${cut2.length} open at the neighbour move reset` : ''}`,
    );
    // A failure says when it was sent and why, so a reader can tell the handover from the rest.
    for (const r of bad2.slice(0, 5))
      say(
        `   failed: sent ${Math.round(r.t - drainAt)} ms into the drain: ${r.error ?? 'bad answer'}`,
      );
    rows.push({
      step: `planned handover (drain ${now})`,
      result: `${failed2} failed requests${cut2.length > 0 ? ` (+${cut2.length} open connection reset)` : ''}`,
      ok: failed2 === 0 && oneInstant,
    });
    await control(lab.name, 'restore', { node: now });

    step("8. The seeds' pre-0.13 ConfigMap, converted and applied");
    // The webhook answers from the controller, which may have run on a node crashed or drained
    // above: wait until its Service has a ready endpoint again, or `kubectl apply` fails ("no endpoints available").
    await waitFor(
      'the webhook Service to have an endpoint',
      () =>
        kubectl(lab, [
          'get',
          'endpointslices',
          '-n',
          'metallb-system',
          '-l',
          'kubernetes.io/service-name=metallb-webhook-service',
          '-o',
          'jsonpath={.items[*].endpoints[?(@.conditions.ready==true)].addresses[*]}',
        ]).stdout.trim(),
      (s) => s !== '',
      60_000,
    );
    const legacy = rewriteSeedAddresses(
      readFileSync(join(SEEDS, '000-configmap.yaml'), 'utf8'),
      '198.51.100.150-198.51.100.159',
    );
    const conv = spawnSync(
      nodeBinary(),
      [join(workspaceRoot, 'packages', 'k8s-glue', 'bin', 'ironlb-convert-configmap.js')],
      { input: legacy.yaml, encoding: 'utf8' },
    );
    say(conv.stdout.replace(/^/gm, '   '));
    say(k(['apply', '-f', '-'], conv.stdout).replace(/^/gm, '   '));
    rows.push({
      step: 'pre-0.13 ConfigMap converted and applied',
      result: conv.status === 0 ? 'applied' : 'failed',
      ok: conv.status === 0,
    });
  } catch (e) {
    rows.push({ step: 'demo', result: (e as Error).message.split('\n')[0] ?? 'failed', ok: false });
  } finally {
    if (!o.keep && info) {
      say('\n== Removing the lab');
      await downLab(o.name);
    }
  }
  say(`\n== Summary (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  const w = Math.max(...rows.map((r) => r.step.length));
  for (const r of rows) say(`   ${r.ok ? 'ok  ' : 'FAIL'}  ${r.step.padEnd(w)}  ${r.result}`);
  if (o.keep && info)
    say(
      `\nThe lab is still up: npm run lab -- status | kubectl get svc | curl ${'ADDRESS:8080'} | down`,
    );
  return rows;
}
