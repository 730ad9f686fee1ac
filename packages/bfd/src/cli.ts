// ironlb-bfd: a thin command-line front end to the manager (issue 20). Events → JSON lines on
// stdout, logs → stderr, bad arguments → one line on stderr and exit status 2.
import { createInterface } from 'node:readline';
import { createAppLogger } from '@ironlb/clock/pino';
import pino from 'pino';
import { BfdError } from './errors.js';
import { createBfdManager } from './io/manager.js';
import { USAGE, UsageError, parseArgs, parseCommand, tokenize } from './cli-args.js';
import type { RunArgs } from './cli-args.js';

function out(event: string, fields: object = {}): void {
  process.stdout.write(JSON.stringify({ time: new Date().toISOString(), event, ...fields }) + '\n');
}

function fail(message: string, status: number): never {
  process.stderr.write(`ironlb-bfd: error: ${message}\n`);
  process.exit(status);
}

async function run(a: RunArgs): Promise<void> {
  const logger = createAppLogger({
    level: a.logLevel,
    destination: pino.destination({ fd: 2, sync: true }),
    bindings: { tool: 'ironlb-bfd' },
  });
  const manager = createBfdManager({ logger }, { maxSessions: a.maxSessions, sendTtl: a.sendTtl });
  manager.onEvent((e) => {
    const { type, ...rest } = e;
    out(type, rest);
  });
  try {
    for (const s of a.sessions) await manager.addSession(s);
  } catch (err) {
    await manager.close();
    // A socket that cannot be bound (port in use, address not local) is a bad argument too.
    if (err instanceof BfdError && (err.code === 'SOCKET_ERROR' || err.code === 'INVALID_OPTION'))
      fail(err.message, 2);
    throw err;
  }
  out('ready', { sessions: manager.sessions().length });

  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    const words = tokenize(line);
    if (words.length === 0) return;
    void (async () => {
      try {
        const c = parseCommand(words);
        switch (c.cmd) {
          case 'status':
            out('status', { sessions: manager.sessions() });
            break;
          case 'stats':
            out('stats', { ...manager.stats() });
            break;
          case 'add':
            out('added', { session: await manager.addSession(c.session) });
            break;
          case 'remove':
            manager.removeSession(c.key);
            out('removed', { peer: c.key.peerAddress, multihop: c.key.multihop });
            break;
          case 'admin-down':
            manager.adminDown(c.key);
            break;
          case 'admin-up':
            manager.adminUp(c.key);
            break;
        }
      } catch (err) {
        out('error', {
          message: (err as Error).message,
          ...(err instanceof BfdError ? { code: err.code } : {}),
        });
      }
    })();
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: AdminDown to every peer');
    rl.close();
    await manager.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) fail(err.message, 2);
    throw err;
  }
  if (args.command === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  try {
    await run(args);
  } catch (err) {
    fail((err as Error).message, 1);
  }
}

void main();
