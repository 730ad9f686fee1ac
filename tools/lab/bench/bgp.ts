// The lab's BGP figures (issue 18):
//   - convergence after a change: a BGP Service created (the API request leaving, from a small
//     client in the API server's host) → the router's kernel holding its /32 with a next hop
//     through every node (`ip monitor route` in the router, FRR's zebra installing it). Anchor:
//     ironlb-bgp announcing a /32 to the same router from the lab's `client`, timed the same way
//     (stdin line written → route in the kernel).
//   - ECMP spread: 1,000 new connections from `client-wan` to a Service with
//     externalTrafficPolicy Local and one nginx pod per node (each answers with its node name).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { nodeBinary, workspaceRoot } from '@ironlb/netns-kit';
import { inHost, type LabInfo } from '../src/lab.ts';
import { startProber, waitFor } from '../src/demo.ts';
import { hostByName } from '../src/plan.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A route change the router's kernel reported, stamped when its first line was read. */
interface RouteEvent {
  at: number;
  prefix: string;
  hops: number;
  deleted: boolean;
}

/** `ip -4 monitor route` in the router: each message with the next hops it lists. */
function monitorRoutes(lab: LabInfo): { events: RouteEvent[]; stop(): void } {
  const argv = inHost(lab, 'router', ['ip', '-4', 'monitor', 'route']);
  const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'ignore'] });
  const events: RouteEvent[] = [];
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    const at = Date.now();
    const lines = (partial + d).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (/^\s+nexthop /.test(line)) {
        const last = events.at(-1);
        if (last) last.hops++;
        continue;
      }
      const m = /^(Deleted )?(\d+\.\d+\.\d+\.\d+)(?:\/32)?\s/.exec(line);
      if (!m) continue;
      events.push({
        at,
        prefix: m[2] as string,
        hops: / via /.test(line) ? 1 : 0,
        deleted: m[1] !== undefined,
      });
    }
  });
  return { events, stop: () => child.kill('SIGTERM') };
}

/** Lines of a child's stdout, each stamped when read. */
function lines(child: ChildProcess): { at: number; line: string }[] {
  const out: { at: number; line: string }[] = [];
  let partial = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    const at = Date.now();
    const parts = (partial + d).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) out.push({ at, line });
  });
  return out;
}

function installed(
  events: RouteEvent[],
  prefix: string,
  after: number,
  hops: number,
): Promise<number> {
  return waitFor(
    `the router holding ${prefix} with ${hops} next hop(s)`,
    () => events.find((e) => e.at >= after && e.prefix === prefix && !e.deleted && e.hops >= hops),
    (e) => e !== undefined,
    15_000,
  ).then((e) => (e as RouteEvent).at);
}

export interface BgpFigures {
  /** Service created → every node's next hop installed, ms. */
  allHops: number[];
  /** Service created → the first next hop installed, ms. */
  firstHop: number[];
  /** Service created → its address seen on a watch (the controller's part), ms. */
  allocation: number[];
  /** ironlb-bgp: announce written → route installed, ms. */
  anchor: number[];
}

export async function bgpConvergence(lab: LabInfo, n: number, pool: string): Promise<BgpFigures> {
  const nodes = lab.plan.nodes.length;
  const mon = monitorRoutes(lab);
  const f: BgpFigures = { allHops: [], firstHop: [], allocation: [], anchor: [] };
  try {
    // The speaker bench's API client: creates each Service (endpoints first, so the lab's stand-in
    // EndpointSlice controller is not part of the figure) and says when its request left.
    const argv = inHost(lab, 'apiserver', [
      nodeBinary(),
      join(workspaceRoot, 'apps', 'speaker', 'bench', 'api-client.ts'),
      '--kubeconfig',
      lab.kubeconfig,
    ]);
    const api = spawn(argv[0] as string, argv.slice(1), {
      stdio: ['pipe', 'pipe', 'inherit'],
      cwd: workspaceRoot,
    });
    const out = lines(api);
    try {
      await waitFor('the API client', () => out.some((l) => l.line === 'ready'), Boolean, 30_000);
      for (let i = 0; i < n; i++) {
        const name = `bench-bgp-${i}`;
        api.stdin?.write(`create ${name} ${pool}\n`);
        const sent = await waitFor(
          `${name} created`,
          () => out.find((l) => l.line.includes(`"name":"${name}"`)),
          (l) => l !== undefined,
          15_000,
        );
        const alloc = await waitFor(
          `${name} allocated`,
          () => out.find((l) => l.line.includes(`"allocated":"${name}"`)),
          (l) => l !== undefined,
          15_000,
        );
        const t = (JSON.parse((sent as { line: string }).line) as { t: number }).t;
        const a = JSON.parse((alloc as { line: string }).line) as { ip: string; t: number };
        f.firstHop.push((await installed(mon.events, a.ip, t, 1)) - t);
        f.allHops.push((await installed(mon.events, a.ip, t, nodes)) - t);
        f.allocation.push(a.t - t);
        await sleep(200);
      }
    } finally {
      api.kill('SIGTERM');
    }

    // The anchor: ironlb-bgp from `client` (a dynamic neighbour of the router like the nodes).
    const client = hostByName(lab.plan, 'client');
    const cliArgv = inHost(lab, 'client', [
      nodeBinary(),
      join(workspaceRoot, 'packages', 'bgp-speaker', 'bin', 'ironlb-bgp.js'),
      'announce',
      '--local-as',
      '64500',
      '--peer',
      '198.51.100.1',
      '--peer-as',
      '64512',
      '--local-address',
      client.v4,
    ]);
    const cli = spawn(cliArgv[0] as string, cliArgv.slice(1), {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const cout = lines(cli);
    try {
      await waitFor(
        'ironlb-bgp Established',
        () => cout.some((l) => l.line.includes('"Established"')),
        Boolean,
        30_000,
      );
      await sleep(1000);
      for (let i = 0; i < n; i++) {
        const prefix = `192.0.2.${200 + i}`;
        const t = Date.now();
        cli.stdin?.write(`announce ${prefix}/32\n`);
        f.anchor.push((await installed(mon.events, prefix, t, 1)) - t);
        await sleep(200);
      }
    } finally {
      cli.kill('SIGTERM');
    }
  } finally {
    mon.stop();
  }
  return f;
}

export interface Spread {
  perNode: Map<string, number>;
  ok: number;
  failed: number;
}

/** `count` new connections from client-wan to `ip`, counted by the node that answered. */
export async function ecmpSpread(lab: LabInfo, ip: string, count: number): Promise<Spread> {
  const probe = startProber(lab, 'client-wan', `http://${ip}/`, 120_000, 5, {
    timeoutMs: 1000,
    count,
  });
  const recs = await probe.done();
  const perNode = new Map<string, number>(lab.plan.nodes.map((n) => [n.name, 0]));
  for (const r of recs) if (r.ok && r.node) perNode.set(r.node, (perNode.get(r.node) ?? 0) + 1);
  return { perNode, ok: recs.filter((r) => r.ok).length, failed: recs.filter((r) => !r.ok).length };
}
