// Argument parsing for ironlb-bgp, kept apart from the process wiring so it is unit-testable.
import { BgpError, BgpErrorCode } from './errors.js';
import { parseCommunity, parseLargeCommunity } from './codec/communities.js';
import type { LargeCommunity } from './codec/communities.js';
import { parseAddress, parseNetwork } from './codec/prefix.js';
import type { AddressFamily } from './codec/prefix.js';

export interface RouteFlags {
  communities: number[];
  largeCommunities: LargeCommunity[];
  localPref: number | undefined;
  med: number | undefined;
  nextHops: string[];
}

export interface AnnounceArgs extends RouteFlags {
  command: 'announce';
  localAs: number;
  peer: string;
  peerAs: number | undefined;
  dynamicAsn: 'internal' | 'external' | undefined;
  localAddress: string | undefined;
  port: number;
  passive: boolean;
  holdTimeSec: number;
  keepaliveTimeSec: number | undefined;
  connectRetrySec: number;
  connectTimeSec: number | undefined;
  families: AddressFamily[];
  ttl: number | undefined;
  ebgpMultiHop: boolean;
  ttlSecurityHops: number | undefined;
  /** From --password-file (or --password, or IRONLB_BGP_PASSWORD, applied by the CLI). */
  passwordFile: string | undefined;
  password: string | undefined;
  gracefulRestart: boolean;
  restartTimeSec: number | undefined;
  routerId: string | undefined;
  prefixes: string[];
  logLevel: 'all' | 'debug' | 'info' | 'warn' | 'error' | 'none';
}

export type CliArgs = AnnounceArgs | { command: 'help' };

export const USAGE = `Usage: ironlb-bgp announce --local-as N --peer ADDR --peer-as N [options] PREFIX...

Opens a BGP session to one peer, announces PREFIX... and keeps running. Reads commands on stdin,
one per line:  announce PREFIX [route flags] | withdraw PREFIX | status
Prints events as JSON lines on stdout; logs go to stderr. SIGTERM/SIGINT send a Cease and exit 0.

Session options:
  --local-as N              our ASN (1..4294967295)                              (required)
  --peer ADDR               peer IPv4 or IPv6 address                            (required)
  --peer-as N               peer ASN; equal to --local-as means iBGP   (required, or --dynamic-asn)
  --dynamic-asn KIND        learn the peer ASN from its OPEN: internal (iBGP) or external (eBGP)
  --local-address ADDR      source address of the session (and default next hop)
  --port N                  peer's TCP port to dial, or with --passive the port to listen on (179)
  --passive                 wait for the peer to connect instead of dialling
  --hold-time DURATION      proposed hold time: 0 or >= 3s, e.g. 90s, 1m30s, 9 (90s)
  --keepalive-time DURATION keepalive interval, at most the hold time (hold/3)
  --connect-retry DURATION  maximum reconnect delay, jittered (120s)
  --connect-time DURATION   fixed interval between connection attempts instead (no backoff)
  --family F                ipv4 or ipv6; repeat for both (both: IPv4 and IPv6 over one session)
  --ttl N                   IP TTL / hop limit of session packets, SYN included, 1..255 (kernel's
                            default 64); 1 keeps eBGP on the link
  --ebgp-multihop           TTL 255 (FRR's ebgp-multihop)
  --ttl-security-hops N     GTSM (RFC 5082): send TTL 255, drop packets below 256-N, 1..254
  --password-file FILE      TCP-MD5 password (RFC 2385) from FILE (trailing newline dropped);
                            also --password PW (visible to other users in ps) or IRONLB_BGP_PASSWORD
  --graceful-restart        graceful restart (RFC 4724): the peer keeps our routes while we restart;
                            SIGTERM then closes without withdrawing (SIGINT still withdraws)
  --restart-time DURATION   restart time we advertise, at most 4095s (120s)
  --router-id ID            BGP identifier (default: --local-address if IPv4, else CRC32 of hostname)
  --log-level LEVEL         all|debug|info|warn|error|none (info)
Route flags (apply to the PREFIX... arguments and to stdin announce commands):
  --next-hop ADDR           next hop; repeat once per family (default: next-hop-self)
  --community A:B|NAME      RFC 1997 community or well-known name (no-export, ...); repeatable
  --large-community A:B:C   RFC 8092 large community; repeatable
  --local-pref N            LOCAL_PREF, sent to iBGP peers only (100)
  --med N                   MULTI_EXIT_DISC
  -h, --help                this text

Example:
  ironlb-bgp announce --local-as 64512 --peer 198.51.100.2 --peer-as 64513 \\
    --community 64512:100 --large-community 64512:1:2 203.0.113.10/32 2001:db8:1::10/128
`;

function fail(message: string, option?: string): never {
  throw new BgpError(BgpErrorCode.InvalidOption, message, { detail: option ? { option } : {} });
}

/** "90", "90s", "1m30s", "2m", "1h" → whole seconds. */
export function parseDurationSec(text: string, option: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!m || text === '') fail(`${option}: bad duration "${text}" (use e.g. 90s, 1m30s)`, option);
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

function parseUint(text: string | undefined, option: string, max: number, min = 0): number {
  if (text === undefined || !/^\d+$/.test(text) || Number(text) > max || Number(text) < min) {
    fail(`${option}: expected an integer in ${min}..${max}, got "${text ?? ''}"`, option);
  }
  return Number(text);
}

function wrapValue<T>(option: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof BgpError) fail(`${option}: ${err.message}`, option);
    throw err;
  }
}

/** Parses route flags from a token list; returns the remaining positional tokens. */
export function parseRouteFlags(
  tokens: string[],
  flags: RouteFlags,
  onOther?: (flag: string, next: () => string) => boolean,
): string[] {
  const positional: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as string;
    const next = () => {
      const v = tokens[++i];
      if (v === undefined) fail(`${t} needs a value`, t);
      return v;
    };
    switch (t) {
      case '--next-hop': {
        const v = next();
        wrapValue(t, () => parseAddress(v));
        flags.nextHops.push(v);
        break;
      }
      case '--community': {
        const v = next();
        flags.communities.push(wrapValue(t, () => parseCommunity(v)));
        break;
      }
      case '--large-community': {
        const v = next();
        flags.largeCommunities.push(wrapValue(t, () => parseLargeCommunity(v)));
        break;
      }
      case '--local-pref':
        flags.localPref = parseUint(next(), t, 0xffffffff);
        break;
      case '--med':
        flags.med = parseUint(next(), t, 0xffffffff);
        break;
      default:
        if (t.startsWith('-')) {
          if (onOther?.(t, next)) break;
          fail(`unknown option ${t}`, t);
        }
        wrapValue('PREFIX', () => parseNetwork(t));
        positional.push(t);
    }
  }
  return positional;
}

export function parseArgs(argv: string[]): CliArgs {
  if (argv.length === 0 || argv.includes('-h') || argv.includes('--help') || argv[0] === 'help')
    return { command: 'help' };
  const [command, ...rest] = argv;
  if (command !== 'announce') fail(`unknown command "${command}" (try --help)`);
  const a: Partial<AnnounceArgs> & RouteFlags = {
    communities: [],
    largeCommunities: [],
    localPref: undefined,
    med: undefined,
    nextHops: [],
  };
  let passive = false;
  let ebgpMultiHop = false;
  let gracefulRestart = false;
  const families: AddressFamily[] = [];
  const prefixes = parseRouteFlags(rest, a, (flag, next) => {
    switch (flag) {
      case '--local-as':
        a.localAs = parseUint(next(), flag, 0xffffffff, 1);
        return true;
      case '--peer-as':
        a.peerAs = parseUint(next(), flag, 0xffffffff, 1);
        return true;
      case '--dynamic-asn': {
        const v = next();
        if (v !== 'internal' && v !== 'external')
          fail(`${flag}: expected internal or external`, flag);
        a.dynamicAsn = v;
        return true;
      }
      case '--keepalive-time': {
        const v = parseDurationSec(next(), flag);
        if (v < 1 || v > 65535) fail(`${flag}: must be 1s..65535s`, flag);
        a.keepaliveTimeSec = v;
        return true;
      }
      case '--connect-time': {
        const v = parseDurationSec(next(), flag);
        if (v < 1 || v > 65535) fail(`${flag}: must be 1s..65535s`, flag);
        a.connectTimeSec = v;
        return true;
      }
      case '--family': {
        const v = next();
        if (v !== 'ipv4' && v !== 'ipv6') fail(`${flag}: expected ipv4 or ipv6`, flag);
        if (!families.includes(v)) families.push(v);
        return true;
      }
      case '--ebgp-multihop':
        ebgpMultiHop = true;
        return true;
      case '--ttl-security-hops':
        a.ttlSecurityHops = parseUint(next(), flag, 254, 1);
        return true;
      case '--password-file':
        a.passwordFile = next();
        return true;
      case '--password': {
        const v = next();
        if (v.length === 0 || Buffer.byteLength(v) > 80) fail(`${flag}: 1..80 bytes`, flag);
        a.password = v;
        return true;
      }
      case '--graceful-restart':
        gracefulRestart = true;
        return true;
      case '--restart-time': {
        const v = parseDurationSec(next(), flag);
        if (v > 4095) fail(`${flag}: at most 4095s (RFC 4724 §3)`, flag);
        a.restartTimeSec = v;
        return true;
      }
      case '--peer': {
        const v = next();
        wrapValue(flag, () => parseAddress(v));
        a.peer = v;
        return true;
      }
      case '--local-address': {
        const v = next();
        wrapValue(flag, () => parseAddress(v));
        a.localAddress = v;
        return true;
      }
      case '--port':
        a.port = parseUint(next(), flag, 65535, 1);
        return true;
      case '--passive':
        passive = true;
        return true;
      case '--hold-time': {
        const v = parseDurationSec(next(), flag);
        if (v !== 0 && (v < 3 || v > 65535))
          fail(`${flag}: must be 0 or 3s..65535s (RFC 4271 §4.2)`, flag);
        a.holdTimeSec = v;
        return true;
      }
      case '--connect-retry': {
        const v = parseDurationSec(next(), flag);
        if (v < 1) fail(`${flag}: must be at least 1s`, flag);
        a.connectRetrySec = v;
        return true;
      }
      case '--ttl':
        a.ttl = parseUint(next(), flag, 255, 1);
        return true;
      case '--router-id': {
        const v = next();
        const p = wrapValue(flag, () => parseAddress(v));
        if (p.family !== 'ipv4' || p.bytes.every((b) => b === 0))
          fail(`${flag}: must be a non-zero IPv4 dotted quad`, flag);
        a.routerId = v;
        return true;
      }
      case '--log-level': {
        const v = next();
        const levels = ['all', 'debug', 'info', 'warn', 'error', 'none'] as const;
        if (!(levels as readonly string[]).includes(v))
          fail(`${flag}: expected ${levels.join('|')}`, flag);
        a.logLevel = v as AnnounceArgs['logLevel'];
        return true;
      }
      default:
        return false;
    }
  });
  if (a.localAs === undefined) fail('--local-as is required', '--local-as');
  if (a.peer === undefined) fail('--peer is required', '--peer');
  if (a.peerAs === undefined && a.dynamicAsn === undefined)
    fail('--peer-as (or --dynamic-asn) is required', '--peer-as');
  if (a.peerAs !== undefined && a.dynamicAsn !== undefined)
    fail('give --peer-as or --dynamic-asn, not both', '--dynamic-asn');
  if (a.localAs === 23456 || a.peerAs === 23456)
    fail('AS 23456 is AS_TRANS and cannot be used (RFC 6793)');
  if (a.connectTimeSec !== undefined && a.connectRetrySec !== undefined)
    fail('give --connect-time or --connect-retry, not both', '--connect-time');
  if (a.ttlSecurityHops !== undefined && (a.ttl !== undefined || ebgpMultiHop))
    fail('--ttl-security-hops sends TTL 255: do not combine it with --ttl or --ebgp-multihop');
  if (a.ttl !== undefined && ebgpMultiHop) fail('give --ttl or --ebgp-multihop, not both', '--ttl');
  if (a.password !== undefined && a.passwordFile !== undefined)
    fail('give --password or --password-file, not both', '--password');
  if (a.restartTimeSec !== undefined && !gracefulRestart)
    fail('--restart-time needs --graceful-restart', '--restart-time');
  return {
    command: 'announce',
    localAs: a.localAs,
    peer: a.peer,
    peerAs: a.peerAs,
    dynamicAsn: a.dynamicAsn,
    localAddress: a.localAddress,
    port: a.port ?? 179,
    passive,
    holdTimeSec: a.holdTimeSec ?? 90,
    keepaliveTimeSec: a.keepaliveTimeSec,
    connectRetrySec: a.connectRetrySec ?? 120,
    connectTimeSec: a.connectTimeSec,
    families: families.length ? families : ['ipv4', 'ipv6'],
    ttl: a.ttl,
    ebgpMultiHop,
    ttlSecurityHops: a.ttlSecurityHops,
    passwordFile: a.passwordFile,
    password: a.password,
    gracefulRestart,
    restartTimeSec: a.restartTimeSec,
    routerId: a.routerId,
    prefixes,
    logLevel: a.logLevel ?? 'info',
    communities: a.communities,
    largeCommunities: a.largeCommunities,
    localPref: a.localPref,
    med: a.med,
    nextHops: a.nextHops,
  };
}

/** Splits a stdin line into tokens on whitespace. */
export function tokenize(line: string): string[] {
  return line
    .trim()
    .split(/\s+/)
    .filter((t) => t.length > 0);
}
