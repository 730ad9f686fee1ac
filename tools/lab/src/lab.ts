// The lab as a library: what the CLI, the demo and the end-to-end tests call. `upLab` builds the
// network and starts the supervisor; every other call talks to a running lab by name.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import {
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { nodeBinary, workspaceRoot } from '@ironlb/netns-kit';
import { LabError } from './errors.ts';
import { type LabInfo } from './hosts.ts';
import { createLabNetwork, destroyLabNetwork, existingLabNamespaces } from './network.ts';
import { checkLabName, namespaceName, planLab, type Scenario } from './plan.ts';

export const STATE_ROOT = '/run/ironlb-lab';

// Reaching into a running lab (its hosts, kubectl, curl) lives in hosts.ts; re-exported here so
// callers have one import.
export { curlArgv, inHost, kubectl, kubectlArgv, kubectlBinary, type LabInfo } from './hosts.ts';

export function stateDirOf(name: string): string {
  return join(STATE_ROOT, checkLabName(name));
}

function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function labInfo(name: string): LabInfo {
  const stateDir = stateDirOf(name);
  const file = join(stateDir, 'lab.json');
  if (!existsSync(file))
    throw new LabError(
      'not-running',
      `no lab "${name}" is running (npm run lab -- up${name === 'default' ? '' : ` --lab ${name}`})`,
    );
  const saved = JSON.parse(readFileSync(file, 'utf8')) as { scenario: Scenario };
  const pidFile = join(stateDir, 'supervisor.pid');
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : undefined;
  return {
    name,
    stateDir,
    scenario: saved.scenario,
    plan: planLab(saved.scenario),
    kubeconfig: join(stateDir, 'kubeconfig'),
    supervisorPid: pid,
  };
}

export interface UpOptions {
  name: string;
  scenario: Scenario;
  progress: (line: string) => void;
  /** Give up if the control plane is not ready within this time. Default 120 s. */
  timeoutMs?: number;
  /** Install IronLB from deploy/ironlb-native.yaml once the cluster is up. Default false. */
  ironlb?: boolean;
}

/** Builds the lab; on any failure everything created so far is removed again. */
export async function upLab(o: UpOptions): Promise<LabInfo> {
  const name = checkLabName(o.name);
  if (process.getuid?.() !== 0)
    throw new LabError('invalid-argument', 'the lab needs root (network namespaces)');
  const stateDir = stateDirOf(name);
  if (existsSync(join(stateDir, 'lab.json')) || (await existingLabNamespaces(name)).length) {
    const info = existsSync(join(stateDir, 'lab.json')) ? labInfo(name) : undefined;
    if (info && alive(info.supervisorPid))
      throw new LabError(
        'already-running',
        `lab "${name}" is already up (npm run lab -- down${name === 'default' ? '' : ` --lab ${name}`} first)`,
      );
    o.progress(`removing what a previous lab "${name}" left behind`);
    await downLab(name);
  }
  mkdirSync(stateDir, { recursive: true });
  const plan = planLab(o.scenario);
  writeFileSync(
    join(stateDir, 'lab.json'),
    JSON.stringify({ name, scenario: o.scenario, started: new Date().toISOString() }, null, 2),
  );
  try {
    await createLabNetwork(name, plan, o.progress);
    const logFile = join(stateDir, 'supervisor.log');
    writeFileSync(logFile, '');
    const out = openSync(join(stateDir, 'supervisor.out'), 'a');
    // nsenter --net only: the supervisor keeps the machine's mount namespace, so the network
    // namespaces it makes for pods are visible to everyone (ip netns exec would hide them).
    const child = spawn(
      'nsenter',
      [
        `--net=/run/netns/${namespaceName(name, plan.apiserver.label)}`,
        '--',
        nodeBinary(),
        join(workspaceRoot, 'tools', 'lab', 'src', 'supervisor.ts'),
        '--lab',
        name,
        '--state',
        stateDir,
        '--scenario',
        JSON.stringify(o.scenario),
      ],
      { detached: true, stdio: ['ignore', out, out], cwd: workspaceRoot },
    );
    child.unref();
    await followProgress(logFile, child.pid as number, o.progress, o.timeoutMs ?? 120_000);
    const info = labInfo(name);
    if (o.ironlb) {
      const { installIronLB } = await import('./install.ts');
      await installIronLB(info, o.progress);
    }
    return info;
  } catch (e) {
    o.progress(`failed: ${(e as Error).message}; removing the lab`);
    await downLab(name);
    throw e;
  }
}

async function followProgress(
  logFile: string,
  pid: number,
  progress: (line: string) => void,
  timeoutMs: number,
): Promise<void> {
  let offset = 0;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const size = statSync(logFile).size;
    if (size > offset) {
      const text = readFileSync(logFile, 'utf8').slice(offset);
      offset = size;
      for (const line of text.split('\n')) {
        const p = / PROGRESS (.*)$/.exec(line);
        if (p?.[1] === 'READY') return;
        if (p?.[1]) progress(p[1]);
        const f = / FATAL (.*)$/.exec(line);
        if (f) throw new LabError('command-failed', `the lab's control plane failed: ${f[1]}`);
      }
    }
    if (!alive(pid))
      throw new LabError('command-failed', `the lab's control plane exited; see ${logFile}`);
    if (Date.now() > deadline)
      throw new LabError(
        'timeout',
        `the lab's control plane was not ready in ${timeoutMs / 1000} s; see ${logFile}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Removes a lab completely, also one whose supervisor crashed. Returns the namespaces deleted. */
export async function downLab(name: string): Promise<string[]> {
  const stateDir = stateDirOf(name);
  const pidFile = join(stateDir, 'supervisor.pid');
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : undefined;
  if (alive(pid)) {
    await control(name, 'stop', {}, 5000).catch(() => undefined);
    const deadline = Date.now() + 15_000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (alive(pid)) process.kill(pid as number, 'SIGKILL');
  }
  const deleted = await destroyLabNetwork(name);
  rmSync(stateDir, { recursive: true, force: true });
  return deleted;
}

/** One request to the supervisor over its unix socket. */
export function control<T = unknown>(
  name: string,
  cmd: string,
  args: Record<string, string> = {},
  timeoutMs = 120_000,
): Promise<T> {
  const sock = join(stateDirOf(name), 'control.sock');
  return new Promise((resolve, reject) => {
    if (!existsSync(sock)) {
      reject(new LabError('not-running', `lab "${name}" is not running`));
      return;
    }
    const s = connect(sock);
    let buf = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(
        new LabError('timeout', `lab "${name}" did not answer ${cmd} in ${timeoutMs / 1000} s`),
      );
    }, timeoutMs);
    s.setEncoding('utf8');
    s.on('connect', () => s.write(JSON.stringify({ cmd, args }) + '\n'));
    s.on('data', (d: string) => {
      buf += d;
      const i = buf.indexOf('\n');
      if (i < 0) return;
      clearTimeout(timer);
      s.end();
      const reply = JSON.parse(buf.slice(0, i)) as { ok: boolean; result?: T; error?: string };
      if (reply.ok) resolve(reply.result as T);
      else reject(new LabError('command-failed', reply.error ?? 'failed'));
    });
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(new LabError('not-running', `lab "${name}" is not answering: ${e.message}`));
    });
  });
}
