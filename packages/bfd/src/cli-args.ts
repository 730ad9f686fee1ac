// Argument parsing for ironlb-bfd, kept apart from the process wiring so it is unit-testable.
// Flags and stdin `add` commands share one parser for session flags.
import { parseArgs as nodeParseArgs } from 'node:util';
import { isIP } from 'node:net';
import type { SessionOptions } from './machine/options.js';
import { resolveSessionOptions } from './machine/options.js';
import { BfdError } from './errors.js';

export const USAGE = `Usage: ironlb-bfd run --peer ADDR [--peer ADDR ...] [options]

Runs BFD sessions (RFC 5880 asynchronous mode; RFC 5881 single-hop on UDP 3784 with TTL 255
enforced on receive; RFC 5883 multi-hop on UDP 4784) and prints session events as JSON lines on
stdout until SIGTERM/SIGINT, which tell every peer AdminDown and exit 0. Logs go to stderr.
Needs no root (ports above 1024); the receive TTL check uses setsockopt through koffi.

Session options (apply to every --peer; MetalLB BFDProfile field in brackets):
  --peer ADDR                peer address, IPv4 or IPv6; repeatable                   (required)
  --local-address ADDR       source address of our packets; repeat once per family
  --multihop                 RFC 5883 multi-hop session (UDP 4784) instead of single-hop
  --receive-interval-ms N    Required Min RX, 10-60000 ms (300)           [receiveInterval]
  --transmit-interval-ms N   Desired Min TX once Up, 10-60000 ms (300)   [transmitInterval]
  --detect-multiplier N      1-255 (3)                                    [detectMultiplier]
  --passive                  passive role: send nothing until the peer speaks [passiveMode]
  --minimum-ttl N            multi-hop only: lowest TTL accepted, 1-255 (254) [minimumTtl]
                             (echo mode [echoMode, echoInterval] is not implemented)
Process options:
  --max-sessions N           cap on sessions, including stdin adds (1000)
  --send-ttl N               TTL of packets sent (255); for tests only: anything else
                             breaks RFC 5881 and the peer must ignore the packets
  --log-level LEVEL          debug|info|warn|error (info)
  -h, --help                 this text

Commands on stdin, one per line:
  add ADDR [session options]     start another session
  remove ADDR [--multihop]       send AdminDown once and forget the session
  admin-down ADDR [--multihop]   RFC 5880 §6.8.16 AdminDown (diag administratively-down)
  admin-up ADDR [--multihop]
  status                         one "status" line with every session
  stats                          one "stats" line: datagrams received and dropped by reason

Output (stdout, one JSON object per line; "time" is ISO 8601):
  {"time":"...","event":"ready","sessions":1}
  {"time":"...","event":"state","peer":"198.51.100.2","multihop":false,"from":"Down",
   "to":"Init","diag":"none","remoteDiag":"none"}
  {"time":"...","event":"up","peer":"198.51.100.2","multihop":false,"localDiscriminator":1,
   "remoteDiscriminator":2,"transmitIntervalMs":300,"detectionTimeMs":900}
  {"time":"...","event":"down","peer":"198.51.100.2","multihop":false,"pathFailure":true,
   "to":"Down","diag":"control-detection-time-expired","remoteDiag":"none",
   "sinceLastPacketMs":900.4}
  {"time":"...","event":"error","message":"...","code":"UNKNOWN_SESSION"}   (bad stdin command)

Exit status: 0 after SIGTERM/SIGINT; 2 for bad arguments (one line on stderr); 1 for any
other failure (for example UDP port 3784 already in use).

Example:
  ironlb-bfd run --peer 198.51.100.2 --peer 2001:db8::2 --transmit-interval-ms 100 \\
    --receive-interval-ms 100 --detect-multiplier 3
`;

/** A bad argument: the CLI prints its message on one line and exits 2. */
export class UsageError extends Error {}

export interface RunArgs {
  command: 'run';
  sessions: SessionOptions[];
  maxSessions: number;
  sendTtl: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export type CliArgs = RunArgs | { command: 'help' };

const SESSION_FLAGS = {
  'local-address': { type: 'string', multiple: true },
  multihop: { type: 'boolean' },
  'receive-interval-ms': { type: 'string' },
  'transmit-interval-ms': { type: 'string' },
  'detect-multiplier': { type: 'string' },
  passive: { type: 'boolean' },
  'minimum-ttl': { type: 'string' },
} as const;

function int(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${flag}: expected a whole number, got "${v}"`);
  return Number(v);
}

type SessionValues = {
  'local-address'?: string[];
  multihop?: boolean;
  'receive-interval-ms'?: string;
  'transmit-interval-ms'?: string;
  'detect-multiplier'?: string;
  passive?: boolean;
  'minimum-ttl'?: string;
};

/** Session options for each peer from parsed session flags; validated like addSession does. */
function sessionsOf(peers: string[], v: SessionValues): SessionOptions[] {
  const locals = v['local-address'] ?? [];
  for (const l of locals)
    if (isIP(l) === 0) throw new UsageError(`--local-address: not an IP address: "${l}"`);
  if (new Set(locals.map((l) => isIP(l))).size !== locals.length)
    throw new UsageError('--local-address: give at most one per address family');
  const common = {
    ...(v.multihop ? { multihop: true } : {}),
    ...(v.passive ? { passiveMode: true } : {}),
    ...(int('receive-interval-ms', v['receive-interval-ms']) !== undefined
      ? { receiveIntervalMs: int('receive-interval-ms', v['receive-interval-ms']) }
      : {}),
    ...(int('transmit-interval-ms', v['transmit-interval-ms']) !== undefined
      ? { transmitIntervalMs: int('transmit-interval-ms', v['transmit-interval-ms']) }
      : {}),
    ...(int('detect-multiplier', v['detect-multiplier']) !== undefined
      ? { detectMultiplier: int('detect-multiplier', v['detect-multiplier']) }
      : {}),
    ...(int('minimum-ttl', v['minimum-ttl']) !== undefined
      ? { minimumTtl: int('minimum-ttl', v['minimum-ttl']) }
      : {}),
  };
  return peers.map((peer) => {
    if (isIP(peer) === 0) throw new UsageError(`--peer: not an IP address: "${peer}"`);
    const local = locals.find((l) => isIP(l) === isIP(peer));
    const o: SessionOptions = {
      peerAddress: peer,
      ...common,
      ...(local !== undefined ? { localAddress: local } : {}),
    };
    try {
      resolveSessionOptions(o);
    } catch (err) {
      if (err instanceof BfdError) {
        const option = String(err.detail.option ?? '');
        const flag = option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
        throw new UsageError(
          flag ? `--${flag}: ${err.message.replace(/^\w+: /, '')}` : err.message,
        );
      }
      throw err;
    }
    return o;
  });
}

function firstLine(err: unknown): string {
  return ((err as Error).message.split('\n')[0] ?? 'bad arguments').trim();
}

/** Parses the command line; throws UsageError. */
export function parseArgs(argv: string[]): CliArgs {
  let parsed;
  try {
    parsed = nodeParseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        peer: { type: 'string', multiple: true },
        ...SESSION_FLAGS,
        'max-sessions': { type: 'string' },
        'send-ttl': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError(firstLine(err));
  }
  const v = parsed.values;
  if (v.help) return { command: 'help' };
  const [cmd, ...extra] = parsed.positionals;
  if (cmd !== 'run')
    throw new UsageError(cmd === undefined ? 'missing command "run"' : `unknown command "${cmd}"`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const peers = v.peer ?? [];
  if (peers.length === 0) throw new UsageError('--peer is required');
  const maxSessions = int('max-sessions', v['max-sessions']) ?? 1000;
  if (maxSessions < 1) throw new UsageError('--max-sessions: must be at least 1');
  if (peers.length > maxSessions)
    throw new UsageError(`--max-sessions: ${peers.length} peers given, cap is ${maxSessions}`);
  const sendTtl = int('send-ttl', v['send-ttl']) ?? 255;
  if (sendTtl < 1 || sendTtl > 255) throw new UsageError('--send-ttl: must be 1-255');
  const logLevel = v['log-level'] ?? 'info';
  if (logLevel !== 'debug' && logLevel !== 'info' && logLevel !== 'warn' && logLevel !== 'error')
    throw new UsageError('--log-level: must be debug, info, warn or error');
  const sessions = sessionsOf(peers, v);
  const keys = sessions.map(
    (s) => `${s.multihop ? 'mh' : 'sh'}|${resolveSessionOptions(s).peerAddress}`,
  );
  const dup = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dup) throw new UsageError(`--peer: ${dup.slice(3)} given twice`);
  return { command: 'run', sessions, maxSessions, sendTtl, logLevel };
}

/** Splits a stdin line into words. */
export function tokenize(line: string): string[] {
  return line.trim().split(/\s+/).filter(Boolean);
}

export type StdinCommand =
  | { cmd: 'add'; session: SessionOptions }
  | {
      cmd: 'remove' | 'admin-down' | 'admin-up';
      key: { peerAddress: string; multihop: boolean };
    }
  | { cmd: 'status' | 'stats' };

/** Parses one stdin command; throws UsageError. */
export function parseCommand(words: string[]): StdinCommand {
  const [cmd, ...rest] = words;
  if (cmd === 'status' || cmd === 'stats') {
    if (rest.length) throw new UsageError(`${cmd} takes no arguments`);
    return { cmd };
  }
  if (cmd === 'add' || cmd === 'remove' || cmd === 'admin-down' || cmd === 'admin-up') {
    let parsed;
    try {
      parsed =
        cmd === 'add'
          ? nodeParseArgs({
              args: rest,
              allowPositionals: true,
              strict: true,
              options: SESSION_FLAGS,
            })
          : nodeParseArgs({
              args: rest,
              allowPositionals: true,
              strict: true,
              options: { multihop: SESSION_FLAGS.multihop },
            });
    } catch (err) {
      throw new UsageError(firstLine(err));
    }
    if (parsed.positionals.length !== 1) throw new UsageError(`${cmd} needs exactly one ADDR`);
    const peer = parsed.positionals[0]!;
    if (cmd === 'add')
      return { cmd, session: sessionsOf([peer], parsed.values as SessionValues)[0]! };
    if (isIP(peer) === 0) throw new UsageError(`not an IP address: "${peer}"`);
    return {
      cmd,
      key: {
        peerAddress: peer,
        multihop: (parsed.values.multihop as boolean | undefined) ?? false,
      },
    };
  }
  throw new UsageError(`unknown command "${cmd}" (add|remove|admin-down|admin-up|status|stats)`);
}
