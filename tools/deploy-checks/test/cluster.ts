// The integration tests' cluster: the test API server in-process, with the real kubectl and helm
// (.tools/bin) pointed at it through a private kubeconfig and Helm home, and a bash runner for the
// commands of deploy/README.md and MIGRATING.md.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startTestApiServer, type ResourceType, type TestApiServer } from '@ironlb/test-apiserver';
import { helmPath, kubectlPath, repoRoot, type Run } from '../src/index.ts';

/** Why the CLI tests cannot run, or undefined. */
export function cliSkipReason(): string | undefined {
  if (!kubectlPath || !helmPath) return 'kubectl/helm not in .tools/bin (run tools/bootstrap.sh)';
  return undefined;
}

export interface Cluster {
  readonly server: TestApiServer;
  readonly dir: string;
  readonly env: Record<string, string>;
  /** Kinds this test API server does not serve yet, stored by a plain stand-in (see below). */
  readonly standIns: readonly string[];
  kubectl(args: readonly string[], stdin?: string): Promise<Run>;
  helm(args: readonly string[]): Promise<Run>;
  /** `bash -euo pipefail -c script` in `cwd` (default: the cluster's temporary folder). */
  sh(script: string, cwd?: string): Promise<Run>;
  /** kubectl that must succeed; returns stdout. */
  k(args: readonly string[], stdin?: string): Promise<string>;
  stop(): Promise<void>;
}

function run(
  bin: string,
  args: readonly string[],
  env: Record<string, string>,
  stdin?: string,
  cwd?: string,
): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      bin,
      [...args],
      {
        env: { ...process.env, ...env },
        cwd: cwd ?? repoRoot,
        timeout: 100_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
    child.stdin?.on('error', () => {});
    child.stdin?.end(stdin ?? '');
  });
}

// IronLB's manifests hold a PodDisruptionBudget (and optionally NetworkPolicies). A test API
// server that does not serve those kinds yet gets a plain stand-in: stored with its API
// behaviour, nothing more — which is all kubectl and helm need of them here.
const STAND_INS: Pick<ResourceType, 'group' | 'version' | 'resource' | 'kind' | 'hasStatus'>[] = [
  {
    group: 'policy',
    version: 'v1',
    resource: 'poddisruptionbudgets',
    kind: 'PodDisruptionBudget',
    hasStatus: true,
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    resource: 'networkpolicies',
    kind: 'NetworkPolicy',
    hasStatus: false,
  },
];

export async function startCluster(): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'ilb-deploy-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const server = await startTestApiServer({ kubeconfigPath: kubeconfig });
  const standIns: string[] = [];
  for (const s of STAND_INS) {
    const served = server.core.registry.find(s.group, s.version, s.resource);
    if (served) continue;
    server.core.registry.add({
      ...s,
      namespaced: true,
      listKind: `${s.kind}List`,
      singular: s.kind.toLowerCase(),
      shortNames: s.resource === 'poddisruptionbudgets' ? ['pdb'] : ['netpol'],
      categories: [],
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      extraSubresources: [],
      storageKey: `${s.group}/${s.resource}`,
      storageVersion: s.version,
      strategy: { allowUnconditionalUpdate: true },
    });
    standIns.push(s.kind);
  }
  const env = {
    KUBECONFIG: kubeconfig,
    HOME: dir,
    HELM_CACHE_HOME: join(dir, 'helm-cache'),
    HELM_CONFIG_HOME: join(dir, 'helm-config'),
    HELM_DATA_HOME: join(dir, 'helm-data'),
    KUBECACHEDIR: join(dir, 'kube-cache'),
    PATH: `${dirname(kubectlPath as string)}:${dirname(helmPath as string)}:${process.env.PATH ?? ''}`,
  };
  const kubectl = (args: readonly string[], stdin?: string) =>
    run(kubectlPath as string, args, env, stdin);
  return {
    server,
    dir,
    env,
    standIns,
    kubectl,
    helm: (args) => run(helmPath as string, args, env),
    sh: (script, cwd) =>
      run('bash', ['-euo', 'pipefail', '-c', script], env, undefined, cwd ?? dir),
    async k(args, stdin) {
      const r = await kubectl(args, stdin);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr}`);
      return r.stdout;
    },
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The shell blocks of a Markdown file marked `<!-- test: <scenario> -->`, in order, joined. */
export function guideScript(markdownPath: string, scenario: string): string {
  const text = readFileSync(markdownPath, 'utf8');
  const re = new RegExp(`<!-- test: ${scenario} -->\\s*\\n\\s*\`\`\`sh\\n([\\s\\S]*?)\`\`\``, 'g');
  const blocks = [...text.matchAll(re)].map((m) => m[1] as string);
  if (blocks.length === 0)
    throw new Error(`no <!-- test: ${scenario} --> blocks in ${markdownPath}`);
  return blocks.join('\n');
}
