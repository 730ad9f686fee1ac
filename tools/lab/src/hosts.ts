// Reaching into a running lab: a command in one of its hosts, kubectl pointed at it, curl from a
// client. Pure argv builders plus one spawn; no knowledge of how the lab was built (lab.ts) or
// installed (install.ts), which both use them.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { workspaceRoot } from '@ironlb/netns-kit';
import { LabError } from './errors.ts';
import { hostByName, namespaceName, type LabPlan, type Scenario } from './plan.ts';

/** What a running lab is: its name, state folder, plan and credentials. */
export interface LabInfo {
  name: string;
  stateDir: string;
  scenario: Scenario;
  plan: LabPlan;
  kubeconfig: string;
  supervisorPid: number | undefined;
}

export const kubectlBinary = () => join(workspaceRoot, '.tools', 'bin', 'kubectl');

/** argv that runs a command inside one of the lab's hosts. */
export function inHost(info: LabInfo, host: string, argv: string[]): string[] {
  const h = hostByName(info.plan, host);
  return ['ip', 'netns', 'exec', namespaceName(info.name, h.label), ...argv];
}

/** argv of kubectl pointed at the lab (run from the API server's host, as an admin would). */
export function kubectlArgv(info: LabInfo, args: string[]): string[] {
  return inHost(info, 'apiserver', [kubectlBinary(), '--kubeconfig', info.kubeconfig, ...args]);
}

/** Runs kubectl against the lab and returns its output (tests and the demo). */
export function kubectl(
  info: LabInfo,
  args: string[],
  input?: string,
): { code: number; stdout: string; stderr: string } {
  const [cmd, ...rest] = kubectlArgv(info, args);
  const r = spawnSync(cmd as string, rest, { input, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** An HTTP request from a client host (curl), as a user would make it. */
export function curlArgv(info: LabInfo, from: string, target: string, timeoutSec = 2): string[] {
  const m = /^\[?([0-9a-fA-F:.]+?)\]?(?::(\d+))?$/.exec(target);
  if (!m)
    throw new LabError('invalid-argument', `curl target must be ADDRESS[:PORT], got ${target}`);
  const addr = m[1] as string;
  const port = m[2] ?? '80';
  const host = addr.includes(':') ? `[${addr}]` : addr;
  return inHost(info, from, ['curl', '-sS', '-m', String(timeoutSec), `http://${host}:${port}/`]);
}
