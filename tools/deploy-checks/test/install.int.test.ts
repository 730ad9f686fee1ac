// Installing IronLB the two ways users install MetalLB, with the real kubectl v1.35 and helm v4
// against the test API server: `kubectl apply -f deploy/ironlb-native.yaml` then
// `kubectl get all -n metallb-system`; `helm install` / `upgrade` / `uninstall` of the chart.
// (No kubelet: Deployments and DaemonSets are stored, not run — the lab runs them.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { chartDir, nativeManifestPath } from '../src/index.ts';
import { cliSkipReason, startCluster, type Cluster } from './cluster.ts';

const skip = cliSkipReason();
const title = (t: string) => (skip ? `${t} — SKIPPED: ${skip}` : t);
const appVersion = (
  parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as { appVersion: string }
).appVersion;
const POOL = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: first-pool, namespace: metallb-system}
spec: {addresses: [198.51.100.200-198.51.100.250]}
`;

describe.skipIf(skip !== undefined)(
  title(
    'kubectl apply -f deploy/ironlb-native.yaml (a kind the server does not serve would be stored by a stand-in: cluster.ts)',
  ),
  () => {
    let c: Cluster;
    beforeAll(async () => {
      c = await startCluster();
    });
    afterAll(async () => {
      await c?.stop();
    });

    it('applies without errors, then kubectl get all -n metallb-system lists the objects', async () => {
      const apply = await c.kubectl(['apply', '-f', nativeManifestPath]);
      expect(apply.stderr).not.toMatch(/error/i);
      expect(apply.code).toBe(0);
      for (const line of [
        'namespace/metallb-system created',
        'customresourcedefinition.apiextensions.k8s.io/ipaddresspools.metallb.io created',
        'customresourcedefinition.apiextensions.k8s.io/bgppeers.metallb.io created',
        'serviceaccount/ironlb-controller created',
        'serviceaccount/ironlb-speaker created',
        'configmap/metallb-excludel2 created',
        'clusterrole.rbac.authorization.k8s.io/ironlb:controller created',
        'role.rbac.authorization.k8s.io/ironlb-speaker created',
        'service/metallb-webhook-service created',
        'daemonset.apps/ironlb-speaker created',
        'deployment.apps/ironlb-controller created',
        'poddisruptionbudget.policy/ironlb-controller created',
        'validatingwebhookconfiguration.admissionregistration.k8s.io/metallb-webhook-configuration created',
      ]) {
        expect(apply.stdout).toContain(line);
      }
      const all = await c.k(['get', 'all', '-n', 'metallb-system']);
      expect(all).toMatch(
        /^service\/metallb-webhook-service\s+ClusterIP\s+198\.18\.\S+\s+<none>\s+443\/TCP\s/m,
      );
      expect(all).toMatch(
        /^daemonset\.apps\/ironlb-speaker\s+0\s+0\s+0\s+0\s+0\s+kubernetes\.io\/os=linux\s/m,
      );
      expect(all).toMatch(/^deployment\.apps\/ironlb-controller\s+0\/2\s+0\s+0\s/m);
      const ns = JSON.parse(await c.k(['get', 'namespace', 'metallb-system', '-o', 'json'])) as {
        metadata: { labels: Record<string, string> };
      };
      expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
      const crds = await c.k(['get', 'crd', '-o', 'name']);
      expect(
        crds
          .trim()
          .split('\n')
          .filter((l) => l.endsWith('.metallb.io')),
      ).toHaveLength(9);
    });

    it('a second apply changes nothing and kubectl diff finds no difference', async () => {
      const again = await c.k(['apply', '-f', nativeManifestPath]);
      // A stand-in kind (a kind this test API server does not serve yet, cluster.ts) has no
      // strategic-merge semantics on the server: kubectl may report it configured.
      const standIn = (l: string) => c.standIns.some((k) => l.startsWith(`${k.toLowerCase()}.`));
      // kubectl re-sends a PodDisruptionBudget's spec.selector on every apply (patchStrategy
      // "replace" in policy/v1): it reports the PDB configured, on a real cluster too.
      const alwaysResent = (l: string) => l.startsWith('poddisruptionbudget.policy/');
      const lines = again.trim().split('\n');
      expect(
        lines.filter((l) => !standIn(l) && !alwaysResent(l) && / (created|configured)$/.test(l)),
      ).toEqual([]);
      expect(again).toContain('deployment.apps/ironlb-controller unchanged');
      // The server stores webhook rules' default scope ('*') as kube-apiserver does; `rules` is
      // atomic, so only a manifest that spells scope out (k8s-glue's generator does) stays
      // unchanged on re-apply.
      expect(again).toContain(
        'validatingwebhookconfiguration.admissionregistration.k8s.io/metallb-webhook-configuration unchanged',
      );
      const diff = await c.kubectl(['diff', '-f', nativeManifestPath]);
      const changed = diff.stdout.split('\n').filter((l) => l.startsWith('diff -u -N'));
      expect(changed.filter((l) => !c.standIns.some((k) => l.includes(`policy.v1.${k}`)))).toEqual(
        [],
      );
      expect(diff.stderr).toBe('');
    });

    it("the seeds' pool applies and lists with the CRD's printer columns", async () => {
      // The webhook configuration is stored; whether the server calls it (no controller runs here)
      // does not matter for this check: failurePolicy stays Fail and the pool is created before.
      await c.k(['delete', 'validatingwebhookconfiguration', 'metallb-webhook-configuration']);
      await c.k(['apply', '-f', '-'], POOL);
      const pools = await c.k(['get', 'ipaddresspools', '-n', 'metallb-system']);
      expect(pools).toMatch(
        /^first-pool\s+true\s+false\s+\["198\.51\.100\.200-198\.51\.100\.250"\]/m,
      );
    });
  },
);

describe.skipIf(skip !== undefined)(
  title('helm install / upgrade / uninstall of deploy/charts/ironlb'),
  () => {
    let c: Cluster;
    const helm = async (args: string[]) => {
      const r = await c.helm(args);
      if (r.code !== 0) throw new Error(`helm ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
      return r.stdout;
    };
    const jp = (args: string[], path: string) => c.k([...args, '-o', `jsonpath=${path}`]);
    beforeAll(async () => {
      c = await startCluster();
      // As the README says: the namespace first, with the Pod Security labels the speaker needs.
      await c.k(['create', 'namespace', 'metallb-system']);
      await c.k([
        'label',
        'namespace',
        'metallb-system',
        'pod-security.kubernetes.io/enforce=privileged',
        'pod-security.kubernetes.io/audit=privileged',
        'pod-security.kubernetes.io/warn=privileged',
      ]);
    });
    afterAll(async () => {
      await c?.stop();
    });

    it('install: deployed, the notes, every object with Helm ownership', async () => {
      // failurePolicy Ignore only because no controller serves the webhook in this test, and the
      // test creates a pool below.
      const out = await helm([
        'install',
        'ironlb',
        chartDir,
        '-n',
        'metallb-system',
        '--set',
        'crds.validationFailurePolicy=Ignore',
      ]);
      expect(out).toMatch(/^STATUS: deployed$/m);
      expect(out).toContain(`IronLB ${appVersion} is installed in namespace metallb-system.`);
      expect(out).toContain('Open port 7946 TCP and UDP between nodes (memberlist).');
      expect(await helm(['list', '-n', 'metallb-system'])).toMatch(
        new RegExp(
          `^ironlb\\s+metallb-system\\s+1\\s+.+\\s+deployed\\s+ironlb-0\\.1\\.0\\s+${appVersion}\\s*$`,
          'm',
        ),
      );
      expect(
        await jp(
          ['get', 'deploy', 'ironlb-controller', '-n', 'metallb-system'],
          '{.spec.replicas}',
        ),
      ).toBe('2');
      expect(
        await jp(
          ['get', 'crd', 'ipaddresspools.metallb.io'],
          '{.metadata.annotations.meta\\.helm\\.sh/release-name} {.metadata.annotations.helm\\.sh/resource-policy} {.metadata.labels.app\\.kubernetes\\.io/managed-by}',
        ),
      ).toBe('ironlb keep Helm');
      expect(
        await jp(
          ['get', 'pdb', 'ironlb-controller', '-n', 'metallb-system'],
          '{.spec.minAvailable}',
        ),
      ).toBe('1');
    });

    it('upgrade: values reach the manifests (--reuse-values), revision 2', async () => {
      await helm([
        'upgrade',
        'ironlb',
        chartDir,
        '-n',
        'metallb-system',
        '--reuse-values',
        '--set',
        'controller.logLevel=debug',
        '--set',
        'loadBalancerClass=example.com/ironlb',
      ]);
      const args = await jp(
        ['get', 'ds', 'ironlb-speaker', '-n', 'metallb-system'],
        '{.spec.template.spec.containers[0].args}',
      );
      expect(JSON.parse(args)).toContain('--lb-class=example.com/ironlb');
      const ctl = JSON.parse(
        await jp(
          ['get', 'deploy', 'ironlb-controller', '-n', 'metallb-system'],
          '{.spec.template.spec.containers[0].args}',
        ),
      ) as string[];
      expect(ctl).toContain('--log-level=debug');
      expect(await helm(['history', 'ironlb', '-n', 'metallb-system'])).toMatch(
        /^2\s+.+\s+deployed\s+ironlb-0\.1\.0/m,
      );
    });

    it('uninstall: the workloads go, the CRDs and the user resources stay (crds.keep)', async () => {
      await c.k(['apply', '-f', '-'], POOL);
      const out = await c.helm(['uninstall', 'ironlb', '-n', 'metallb-system']);
      expect(out.code).toBe(0);
      expect(out.stdout + out.stderr).toMatch(/kept due to the resource policy/);
      expect(
        (await c.kubectl(['get', 'deploy', 'ironlb-controller', '-n', 'metallb-system'])).code,
      ).not.toBe(0);
      expect((await c.kubectl(['get', 'clusterrole', 'ironlb:controller'])).code).not.toBe(0);
      expect(
        await jp(
          ['get', 'ipaddresspool', 'first-pool', '-n', 'metallb-system'],
          '{.spec.addresses[0]}',
        ),
      ).toBe('198.51.100.200-198.51.100.250');
      const crds = await c.k(['get', 'crd', '-o', 'name']);
      expect(
        crds
          .trim()
          .split('\n')
          .filter((l) => l.endsWith('.metallb.io')),
      ).toHaveLength(9);
    });
  },
);
