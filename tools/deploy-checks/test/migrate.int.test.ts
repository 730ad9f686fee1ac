// MIGRATING.md, run: a MetalLB-like installation (the all-in-one manifest, or the Helm chart with
// its CRDs in a subchart) with a user's configuration and a Service that has its address; then
// the guide's marked command blocks exactly as written (only the download URLs and MetalLB's chart
// reference point at local files); then the checks: the user's resources unchanged, MetalLB's
// workloads gone, IronLB's installed — and the way back. A negative control shows the trap the
// guide avoids: annotating the live CRDs and running `helm uninstall` deletes every pool.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chartDir, nativeManifestPath, parseManifests, repoRoot } from '../src/index.ts';
import { cliSkipReason, guideScript, startCluster, type Cluster } from './cluster.ts';

const skip = cliSkipReason();
const title = (t: string) => (skip ? `${t} — SKIPPED: ${skip}` : t);
const fixtures = join(repoRoot, 'tools', 'deploy-checks', 'test', 'fixtures');
const guide = join(repoRoot, 'MIGRATING.md');
const crdsYaml = readFileSync(join(repoRoot, 'deploy', 'crds', 'all.yaml'), 'utf8');
const userResources = readFileSync(join(fixtures, 'user-resources.yaml'), 'utf8');
const USER_KINDS = 'ipaddresspools,l2advertisements,bgpadvertisements,bgppeers,communities';
const NS = 'metallb-system';

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

/** MetalLB's all-in-one manifest stand-in: its CRDs (the same API) and the fixture's objects. */
function metallbNativeFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ilb-mlb-'));
  temps.push(dir);
  const file = join(dir, 'metallb-native.yaml');
  writeFileSync(
    file,
    `${crdsYaml}---\n${readFileSync(join(fixtures, 'metallb-native-like.yaml'), 'utf8')}`,
  );
  return file;
}

/** MetalLB's chart stand-in, with the CRDs as templates of its `crds` subchart. */
function metallbChart(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ilb-mlb-chart-'));
  temps.push(dir);
  const chart = join(dir, 'metallb');
  cpSync(join(fixtures, 'metallb-chart'), chart, { recursive: true });
  // git keeps no empty folders: the subchart's templates/ exists only once the CRDs are written.
  mkdirSync(join(chart, 'charts', 'crds', 'templates'), { recursive: true });
  writeFileSync(join(chart, 'charts', 'crds', 'templates', 'crds.yaml'), crdsYaml);
  return chart;
}

/** The guide's blocks for a scenario, with downloads pointing at local files. */
function script(scenario: string, local: { metallbManifest?: string; metallbChart?: string }) {
  let s = guideScript(guide, scenario)
    .replaceAll(
      'https://raw.githubusercontent.com/ironlb/ironlb/main/deploy/ironlb-native.yaml',
      nativeManifestPath,
    )
    .replaceAll('./deploy/charts/ironlb', chartDir);
  if (local.metallbManifest) {
    s = s.replace(
      /https:\/\/raw\.githubusercontent\.com\/metallb\/metallb\/[^ ]+\/metallb-native\.yaml/g,
      local.metallbManifest,
    );
  }
  if (local.metallbChart) s = s.replaceAll(' metallb/metallb ', ` ${local.metallbChart} `);
  return s;
}

interface Snapshot {
  specs: Record<string, unknown>;
  service: { ip: string; annotations: Record<string, string> };
}

async function snapshot(c: Cluster): Promise<Snapshot> {
  const list = JSON.parse(await c.k(['get', USER_KINDS, '-n', NS, '-o', 'json'])) as {
    items: { kind: string; metadata: { name: string }; spec: unknown }[];
  };
  const specs = Object.fromEntries(list.items.map((o) => [`${o.kind}/${o.metadata.name}`, o.spec]));
  const svc = JSON.parse(
    await c.k(['get', 'service', 'nginx-lb', '-n', 'default', '-o', 'json']),
  ) as {
    metadata: { annotations: Record<string, string> };
    status: { loadBalancer: { ingress?: { ip: string }[] } };
  };
  return {
    specs,
    service: {
      ip: svc.status.loadBalancer.ingress?.[0]?.ip ?? '',
      annotations: svc.metadata.annotations,
    },
  };
}

async function addUserResources(c: Cluster): Promise<Snapshot> {
  await c.k(['apply', '-f', '-'], userResources);
  // The address MetalLB gave the Service (written through the status subresource, as a controller does).
  await c.k([
    'patch',
    'service',
    'nginx-lb',
    '-n',
    'default',
    '--subresource=status',
    '--type=merge',
    '-p',
    '{"status":{"loadBalancer":{"ingress":[{"ip":"198.51.100.200","ipMode":"VIP"}]}}}',
  ]);
  const s = await snapshot(c);
  expect(Object.keys(s.specs).sort()).toEqual([
    'BGPAdvertisement/bgp',
    'BGPPeer/router',
    'Community/communities',
    'IPAddressPool/first-pool',
    'L2Advertisement/example',
  ]);
  expect(s.service.ip).toBe('198.51.100.200');
  return s;
}

const names = async (c: Cluster, args: string[]) =>
  (await c.k(['get', ...args, '-o', 'name']))
    .trim()
    .split('\n')
    .filter((l) => l !== '');

async function runGuide(c: Cluster, s: string): Promise<string> {
  const r = await c.sh(s);
  if (r.code !== 0)
    throw new Error(`guide commands failed (${r.code}):\n${r.stderr}\n--- stdout:\n${r.stdout}`);
  return r.stdout;
}

describe.skipIf(skip !== undefined)(
  title('MIGRATING.md A: MetalLB from metallb-native.yaml → IronLB → back'),
  () => {
    let c: Cluster;
    beforeEach(async () => {
      c = await startCluster();
    });
    afterEach(async () => {
      await c?.stop();
    });

    it("the guide's commands keep every resource and address, replace MetalLB's objects with IronLB's, and go back", async () => {
      const metallb = metallbNativeFile();
      await c.k(['apply', '-f', metallb]);
      const before = await addUserResources(c);

      const out = await runGuide(c, script('kubectl', {}));
      expect(out).toContain('no Service changed');
      expect(await snapshot(c)).toEqual(before);
      // MetalLB's workloads and RBAC are gone; IronLB's are there.
      expect(
        await names(c, ['deploy,ds,sa,role,rolebinding', '-n', NS, '-l', 'app=metallb']),
      ).toEqual([]);
      expect(await names(c, ['clusterrole,clusterrolebinding', '-l', 'app=metallb'])).toEqual([]);
      expect(await names(c, ['deploy,ds', '-n', NS])).toEqual([
        'deployment.apps/ironlb-controller',
        'daemonset.apps/ironlb-speaker',
      ]);
      // The shared names now belong to IronLB.
      const vwc = JSON.parse(
        await c.k([
          'get',
          'validatingwebhookconfiguration',
          'metallb-webhook-configuration',
          '-o',
          'json',
        ]),
      ) as {
        metadata: { labels?: Record<string, string> };
        webhooks: unknown[];
      };
      expect(vwc.metadata.labels?.['app.kubernetes.io/part-of']).toBe('ironlb');
      expect(vwc.webhooks).toHaveLength(9);
      const svc = JSON.parse(
        await c.k(['get', 'service', 'metallb-webhook-service', '-n', NS, '-o', 'json']),
      ) as {
        spec: { selector: Record<string, string> };
      };
      expect(svc.spec.selector['app.kubernetes.io/name']).toBe('ironlb');
      await c.k(['get', 'configmap', 'metallb-excludel2', '-n', NS]);

      // And back to MetalLB.
      await runGuide(c, script('kubectl-back', { metallbManifest: metallb }));
      expect(await snapshot(c)).toEqual(before);
      expect(
        await names(c, [
          'deploy,ds,sa,role,rolebinding,svc',
          '-n',
          NS,
          '-l',
          'app.kubernetes.io/part-of=ironlb',
        ]),
      ).toEqual([]);
      expect(
        await names(c, [
          'clusterrole,clusterrolebinding',
          '-l',
          'app.kubernetes.io/part-of=ironlb',
        ]),
      ).toEqual([]);
      expect(await names(c, ['deploy,ds', '-n', NS])).toEqual([
        'deployment.apps/controller',
        'daemonset.apps/speaker',
      ]);
    });
  },
);

describe.skipIf(skip !== undefined)(
  title('MIGRATING.md B: MetalLB from its Helm chart → IronLB → back'),
  () => {
    let c: Cluster;
    beforeEach(async () => {
      c = await startCluster();
    });
    afterEach(async () => {
      await c?.stop();
    });

    const installMetalLB = async (chart: string) => {
      const r = await c.helm(['install', 'metallb', chart, '-n', NS, '--create-namespace']);
      expect(r.code, r.stderr).toBe(0);
      expect(await names(c, ['crd', '-l', 'app.kubernetes.io/managed-by=Helm'])).toHaveLength(9);
    };

    it("the guide's commands take the CRDs out of MetalLB's release, install IronLB's, keep everything, and go back", async () => {
      const chart = metallbChart();
      await installMetalLB(chart);
      const before = await addUserResources(c);

      const out = await runGuide(c, script('helm', { metallbChart: chart }));
      expect(out).toContain('no metallb.io CRD left in the release');
      expect(out).toContain('no Service changed');
      expect(await snapshot(c)).toEqual(before);
      const releases = (await c.helm(['list', '-n', NS, '-q'])).stdout.trim().split('\n');
      expect(releases).toEqual(['ironlb']);
      const crd = JSON.parse(
        await c.k(['get', 'crd', 'ipaddresspools.metallb.io', '-o', 'json']),
      ) as {
        metadata: { annotations: Record<string, string> };
      };
      expect(crd.metadata.annotations['meta.helm.sh/release-name']).toBe('ironlb');
      expect(await names(c, ['deploy,ds', '-n', NS])).toEqual([
        'deployment.apps/ironlb-controller',
        'daemonset.apps/ironlb-speaker',
      ]);
      // IronLB's own release keeps the CRDs on uninstall (in its stored manifest, where Helm looks).
      const manifest = (await c.helm(['get', 'manifest', 'ironlb', '-n', NS])).stdout;
      const crds = parseManifests(manifest).filter((o) => o.kind === 'CustomResourceDefinition');
      expect(crds).toHaveLength(9);
      for (const o of crds)
        expect(o.metadata.annotations?.['helm.sh/resource-policy']).toBe('keep');

      // And back to MetalLB's chart.
      const back = await runGuide(c, script('helm-back', { metallbChart: chart }));
      expect(back).toMatch(/^9$/m); // the CRDs Helm keeps on uninstall
      expect(await snapshot(c)).toEqual(before);
      expect((await c.helm(['list', '-n', NS, '-q'])).stdout.trim()).toBe('metallb');
      expect(await names(c, ['deploy,ds', '-n', NS])).toEqual([
        'deployment.apps/metallb-controller',
        'daemonset.apps/metallb-speaker',
      ]);
    });

    it('negative control — the trap the guide avoids: annotating the live CRDs and `helm uninstall metallb` deletes every pool', async () => {
      await installMetalLB(metallbChart());
      await addUserResources(c);
      const crds = (await names(c, ['crd'])).filter((n) => n.endsWith('.metallb.io'));
      await c.k(['annotate', ...crds, 'helm.sh/resource-policy=keep', '--overwrite']);
      const r = await c.helm(['uninstall', 'metallb', '-n', NS]);
      expect(r.code).toBe(0);
      expect((await names(c, ['crd'])).filter((n) => n.endsWith('.metallb.io'))).toEqual([]);
      const pools = await c.kubectl(['get', 'ipaddresspools', '-n', NS]);
      expect(pools.code).not.toBe(0);
    });
  },
);
