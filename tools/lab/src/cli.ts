#!/usr/bin/env node
// `npm run lab -- <command>`: a virtual bare-metal cluster in network namespaces (issue 18).
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { LabError } from './errors.ts';
import {
  STATE_ROOT,
  control,
  curlArgv,
  downLab,
  inHost,
  kubectlArgv,
  labInfo,
  upLab,
} from './lab.ts';
import { hosts, resolveScenario } from './plan.ts';
import { readFileSync, readdirSync, existsSync } from 'node:fs';

const usage = `usage: npm run lab -- <command> [--lab LAB]

  up [SCENARIO|FILE]      build the lab and install IronLB from deploy/ (scenarios: default = 3 nodes,
                          single, five; or a YAML file); --no-ironlb for the bare cluster
  down                    remove everything (also after a crash)
  status                  nodes, pods, routes the router holds, BGP sessions
  kubectl ARGS...         kubectl pointed at the lab
  exec HOST -- CMD...     run a command on a host (node-1, client, client-wan, router, apiserver)
  crash NODE              SIGKILL everything on the node and pull its cable
  restore NODE            plug it back in; its pods start again
  drain NODE              planned: evict app pods, SIGTERM the speaker, wait, then the node goes away
  curl ADDRESS[:PORT]     an HTTP request from client (--from client-wan for the WAN side)

  --lab LAB               run several labs side by side (before kubectl's own flags). Default:
                          $IRONLB_LAB, else the one lab running (\`npm run demo -- --keep\`'s
                          included), else "default"; \`up\` makes "default"`;

function out(line: string): void {
  process.stdout.write(line + '\n');
}

async function main(argv: string[]): Promise<number> {
  const dashdash = argv.indexOf('--');
  const head = dashdash >= 0 ? argv.slice(0, dashdash) : argv;
  const tail = dashdash >= 0 ? argv.slice(dashdash + 1) : [];
  const [cmd, ...rest] = head;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    out(usage);
    return cmd ? 0 : 2;
  }
  // kubectl's own flags pass through untouched: only `kubectl --lab NAME ...` is ours.
  if (cmd === 'kubectl') {
    const { name, args } = takeName(rest.concat(tail.length ? ['--', ...tail] : []));
    return runInherit(kubectlArgv(labInfo(name), args));
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      lab: { type: 'string' },
      from: { type: 'string', default: 'client' },
      'no-ironlb': { type: 'boolean', default: false },
    },
  });
  const name = (values.lab as string | undefined) ?? (cmd === 'up' ? envLab() : defaultLab());
  switch (cmd) {
    case 'up': {
      const arg = positionals[0];
      const scenario = resolveScenario(arg && existsSync(arg) ? readFileSync(arg, 'utf8') : arg);
      const t0 = Date.now();
      let stop = false;
      const onSigint = () => {
        if (stop) return;
        stop = true;
        out('interrupted: removing the lab');
        void downLab(name).finally(() => process.exit(130));
      };
      process.on('SIGINT', onSigint);
      const info = await upLab({
        name,
        scenario,
        ironlb: !values['no-ironlb'],
        progress: (l) => out(`  ${l}`),
      });
      process.off('SIGINT', onSigint);
      out(
        `lab "${name}" is up in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${info.plan.nodes.length} nodes.`,
      );
      out(
        `  npm run lab -- kubectl ${name === 'default' ? '' : `--lab ${name} `}get nodes -o wide`,
      );
      out(`  npm run lab -- status | curl ADDRESS | crash node-1 | down`);
      return 0;
    }
    case 'down': {
      const deleted = await downLab(name);
      out(`lab "${name}" removed (${deleted.length} namespaces)`);
      return 0;
    }
    case 'status': {
      const info = labInfo(name);
      const s = await control<{
        pods: {
          namespace: string;
          name: string;
          node: string;
          ips: string[];
          containers: { name: string; state: string }[];
        }[];
        down: Record<string, { how: string }>;
        router: {
          routes: { prefix: string; nextHops: string[] }[];
          sessions: Record<string, string>;
        };
      }>(name, 'status');
      out(
        `lab "${name}": ${info.plan.nodes.map((n) => `${n.name} ${n.v4}${s.down[n.name] ? ` (${s.down[n.name]?.how})` : ''}`).join(', ')}`,
      );
      out('pods:');
      for (const p of s.pods.sort(
        (a, b) => a.node.localeCompare(b.node) || a.name.localeCompare(b.name),
      )) {
        out(
          `  ${p.node.padEnd(8)} ${`${p.namespace}/${p.name}`.padEnd(48)} ${p.ips[0] ?? ''} ${p.containers.map((c) => `${c.name}:${c.state}`).join(' ')}`,
        );
      }
      out('router: BGP sessions');
      for (const [peer, state] of Object.entries(s.router.sessions))
        out(`  ${peer.padEnd(22)} ${state}`);
      out('router: routes learned over BGP');
      for (const r of s.router.routes) out(`  ${r.prefix.padEnd(22)} via ${r.nextHops.join(', ')}`);
      const k = spawnSync(
        kubectlArgv(info, [])[0] as string,
        kubectlArgv(info, [
          'get',
          'servicel2statuses.metallb.io',
          '-A',
          '-o',
          'custom-columns=SERVICE:.status.serviceName,NODE:.status.node,INTERFACES:.status.interfaces[*].name',
          '--no-headers',
        ]).slice(1),
        { encoding: 'utf8' },
      );
      if (k.status === 0 && k.stdout.trim()) {
        out('layer 2: which node announces which service, on which interfaces');
        // An empty interface list in ServiceL2Status means every eligible interface (MetalLB's
        // rule, the L2Advertisement named none); kubectl prints it as <none>.
        for (const l of k.stdout.trim().split('\n')) out(`  ${l.replace(/<none>\s*$/, '(all)')}`);
      }
      return 0;
    }
    case 'exec': {
      const host = positionals[0];
      if (!host || !tail.length)
        throw new LabError(
          'invalid-argument',
          `exec needs HOST -- CMD (hosts: ${hosts(labInfo(name).plan)
            .map((h) => h.name)
            .join(', ')})`,
        );
      return runInherit(inHost(labInfo(name), host, tail));
    }
    case 'crash':
    case 'restore':
    case 'drain': {
      const node = positionals[0];
      if (!node) throw new LabError('invalid-argument', `${cmd} needs a node name`);
      const r = await control<Record<string, unknown>>(name, cmd, { node });
      out(`${cmd} ${node}: ${JSON.stringify(r)}`);
      return 0;
    }
    case 'curl': {
      const target = positionals[0];
      if (!target) throw new LabError('invalid-argument', 'curl needs ADDRESS[:PORT]');
      return runInherit(curlArgv(labInfo(name), values.from as string, target));
    }
    default:
      process.stderr.write(`unknown command "${cmd}"\n${usage}\n`);
      return 2;
  }
}

// `--lab NAME` right after `kubectl` selects the lab; everything else is kubectl's (its own
// `--name`, as in `kubectl expose --name`, included).
function takeName(args: string[]): { name: string; args: string[] } {
  if (args[0] === '--lab' && args[1]) return { name: args[1], args: args.slice(2) };
  return { name: defaultLab(), args };
}

function envLab(): string {
  return process.env.IRONLB_LAB ?? 'default';
}

/**
 * The lab a command means when none is named: $IRONLB_LAB, else the only lab running (so the
 * commands `npm run demo -- --keep` prints work as they are), else "default".
 */
function defaultLab(): string {
  if (process.env.IRONLB_LAB) return process.env.IRONLB_LAB;
  const running = existsSync(STATE_ROOT) ? readdirSync(STATE_ROOT) : [];
  return running.length === 1 ? (running[0] as string) : 'default';
}

function runInherit(argv: string[]): number {
  const r = spawnSync(argv[0] as string, argv.slice(1), { stdio: 'inherit' });
  return r.status ?? 1;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(
    `lab: ${e instanceof LabError ? e.message : ((e as Error).stack ?? String(e))}\n`,
  );
  process.exitCode = e instanceof LabError && e.code === 'invalid-argument' ? 2 : 1;
}
