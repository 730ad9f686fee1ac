// `npm run demo`: shows what IronLB can do today, each piece for real, in throw-away network
// namespaces (documentation addresses only; everything is deleted at the end). Until the controller,
// the speaker and the lab exist, the demo runs the libraries' own command-line tools against real
// peers — arping, BIRD — and says plainly what comes next.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Topology,
  netnsSkipReason,
  workspaceRoot,
  nodeBinary,
  NsProcess,
} from '../netns-kit/src/index.ts';

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const say = (s = '') => console.log(s);
const step = (n: number, title: string) =>
  say(`\n${bold(`${n}. ${title}`)}\n${'-'.repeat(title.length + 3)}`);

const cli = (pkg: string, file = 'cli.js') => join(workspaceRoot, 'packages', pkg, 'dist', file);
const results: { step: string; ok: boolean | null; note: string }[] = [];

async function demoConverter(): Promise<void> {
  step(1, 'MetalLB configuration: a pre-0.13 ConfigMap becomes IPAddressPool + L2Advertisement');
  const bin = cli('k8s-glue', 'ironlb-convert-configmap.js');
  if (!existsSync(bin)) {
    results.push({
      step: 'ConfigMap converter',
      ok: null,
      note: 'not built yet (packages/k8s-glue)',
    });
    say('  (the converter is not built yet)');
    return;
  }
  const configMap = [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  namespace: metallb-system',
    '  name: config',
    'data:',
    '  config: |',
    '    address-pools:',
    '    - name: default',
    '      protocol: layer2',
    '      addresses:',
    '      - 198.51.100.10-198.51.100.20',
    '',
  ].join('\n');
  say('  input (the format of the seed articles):\n' + configMap.replace(/^/gm, '    '));
  const p = new NsProcess([nodeBinary(), bin], { stdin: true });
  p.child.stdin?.end(configMap);
  const status = await p.waitForExit(20_000);
  say('  output:\n' + p.stdout.replace(/^/gm, '    '));
  results.push({
    step: 'ConfigMap converter',
    ok: status.code === 0,
    note: status.code === 0 ? 'converted' : p.stderr.trim(),
  });
}

async function demoApiServer(): Promise<void> {
  step(
    2,
    "MetalLB's API: the CRDs installed in a Kubernetes API server, a user's YAML applied, a broken pool refused",
  );
  const crds = join(workspaceRoot, 'deploy', 'crds', 'all.yaml');
  const seed = join(
    workspaceRoot,
    'packages',
    'k8s-glue',
    'test',
    'fixtures',
    'seeds',
    '001-crs.yaml',
  );
  const apiserver = join(workspaceRoot, 'tools', 'test-apiserver', 'src', 'index.ts');
  if (![crds, seed, apiserver].every(existsSync)) {
    results.push({
      step: 'CRDs + test API server',
      ok: null,
      note: 'not there yet (deploy/crds, tools/test-apiserver)',
    });
    return;
  }
  const { startTestApiServer } = await import(apiserver);
  const k8s = await import('@kubernetes/client-node');
  const YAML = await import('yaml');
  const server = await startTestApiServer({});
  try {
    const client = k8s.KubernetesObjectApi.makeApiClient(server.kubeConfig());
    const docs = (path: string) =>
      YAML.parseAllDocuments(readFileSync(path, 'utf8'))
        .map((d) => d.toJSON())
        .filter(Boolean);
    // loadAllYaml gives client-node's typed models: its serializer drops JSON-schema `default`
    // keys from plain objects, so a CRD created from parsed YAML would lose MetalLB's defaults.
    for (const crd of k8s.loadAllYaml(readFileSync(crds, 'utf8'))) await client.create(crd);
    say(
      `  test API server at ${server.url}: ${docs(crds).length} metallb.io CRDs registered from deploy/crds/all.yaml`,
    );
    await client.create({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'metallb-system' },
    });
    await new Promise((r) => setTimeout(r, 200));
    for (const obj of docs(seed)) {
      await client.create(obj);
      say(
        `  applied ${obj.kind} ${obj.metadata.namespace}/${obj.metadata.name} (seed article 001, unchanged)`,
      );
    }
    const pools = await client.list('metallb.io/v1beta1', 'IPAddressPool', 'metallb-system');
    const pool = pools.items[0] as { spec: Record<string, unknown> } | undefined;
    say(`  stored with MetalLB's defaults: ${JSON.stringify(pool?.spec)}`);
    let refused = '';
    try {
      await client.create({
        apiVersion: 'metallb.io/v1beta1',
        kind: 'IPAddressPool',
        metadata: { name: 'broken', namespace: 'metallb-system' },
        spec: { addresses: ['198.51.100.10-198.51.100.20'], avoidBuggyIPs: 'yes' },
      });
    } catch (err) {
      const body = (err as { body?: string | { message?: string } }).body;
      refused =
        typeof body === 'string'
          ? ((JSON.parse(body) as { message?: string }).message ?? body)
          : (body?.message ?? String(err));
    }
    say(`  a pool with avoidBuggyIPs: "yes" is refused: ${refused || '(accepted!)'}`);
    const ok = pool?.spec?.autoAssign === true && refused !== '';
    results.push({
      step: 'CRDs + test API server',
      ok,
      note: ok ? 'seed YAML applied, defaults set, bad pool refused' : 'unexpected result',
    });
  } finally {
    await server.stop();
  }
}

async function demoIpam(): Promise<void> {
  step(
    3,
    'Allocation: services get addresses from a pool, share one by key, keep them across a restart',
  );
  const dist = join(workspaceRoot, 'packages', 'ipam', 'dist', 'index.js');
  if (!existsSync(dist)) {
    results.push({ step: 'ipam', ok: null, note: 'not built yet (packages/ipam)' });
    return;
  }
  const { createAllocator } = await import(dist);
  const pools = [
    { name: 'default', addresses: ['198.51.100.10-198.51.100.20', '2001:db8:10::/120'] },
  ];
  const requests = [
    { service: 'shop/web', ipFamilies: ['IPv4'] },
    {
      service: 'dns/tcp',
      ipFamilies: ['IPv4'],
      sharingKey: 'dns',
      ports: [{ protocol: 'TCP', port: 53 }],
    },
    {
      service: 'dns/udp',
      ipFamilies: ['IPv4'],
      sharingKey: 'dns',
      ports: [{ protocol: 'UDP', port: 53 }],
    },
    { service: 'shop/api', ipFamilies: ['IPv6', 'IPv4'], ipFamilyPolicy: 'RequireDualStack' },
  ];
  const first = createAllocator({}, { pools });
  const given = new Map<string, string[]>();
  for (const r of requests) {
    const res = first.allocate(r);
    given.set(r.service, res.ok ? res.addresses : []);
    say(`  ${r.service.padEnd(9)} → ${res.ok ? res.addresses.join(', ') : res.failure.reason}`);
  }
  // A controller restart: a new allocator restores what the Services' status says.
  const second = createAllocator({}, { pools });
  for (const r of requests) second.assign(r, given.get(r.service) ?? []);
  const next = second.allocate({ service: 'shop/new', ipFamilies: ['IPv4'] });
  const nextAddr = next.ok ? next.addresses.join(', ') : next.failure.reason;
  say(`  after a restart the same assignments are restored; a new service gets ${nextAddr}`);
  const ok =
    given.get('dns/tcp')?.[0] === given.get('dns/udp')?.[0] &&
    next.ok &&
    !Object.values(Object.fromEntries(given)).flat().includes(next.addresses[0]);
  results.push({ step: 'ipam', ok, note: ok ? 'sharing and restart behave' : 'unexpected result' });
}

async function demoL2(topo: Topology): Promise<void> {
  step(
    4,
    'Layer 2: a node answers ARP and NDP for 198.51.100.10 and 2001:db8:1::10, configured nowhere',
  );
  const bin = cli('l2-announcer');
  if (!existsSync(bin)) {
    results.push({
      step: 'L2 (ironlb-l2 + arping)',
      ok: null,
      note: 'not built yet (packages/l2-announcer)',
    });
    say('  (ironlb-l2 is not built yet)');
    return;
  }
  const client = await topo.addNamespace('client');
  const node = await topo.addNamespace('node1');
  await topo.link(client, 'eth0', node, 'eth0', {
    a: ['198.51.100.2/24', '2001:db8:1::2/64'],
    b: ['198.51.100.3/24', '2001:db8:1::3/64'],
  });
  const nodeMac = await node.mac('eth0');
  say(
    `  node1's MAC is ${nodeMac}; starting: ironlb-l2 announce --interface eth0 198.51.100.10 2001:db8:1::10`,
  );
  // A fresh veth gets its IPv6 link-local address a moment after it comes up, and NDP needs one
  // (MetalLB's eligibility rule): rescan often so the IPv6 address is answered within a second.
  const l2 = node.spawn([
    'node',
    bin,
    'announce',
    '--interface',
    'eth0',
    '--rescan-interval',
    '500ms',
    '198.51.100.10',
    '2001:db8:1::10',
  ]);
  await l2.waitForLine(/"ready"/, 10_000).catch(() => undefined);
  await l2.waitForLine(/"gratuitous".*"2001:db8:1::10"/, 10_000).catch(() => undefined);
  const arp = await client.exec(['arping', '-i', 'eth0', '-c', '3', '-W', '0.2', '198.51.100.10'], {
    timeoutMs: 15_000,
  });
  say('  $ arping -i eth0 -c 3 198.51.100.10\n' + arp.stdout.replace(/^/gm, '    '));
  const ndp = await client.exec(['ndisc6', '-1', '-n', '2001:db8:1::10', 'eth0'], {
    timeoutMs: 15_000,
  });
  say('  $ ndisc6 -1 -n 2001:db8:1::10 eth0\n' + ndp.stdout.replace(/^/gm, '    '));
  const mac = nodeMac.toLowerCase();
  const okArp = arp.stdout.toLowerCase().includes(mac);
  const okNdp = ndp.stdout.toLowerCase().includes(mac);
  results.push({
    step: 'L2 (ironlb-l2 + arping)',
    ok: okArp,
    note: okArp ? `arping got ${nodeMac}` : 'no ARP reply with the node MAC',
  });
  results.push({
    step: 'L2 (ironlb-l2 + ndisc6)',
    ok: okNdp,
    note: okNdp ? `ndisc6 got ${nodeMac}` : 'no NA with the node MAC',
  });
  await l2.stop();
}

async function demoBgp(topo: Topology): Promise<void> {
  step(5, 'BGP: a node announces 203.0.113.10/32 to a BIRD router');
  const bin = cli('bgp-speaker');
  if (!existsSync(bin)) {
    results.push({
      step: 'BGP (ironlb-bgp + BIRD)',
      ok: null,
      note: 'not built yet (packages/bgp-speaker)',
    });
    say('  (ironlb-bgp is not built yet)');
    return;
  }
  const router = await topo.addNamespace('router');
  const node = await topo.addNamespace('node2');
  await topo.link(router, 'eth0', node, 'eth0', { a: ['192.0.2.1/24'], b: ['192.0.2.2/24'] });
  const dir = topo.tempDir('bird');
  const conf = join(dir, 'bird.conf');
  const sock = join(dir, 'bird.ctl');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(
    conf,
    [
      'router id 192.0.2.1;',
      'protocol device {}',
      'protocol bgp node2 {',
      '  local 192.0.2.1 as 64513;',
      '  neighbor 192.0.2.2 as 64512;',
      '  passive on;',
      '  ipv4 { import all; export none; };',
      '}',
      '',
    ].join('\n'),
  );
  router.spawn(['bird', '-f', '-c', conf, '-s', sock]);
  await new Promise((r) => setTimeout(r, 500));
  say(
    '  starting: ironlb-bgp announce --local-as 64512 --peer 192.0.2.1 --peer-as 64513 --community 64512:100 203.0.113.10/32',
  );
  const bgp = node.spawn(
    [
      'node',
      bin,
      'announce',
      '--local-as',
      '64512',
      '--peer',
      '192.0.2.1',
      '--peer-as',
      '64513',
      '--community',
      '64512:100',
      '203.0.113.10/32',
    ],
    { stdin: true },
  );
  let ok = false;
  let table = '';
  for (let i = 0; i < 50 && !ok; i++) {
    await new Promise((r) => setTimeout(r, 200));
    table = (await router.exec(['birdc', '-s', sock, 'show', 'route', 'all'])).stdout;
    ok = table.includes('203.0.113.10/32');
  }
  say('  BIRD: show route all\n' + table.replace(/^/gm, '    '));
  results.push({
    step: 'BGP (ironlb-bgp + BIRD)',
    ok,
    note: ok ? 'BIRD holds 203.0.113.10/32' : 'route did not arrive',
  });
  await bgp.stop();
}

async function demoMemberlist(topo: Topology): Promise<void> {
  step(6, 'Failure detection: three members, one is killed, the others notice');
  const bin = cli('memberlist');
  if (!existsSync(bin)) {
    results.push({
      step: 'memberlist (3 agents, SIGKILL)',
      ok: null,
      note: 'not built yet (packages/memberlist)',
    });
    say('  (ironlb-memberlist is not built yet)');
    return;
  }
  const sw = await topo.addNamespace('sw');
  const agents: NsProcess[] = [];
  for (const i of [1, 2, 3]) {
    const ns = await topo.addNamespace(`m${i}`);
    await topo.link(ns, 'eth0', sw, `p${i}`, { a: [`203.0.113.${i}/24`] });
  }
  await topo.bridge(sw, 'br0', ['p1', 'p2', 'p3']);
  for (const i of [1, 2, 3]) {
    const args = ['node', bin, 'agent', '--name', `node${i}`, '--bind', `203.0.113.${i}:7946`];
    if (i > 1) args.push('--join', '203.0.113.1:7946');
    agents.push(topo.ns(`m${i}`).spawn(args));
  }
  await agents[0]!
    .waitForLine((l) => l.includes('"join"') && l.includes('node3'), 15_000)
    .catch(() => undefined);
  const killedAt = Date.now();
  agents[2]!.kill('SIGKILL');
  say('  node3 killed with SIGKILL');
  try {
    await agents[0]!.waitForLine((l) => l.includes('"dead"') && l.includes('node3'), 20_000);
    const ms = Date.now() - killedAt;
    say(`  node1 declared node3 dead after ${ms} ms (MetalLB's default memberlist: about 6 s)`);
    results.push({
      step: 'memberlist (3 agents, SIGKILL)',
      ok: true,
      note: `detected in ${ms} ms`,
    });
  } catch {
    results.push({
      step: 'memberlist (3 agents, SIGKILL)',
      ok: false,
      note: 'no dead event within 20 s',
    });
  }
  for (const a of agents) await a.stop();
}

async function main(): Promise<void> {
  say(bold('IronLB demo'));
  say(
    'IronLB is a drop-in MetalLB replacement. Today its libraries exist; the controller, the speaker',
  );
  say('and the lab (a virtual bare-metal cluster with a test API server) come in the next issues.');
  // A step that throws is reported as failed; the others still run.
  const guarded = async (name: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      say(`  FAILED: ${(err as Error).message.split('\n')[0]}`);
      results.push({ step: name, ok: false, note: (err as Error).message.split('\n')[0] ?? '' });
    }
  };
  await guarded('ConfigMap converter', demoConverter);
  await guarded('CRDs + test API server', demoApiServer);
  await guarded('ipam', demoIpam);
  const skip = netnsSkipReason(['arping', 'bird', 'birdc']);
  if (skip) {
    say(`\nThe network demos need network namespaces: SKIPPED (${skip}).`);
  } else {
    const topo = await Topology.create('demo');
    try {
      await guarded('L2 (ironlb-l2 + arping)', () => demoL2(topo));
      await guarded('BGP (ironlb-bgp + BIRD)', () => demoBgp(topo));
      await guarded('memberlist (3 agents, SIGKILL)', () => demoMemberlist(topo));
    } finally {
      await topo.destroy();
    }
  }
  step(7, 'Summary');
  for (const r of results)
    say(`  ${r.ok === null ? 'not yet ' : r.ok ? 'ok      ' : 'FAILED  '} ${r.step}: ${r.note}`);
  say(
    '\nComing next: the controller (Services get EXTERNAL-IPs from your pools), the speaker, the',
  );
  say('lab with kubectl journeys from the MetalLB articles, BGP graceful restart and BFD.');
  process.exit(results.some((r) => r.ok === false) ? 1 : 0);
}

await main();
