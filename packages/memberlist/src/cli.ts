/**
 * ironlb-memberlist: a thin command-line front end to the library (issue 9). Argument parsing and
 * output only: membership events as JSON lines on stdout, logs on stderr.
 *
 * Logs come from @ironlb/clock/pino (MetalLB's log shape), imported only here: pino stays out of
 * the library's import graph and is an optional peer dependency (bin/ironlb-memberlist.js says to
 * install it when it is missing).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { systemClock } from '@ironlb/clock';
import type { Logger } from '@ironlb/clock';
import { createAppLogger, parseLogLevel } from '@ironlb/clock/pino';
import { parseAddress } from './codec/address.js';
import { Keyring } from './codec/crypto.js';
import { MemberlistError } from './errors.js';
import { createMemberlist } from './io/memberlist.js';
import { createNetTransport } from './io/net-transport.js';
import type { ProfileName } from './machine/config.js';
import type { MemberEvent } from './machine/types.js';

const USAGE = `Usage: ironlb-memberlist agent --name NAME --bind ADDR:PORT [options]

Joins a memberlist cluster (SWIM + Lifeguard, AES-256-GCM) and prints membership events as JSON
lines on stdout until SIGTERM/SIGINT (graceful leave, exit 0). SIGKILL looks like a crash to the
others. Logs go to stderr.

Options:
  --name NAME            unique member name (e.g. the node name)                     (required)
  --bind ADDR:PORT       UDP and TCP address to bind, e.g. 198.51.100.1:7946 or
                         [2001:db8::1]:7946; also the address advertised to others   (required)
  --advertise ADDR:PORT  address others should use, when --bind is 0.0.0.0 or :: (or
                         differs from it, e.g. behind NAT); default: --bind
  --join ADDR:PORT       seed to join through; repeatable; retried until one answers
  --secret-file FILE     shared secret (any length; trailing newline ignored); keys are
                         derived with HKDF-SHA256. Without it traffic is NOT encrypted
  --profile fast|lan     timers: fast = sub-second detection (default); lan = hashicorp
                         memberlist's LAN defaults, as MetalLB uses
  --meta KEY=VALUE       member metadata; repeatable; at most 512 bytes in total
  --log-level LEVEL      stderr log level (MetalLB's): all, debug, info, warn, error, none
                         (default info)
  --stats-interval-ms N  also print a "stats" line every N ms (member table size, pending
                         verifications, dropped messages and streams, bytes buffered, RSS)
  -h, --help             show this help

Output (stdout, one JSON object per line):
  {"time":"2026-01-01T00:00:00.000Z","event":"ready","member":"n1","addr":"198.51.100.1:7946"}
  {"time":"...","event":"join|update|suspect|alive|dead|leave","member":"n2",
   "addr":"198.51.100.2:7946","incarnation":3,"meta":{"zone":"a"}}
  {"time":"...","event":"stats","member":"n1","members":4,...}   (with --stats-interval-ms)

Exit status: 0 after a graceful leave; 2 for bad arguments (unknown flag, malformed address,
unreadable secret, port in use); 1 for any other failure (also: pino not installed).

Example:
  openssl rand -base64 128 > /etc/ironlb/secret
  ironlb-memberlist agent --name node-a --bind 198.51.100.1:7946 \\
    --join 198.51.100.2:7946 --secret-file /etc/ironlb/secret --meta zone=a
`;

class UsageError extends Error {}

function fail(message: string, status: number): never {
  process.stderr.write(`ironlb-memberlist: error: ${message}\n`);
  process.exit(status);
}

interface AgentArgs {
  name: string;
  bind: string;
  advertise?: string;
  join: string[];
  secretFile?: string;
  profile: ProfileName;
  meta: Record<string, string>;
  logLevel: string;
  statsIntervalMs?: number;
}

function parse(argv: string[]): AgentArgs | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        name: { type: 'string' },
        bind: { type: 'string' },
        advertise: { type: 'string' },
        join: { type: 'string', multiple: true },
        'secret-file': { type: 'string' },
        profile: { type: 'string' },
        meta: { type: 'string', multiple: true },
        'log-level': { type: 'string' },
        'stats-interval-ms': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0] ?? 'bad arguments');
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const [cmd, ...extra] = parsed.positionals;
  if (cmd !== 'agent')
    throw new UsageError(
      cmd === undefined ? 'missing command "agent"' : `unknown command "${cmd}"`,
    );
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (v.name === undefined || v.name === '') throw new UsageError('--name is required');
  if (v.bind === undefined) throw new UsageError('--bind is required');
  const profile = v.profile ?? 'fast';
  if (profile !== 'fast' && profile !== 'lan')
    throw new UsageError(`--profile must be fast or lan, not "${profile}"`);
  const logLevel = v['log-level'] ?? 'info';
  if (!['all', 'debug', 'info', 'warn', 'error', 'none'].includes(logLevel))
    throw new UsageError(`--log-level must be all, debug, info, warn, error or none`);
  const check = (flag: string, a: string) => {
    try {
      parseAddress(a);
    } catch {
      throw new UsageError(`${flag}: malformed address "${a}" (want IPv4:PORT or [IPv6]:PORT)`);
    }
  };
  check('--bind', v.bind);
  const unspecified = (a: string) => ['0.0.0.0', '::'].includes(parseAddress(a).host);
  if (v.advertise !== undefined) {
    check('--advertise', v.advertise);
    if (unspecified(v.advertise))
      throw new UsageError('--advertise: must be a concrete address (others are told to use it)');
  } else if (unspecified(v.bind))
    throw new UsageError(
      '--bind: must be a concrete address (it is also what others are told to use), or give --advertise',
    );
  for (const j of v.join ?? []) check('--join', j);
  const statsText = v['stats-interval-ms'];
  if (statsText !== undefined && !/^[1-9][0-9]{0,6}$/.test(statsText))
    throw new UsageError(`--stats-interval-ms must be a positive integer, not "${statsText}"`);
  const meta: Record<string, string> = {};
  for (const kv of v.meta ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new UsageError(`--meta: expected KEY=VALUE, got "${kv}"`);
    meta[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return {
    name: v.name,
    bind: v.bind,
    ...(v.advertise !== undefined ? { advertise: v.advertise } : {}),
    join: v.join ?? [],
    ...(v['secret-file'] !== undefined ? { secretFile: v['secret-file'] } : {}),
    profile,
    meta,
    logLevel,
    ...(statsText !== undefined ? { statsIntervalMs: Number(statsText) } : {}),
  };
}

function readSecret(file: string): Buffer {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch (err) {
    throw new UsageError(
      `--secret-file: cannot read "${file}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  let end = raw.length;
  while (end > 0 && (raw[end - 1] === 0x0a || raw[end - 1] === 0x0d)) end--;
  if (end === 0) throw new UsageError(`--secret-file: "${file}" is empty`);
  return raw.subarray(0, end);
}

function print(event: string, fields: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify({ time: new Date().toISOString(), event, ...fields }) + '\n');
}

/** MetalLB-shaped JSON logs on stderr (stdout carries the events). */
function stderrLogger(level: string, member: string): Logger {
  return createAppLogger({
    level: parseLogLevel(level),
    bindings: { member },
    destination: { write: (line: string) => void process.stderr.write(line) },
  });
}

async function agent(a: AgentArgs): Promise<void> {
  const log = stderrLogger(a.logLevel, a.name);
  const keyring =
    a.secretFile !== undefined ? Keyring.fromSecrets([readSecret(a.secretFile)]) : null;
  let transport;
  try {
    transport = await createNetTransport({ logger: log }, { bindAddr: a.bind });
  } catch (err) {
    if (err instanceof MemberlistError) throw new UsageError(`--bind: ${err.message}`);
    throw err;
  }
  const ml = createMemberlist(
    { transport, keyring, logger: log },
    {
      name: a.name,
      profile: a.profile,
      meta: a.meta,
      ...(a.advertise !== undefined ? { advertiseAddr: a.advertise } : {}),
    },
  );
  ml.onEvent((e: MemberEvent) =>
    print(e.type, {
      member: e.member.name,
      addr: e.member.addr,
      incarnation: e.member.incarnation,
      meta: e.member.meta,
    }),
  );
  ml.start();
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'leaving');
    ml.leave().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err: String(err) }, 'leave failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  print('ready', {
    member: a.name,
    addr: ml.addr,
    profile: a.profile,
    encrypted: keyring !== null,
  });
  if (a.statsIntervalMs !== undefined) {
    const every = a.statsIntervalMs;
    const tick = () => {
      if (stopping) return;
      const st = ml.stats();
      const tr = st.transport;
      print('stats', {
        member: a.name,
        members: ml.members().length,
        pendingMembers: st.pendingMembers,
        packetsIn: st.packetsIn,
        rejected: st.rejected,
        authFailures: st.authFailures,
        inboundStreams: tr?.inboundStreams ?? 0,
        bufferedBytes: tr?.bufferedBytes ?? 0,
        peakBufferedBytes: tr?.peakBufferedBytes ?? 0,
        streamsDropped: tr?.dropped ?? {},
        rssBytes: process.memoryUsage.rss(),
      });
      systemClock.setTimeout(tick, every);
    };
    systemClock.setTimeout(tick, every);
  }
  // MetalLB re-joins periodically; we retry until a seed answers (peers may start after us).
  let delayMs = 500;
  const tryJoin = async (): Promise<void> => {
    if (a.join.length === 0 || stopping) return;
    try {
      const n = await ml.join(a.join);
      log.info({ contacted: n }, 'joined');
    } catch (err) {
      const code = (err as MemberlistError).code;
      if (stopping || code === 'CLOSED') return;
      log.warn({ code, retryMs: delayMs }, 'join failed; retrying');
      systemClock.setTimeout(() => void tryJoin(), delayMs);
      delayMs = Math.min(delayMs * 2, 10_000);
    }
  };
  await tryJoin();
}

async function main(argv: string[]): Promise<void> {
  let args;
  try {
    args = parse(argv);
  } catch (err) {
    if (err instanceof UsageError) fail(`${err.message} (see --help)`, 2);
    throw err;
  }
  if (args === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  try {
    await agent(args);
  } catch (err) {
    if (err instanceof UsageError) fail(err.message, 2);
    fail((err as Error).message, 1);
  }
}

void main(process.argv.slice(2));
