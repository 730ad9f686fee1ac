// IronLB installed into the lab the way a user installs it (issues 18, 19): the images' file trees
// assembled as the Dockerfiles build them (tools/scripts/image-tree.ts → dist/images/<app>), then
// `kubectl apply -f deploy/ironlb-native.yaml` through the API. The lab's kubelet runs what the
// manifests describe — command, args, env, mounts, securityContext — so a manifest change that
// breaks start-up fails here.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeBinary, workspaceRoot } from '@ironlb/netns-kit';
import { LabError } from './errors.ts';
import { kubectl, type LabInfo } from './hosts.ts';

export const MANIFEST = join(workspaceRoot, 'deploy', 'ironlb-native.yaml');
export const NAMESPACE = 'metallb-system';

/** Builds dist/images/<app> for both apps from their built bundles. */
export function assembleImages(progress: (line: string) => void): void {
  for (const app of ['controller', 'speaker']) {
    if (!existsSync(join(workspaceRoot, 'apps', app, 'dist', 'main.js'))) {
      throw new LabError('command-failed', `apps/${app} is not built: run \`npm run build\` first`);
    }
  }
  const r = spawnSync(
    nodeBinary(),
    [join(workspaceRoot, 'tools', 'scripts', 'image-tree.ts'), 'controller', 'speaker'],
    {
      cwd: workspaceRoot,
      encoding: 'utf8',
    },
  );
  if (r.status !== 0)
    throw new LabError('command-failed', `image-tree failed: ${r.stderr || r.stdout}`);
  progress(
    'images: dist/images/controller and dist/images/speaker assembled (what the Dockerfiles copy to /opt/ironlb)',
  );
}

interface Workload {
  status?: { readyReplicas?: number; numberReady?: number; desiredNumberScheduled?: number };
  spec?: { replicas?: number };
}

/** Applies the all-in-one manifest and waits until the controller and every speaker are ready. */
export async function installIronLB(
  info: LabInfo,
  progress: (line: string) => void,
  timeoutMs = 120_000,
): Promise<void> {
  assembleImages(progress);
  const apply = kubectl(
    info,
    ['apply', '--server-side', '-f', '-'],
    readFileSync(MANIFEST, 'utf8'),
  );
  if (apply.code !== 0)
    throw new LabError(
      'command-failed',
      `kubectl apply -f deploy/ironlb-native.yaml failed: ${apply.stderr}`,
    );
  progress(
    `kubectl apply --server-side -f deploy/ironlb-native.yaml: ${apply.stdout.trim().split('\n').length} objects`,
  );
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const get = (kind: string, name: string) => {
      const r = kubectl(info, ['get', kind, name, '-n', NAMESPACE, '-o', 'json']);
      return r.code === 0 ? (JSON.parse(r.stdout) as Workload) : undefined;
    };
    const ctl = get('deployment', 'ironlb-controller');
    const spk = get('daemonset', 'ironlb-speaker');
    const ctlReady = ctl?.status?.readyReplicas ?? 0;
    const spkReady = spk?.status?.numberReady ?? 0;
    const state = `controller ${ctlReady}/${ctl?.spec?.replicas ?? '?'} ready, speakers ${spkReady}/${info.plan.nodes.length} ready`;
    if (state !== last) progress(state);
    last = state;
    if (ctl && ctlReady >= (ctl.spec?.replicas ?? 1) && spkReady >= info.plan.nodes.length) return;
    if (Date.now() > deadline) {
      const pods = kubectl(info, ['get', 'pods', '-n', NAMESPACE, '-o', 'wide']).stdout;
      throw new LabError(
        'timeout',
        `IronLB was not ready in ${timeoutMs / 1000} s: ${state}\n${pods}`,
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
