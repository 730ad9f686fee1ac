/**
 * ironlb-memberlist: a thin command-line front end to the library (issue 9). Argument parsing and
 * output only: membership events as JSON lines on stdout, logs on stderr.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pino from 'pino';
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
  --join ADDR:PORT       seed to join through; repeatable; retried until one answers
  --secret-file FILE     shared secret (any length; trailing newline ignored); keys are
                         derived with HKDF-SHA256. Without it traffic is NOT encrypted
  --profile fast|lan     timers: fast = sub-second detection (default); lan = hashicorp
                         memberlist's LAN defaults, as MetalLB uses
  --meta KEY=VALUE       member metadata; repeatable; at most 512 bytes in total
  --log-level LEVEL      stderr log level: debug, info, warn, error (default info)
  -h, --help             show this help

Output (stdout, one JSON object per line):
  {"time":"2026-01-01T00:00:00.000Z","event":"ready","member":"n1","addr":"198.51.100.1:7946"}
  {"time":"...","event":"join|update|suspect|alive|dead|leave","member":"n2",
   "addr":"198.51.100.2:7946","incarnation":3,"meta":{"zone":"a"}}

Exit status: 0 after a graceful leave; 2 for bad arguments (unknown flag, malformed address,
unreadable secret, port in use); 1 for any other failure.

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
  join: string[];
  secretFile?: string;
  profile: ProfileName;
  meta: Record<string, string>;
  logLevel: string;
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
        join: { type: 'string', multiple: true },
        'secret-file': { type: 'string' },
        profile: { type: 'string' },
        meta: { type: 'string', multiple: true },
        'log-level': { type: 'string' },
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
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel))
    throw new UsageError(`--log-level must be debug, info, warn or error`);
  const check = (flag: string, a: string) => {
    try {
      parseAddress(a);
    } catch {
      throw new UsageError(`${flag}: malformed address "${a}" (want IPv4:PORT or [IPv6]:PORT)`);
    }
  };
  check('--bind', v.bind);
  const bindHost = parseAddress(v.bind).host;
  if (bindHost === '0.0.0.0' || bindHost === '::')
    throw new UsageError(
      '--bind: must be a concrete address (it is also what others are told to use)',
    );
  for (const j of v.join ?? []) check('--join', j);
  const meta: Record<string, string> = {};
  for (const kv of v.meta ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new UsageError(`--meta: expected KEY=VALUE, got "${kv}"`);
    meta[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return {
    name: v.name,
    bind: v.bind,
    join: v.join ?? [],
    ...(v['secret-file'] !== undefined ? { secretFile: v['secret-file'] } : {}),
    profile,
    meta,
    logLevel,
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

async function agent(a: AgentArgs): Promise<void> {
  const log = pino({ level: a.logLevel, base: { member: a.name } }, pino.destination(2));
  const keyring =
    a.secretFile !== undefined ? Keyring.fromSecrets([readSecret(a.secretFile)]) : null;
  let transport;
  try {
    transport = await createNetTransport({ bindAddr: a.bind });
  } catch (err) {
    if (err instanceof MemberlistError) throw new UsageError(`--bind: ${err.message}`);
    throw err;
  }
  const ml = createMemberlist(
    { transport, keyring, logger: log },
    { name: a.name, profile: a.profile, meta: a.meta },
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
  // MetalLB re-joins periodically; we retry until a seed answers (peers may start after us).
  let delayMs = 500;
  const tryJoin = async (): Promise<void> => {
    if (a.join.length === 0 || stopping) return;
    try {
      const n = await ml.join(a.join);
      log.info({ contacted: n }, 'joined');
    } catch (err) {
      log.warn({ code: (err as MemberlistError).code, retryMs: delayMs }, 'join failed; retrying');
      setTimeout(() => void tryJoin(), delayMs);
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
