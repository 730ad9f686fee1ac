import { exec, run, type ExecOptions, type ExecResult } from './exec.ts';
import { NsProcess } from './process.ts';
import { kitEnv, nodeBinary, workspaceRoot } from './paths.ts';

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Keep standard input open for `writeLine` (default false). */
  stdin?: boolean;
}

/**
 * One network namespace. Commands run through `ip netns exec`, which enters the namespace and
 * execs the command, so a spawned process's pid is the command's own pid.
 */
export class Netns {
  readonly name: string;
  /** Short name given by the test ("a", "router", ...). */
  readonly label: string;
  private readonly track: (p: NsProcess) => void;

  constructor(name: string, label: string, track: (p: NsProcess) => void) {
    this.name = name;
    this.label = label;
    this.track = track;
  }

  private wrap(argv: readonly string[]): string[] {
    return ['ip', 'netns', 'exec', this.name, ...argv];
  }

  /** Runs a command inside the namespace; never throws on exit code. */
  exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return exec(this.wrap(argv), { ...opts, env: kitEnv(opts.env) });
  }

  /** Runs a command inside the namespace; throws KitError on a non-zero exit. */
  run(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return run(this.wrap(argv), { ...opts, env: kitEnv(opts.env) });
  }

  /** Starts a long-running command inside the namespace; it is killed when the topology goes. */
  spawn(argv: readonly string[], opts: SpawnOptions = {}): NsProcess {
    const p = new NsProcess(this.wrap(argv), {
      env: kitEnv(opts.env),
      cwd: opts.cwd ?? workspaceRoot,
      stdin: opts.stdin,
    });
    this.track(p);
    return p;
  }

  /**
   * Starts a Node 24 script inside the namespace. TypeScript files go through tsx so a harness
   * can import the workspace's packages from source.
   */
  spawnNode(script: string, args: readonly string[] = [], opts: SpawnOptions = {}): NsProcess {
    const argv = script.endsWith('.ts')
      ? [nodeBinary(), '--import', 'tsx', script, ...args]
      : [nodeBinary(), script, ...args];
    return this.spawn(argv, opts);
  }

  /** The MAC address of an interface in this namespace. */
  async mac(iface: string): Promise<string> {
    const r = await this.run(['cat', `/sys/class/net/${iface}/address`]);
    return r.stdout.trim();
  }
}
