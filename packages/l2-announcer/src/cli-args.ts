import { isIPv4, isIPv6 } from 'node:net';
import { parseArgs } from 'node:util';

/** Parsed `ironlb-l2 announce` invocation. */
export interface L2CliConfig {
  /** Interfaces to answer on; empty = every eligible interface. */
  interfaces: string[];
  addresses: string[];
  /** Extra interface name patterns to skip (added to MetalLB's defaults). */
  exclude: string[];
  refreshIntervalMs: number;
  burstIntervalMs: number;
  burstDurationMs: number;
  rescanIntervalMs: number;
  /** On SIGTERM/SIGINT, keep answering until another node announces each address, up to this. */
  handoverWaitMs: number;
  /** MetalLB's --log-level values. */
  logLevel: 'all' | 'debug' | 'info' | 'warn' | 'error' | 'none';
}

export type L2CliParse =
  { kind: 'help' } | { kind: 'run'; config: L2CliConfig } | { kind: 'error'; message: string };

export const USAGE = `Usage: ironlb-l2 announce [--interface IF]... [options] ADDR...

Answers ARP (IPv4) and NDP (IPv6) for ADDR... as MetalLB's Layer 2 mode does, without configuring
the addresses on the host: on each --interface, or on every eligible interface (up, not enslaved,
not NOARP, not excluded by name) when none is given, following interfaces that come and go. Sends
a gratuitous ARP / unsolicited NA burst at start (at once, then every 1.1 s for 5 s). Runs until
SIGTERM or SIGINT, then stops answering (after a handover, see --handover-wait) and exits 0.
Needs CAP_NET_RAW (root).

Options:
  -i, --interface IF           interface to answer on (repeatable; default: every eligible one)
  -x, --exclude REGEX          skip interfaces whose name matches (repeatable; added to MetalLB's
                               defaults ^docker ^cbr ^dummy ^virbr ^lxcbr ^veth ^lo$ ^cali ^tunl
                               ^flannel ^kube-ipvs ^cni ^nodelocaldns ^lxc)
  -r, --refresh-interval DUR   re-announce every DUR after the burst (MetalLB #2910); 0 = off (default 0)
      --burst-interval DUR     spacing of burst rounds (default 1.1s)
      --burst-duration DUR     keep bursting until DUR after the last trigger (default 5s)
      --rescan-interval DUR    how often interfaces are rescanned (default 10s)
      --handover-wait DUR      on SIGTERM/SIGINT keep answering each address until another node
                               announces it, for at most DUR (default 0: stop at once)
      --log-level LEVEL        stderr log level: all|debug|info|warn|error|none (default info)
  -h, --help                   show this help

DUR is a number with a unit: 500ms, 1.5s, 2m, 1h (or 0).

Output: one JSON object per line on stdout, each with "time" (RFC 3339, milliseconds) and
"event": ready, request, reply, gratuitous, conflict, interfaces, open-failed, draining,
handover, stopped. Logs go to stderr.

Exit codes: 0 after SIGTERM/SIGINT, 2 for bad arguments (unknown interface, malformed address),
1 when no interface could be opened (e.g. missing CAP_NET_RAW).

Example:
  ironlb-l2 announce --interface eth0 --refresh-interval 30s 198.51.100.10 2001:db8::10
`;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses "500ms", "1.5s", "2m", "1h" or "0" into milliseconds; undefined when malformed. */
export function parseDurationMs(text: string): number | undefined {
  if (text === '0') return 0;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * (UNITS[m[2] ?? 's'] ?? 1));
}

// Older spellings (pino's level names) are still accepted.
const LEVELS: Record<string, L2CliConfig['logLevel']> = {
  all: 'all',
  trace: 'all',
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  error: 'error',
  fatal: 'error',
  none: 'none',
  silent: 'none',
};

/** Pure argument parsing: no I/O, so every error path is unit-tested. */
export function parseL2Args(argv: readonly string[]): L2CliParse {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        interface: { type: 'string', short: 'i', multiple: true },
        exclude: { type: 'string', short: 'x', multiple: true },
        'refresh-interval': { type: 'string', short: 'r' },
        'burst-interval': { type: 'string' },
        'burst-duration': { type: 'string' },
        'rescan-interval': { type: 'string' },
        'handover-wait': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    return { kind: 'error', message: (e as Error).message.split('\n')[0] ?? 'bad arguments' };
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  const [command, ...addresses] = positionals;
  if (command === undefined)
    return { kind: 'error', message: 'missing command: expected "announce" (see --help)' };
  if (command !== 'announce')
    return { kind: 'error', message: `unknown command "${command}": expected "announce"` };
  if (addresses.length === 0) return { kind: 'error', message: 'no address given' };
  for (const a of addresses) {
    const ok =
      isIPv4(a) ||
      (isIPv6(a) && !a.includes('%') && !a.toLowerCase().startsWith('ff') && a !== '::');
    if (!ok)
      return {
        kind: 'error',
        message: `malformed address "${a}": expected an IPv4 or IPv6 unicast address`,
      };
  }
  for (const x of values.exclude ?? []) {
    try {
      new RegExp(x);
    } catch {
      return { kind: 'error', message: `malformed --exclude "${x}": not a regular expression` };
    }
  }
  const durations: Record<string, number> = {};
  for (const [flag, def] of [
    ['refresh-interval', '0'],
    ['burst-interval', '1100ms'],
    ['burst-duration', '5s'],
    ['rescan-interval', '10s'],
    ['handover-wait', '0'],
  ] as const) {
    const text = values[flag] ?? def;
    const ms = parseDurationMs(text);
    if (ms === undefined)
      return {
        kind: 'error',
        message: `malformed --${flag} "${text}": expected e.g. 500ms, 1.5s, 2m`,
      };
    durations[flag] = ms;
  }
  if ((durations['burst-interval'] ?? 0) <= 0)
    return { kind: 'error', message: '--burst-interval must be greater than 0' };
  if ((durations['rescan-interval'] ?? 0) <= 0)
    return { kind: 'error', message: '--rescan-interval must be greater than 0' };
  const logLevel = LEVELS[values['log-level'] ?? 'info'];
  if (!logLevel)
    return {
      kind: 'error',
      message: `unknown --log-level "${values['log-level']}": expected all, debug, info, warn, error or none`,
    };
  return {
    kind: 'run',
    config: {
      interfaces: values.interface ?? [],
      addresses,
      exclude: values.exclude ?? [],
      refreshIntervalMs: durations['refresh-interval'] ?? 0,
      burstIntervalMs: durations['burst-interval'] ?? 1100,
      burstDurationMs: durations['burst-duration'] ?? 5000,
      rescanIntervalMs: durations['rescan-interval'] ?? 10_000,
      handoverWaitMs: durations['handover-wait'] ?? 0,
      logLevel,
    },
  };
}
