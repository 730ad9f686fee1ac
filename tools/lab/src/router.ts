// The lab's router: FRR (zebra + bgpd, and bfdd for BFD peers) in the `router` namespace, accepting
// BGP from any node on the segment as AS 64500 (dynamic neighbours: nodes dial, as MetalLB's
// speakers do) and installing what it learns into its kernel with ECMP, so client-wan's traffic
// is spread over the announcing nodes by port (fib_multipath_hash_policy=1).
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Netns, NsProcess } from '@ironlb/netns-kit';
import type { LabPlan } from './plan.ts';

export function routerBgpdConfig(plan: LabPlan): string {
  const r = plan.router;
  const l = [
    'hostname router',
    'log stdout informational',
    `router bgp ${r.as}`,
    ` bgp router-id ${r.v4}`,
    ' no bgp ebgp-requires-policy',
    ' no bgp default ipv4-unicast',
    ' no bgp network import-check',
    ' bgp bestpath as-path multipath-relax',
    ' neighbor NODES peer-group',
    ` neighbor NODES remote-as ${plan.nodeAs}`,
    ' neighbor NODES timers connect 5',
    ` bgp listen range ${plan.segmentV4} peer-group NODES`,
    ` bgp listen range ${plan.segmentV6} peer-group NODES`,
    ' bgp listen limit 100',
  ];
  for (const fam of ['ipv4', 'ipv6']) {
    l.push(
      ` address-family ${fam} unicast`,
      '  neighbor NODES activate',
      '  neighbor NODES route-map DENY out',
      '  maximum-paths 16',
      ' exit-address-family',
    );
  }
  l.push('route-map DENY deny 10');
  return l.join('\n') + '\n';
}

export interface Router {
  dir: string;
  procs: NsProcess[];
  vtysh(cmd: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startRouter(ns: Netns, plan: LabPlan, dir: string): Promise<Router> {
  const sock = join(dir, 'sock');
  mkdirSync(sock, { recursive: true });
  chmodSync(dir, 0o755);
  const uid = Number(execFileSync('id', ['-u', 'frr']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'frr']).toString().trim());
  chownSync(sock, uid, gid);
  writeFileSync(join(dir, 'zebra.conf'), 'hostname zebra\n');
  writeFileSync(join(dir, 'bgpd.conf'), routerBgpdConfig(plan));
  chmodSync(join(dir, 'zebra.conf'), 0o644);
  chmodSync(join(dir, 'bgpd.conf'), 0o644);
  const args = (d: string) => [
    `/usr/lib/frr/${d}`,
    '-f',
    join(dir, `${d}.conf`),
    '--vty_socket',
    sock,
    '-z',
    join(sock, 'zserv.api'),
    '-i',
    join(sock, `${d}.pid`),
    '-A',
    '127.0.0.1',
    '--log',
    'stdout',
  ];
  const procs: NsProcess[] = [];
  const vtysh = async (cmd: string) =>
    (await ns.exec(['vtysh', '--vty_socket', sock, '-c', cmd])).stdout;
  procs.push(ns.spawn(args('zebra')));
  const deadline = Date.now() + 15_000;
  while ((await ns.exec(['vtysh', '--vty_socket', sock, '-c', 'show version'])).code !== 0) {
    if (Date.now() > deadline)
      throw new Error(`zebra did not start: ${procs[0]?.stderr.slice(-500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  procs.push(ns.spawn([...args('bgpd'), '-p', '179']));
  // bgpd is up once its configuration shows through vtysh (with only dynamic neighbours and no
  // session yet, `show bgp summary json` is an empty object).
  while (!(await vtysh('show running-config')).includes(`router bgp ${plan.router.as}`)) {
    if (Date.now() > deadline)
      throw new Error(`bgpd did not start: ${procs[1]?.stderr.slice(-500)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    dir,
    procs,
    vtysh,
    async stop() {
      for (const p of [...procs].reverse()) await p.stop(2000).catch(() => undefined);
    },
  };
}
