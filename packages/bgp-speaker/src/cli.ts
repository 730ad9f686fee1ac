// ironlb-bgp: a thin shell tool over the public API (issue 9). Events → JSON lines on stdout,
// logs (MetalLB's JSON shape, @ironlb/clock/pino) → stderr, bad arguments → one line on stderr and
// exit code 2. Only this entry loads pino: `import '@ironlb/bgp-speaker'` never does (issue 12).
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { createInterface } from 'node:readline';
import { crc32 } from 'node:zlib';
import { pino } from 'pino';
import { createAppLogger } from '@ironlb/clock/pino';
import { BgpError } from './errors.js';
import { formatCommunity, formatLargeCommunity } from './codec/communities.js';
import { numberToBgpId } from './codec/open.js';
import { parseAddress, parseNetwork } from './codec/prefix.js';
import { createBgpSpeaker } from './io/speaker.js';
import type { AnnounceOptions, PeerOptions } from './io/options.js';
import { USAGE, parseArgs, parseRouteFlags, tokenize } from './cli-args.js';
import type { AnnounceArgs, RouteFlags } from './cli-args.js';

function out(event: string, fields: object): void {
  process.stdout.write(JSON.stringify({ time: new Date().toISOString(), event, ...fields }) + '\n');
}

function routeOptions(prefix: string, f: RouteFlags): AnnounceOptions {
  const family = parseNetwork(prefix).family;
  const nh = f.nextHops.find((a) => parseAddress(a).family === family);
  return {
    ...(f.communities.length ? { communities: f.communities } : {}),
    ...(f.largeCommunities.length ? { largeCommunities: f.largeCommunities } : {}),
    ...(f.localPref !== undefined ? { localPref: f.localPref } : {}),
    ...(f.med !== undefined ? { med: f.med } : {}),
    ...(nh !== undefined ? { nextHop: nh } : {}),
  };
}

function describe(o: AnnounceOptions) {
  return {
    communities: (o.communities ?? []).map(formatCommunity),
    largeCommunities: (o.largeCommunities ?? []).map(formatLargeCommunity),
    ...(o.localPref !== undefined ? { localPref: o.localPref } : {}),
    ...(o.med !== undefined ? { med: o.med } : {}),
    ...(o.nextHop !== undefined ? { nextHop: o.nextHop } : {}),
  };
}

function password(a: AnnounceArgs): string | undefined {
  if (a.passwordFile !== undefined)
    return readFileSync(a.passwordFile, 'utf8').replace(/\r?\n$/, '');
  return a.password ?? (process.env.IRONLB_BGP_PASSWORD || undefined);
}

function peerOptions(a: AnnounceArgs): PeerOptions {
  const nh4 = a.nextHops.find((x) => parseAddress(x).family === 'ipv4');
  const nh6 = a.nextHops.filter((x) => parseAddress(x).family === 'ipv6');
  const pw = password(a);
  return {
    address: a.peer,
    ...(a.peerAs !== undefined ? { peerAs: a.peerAs } : {}),
    ...(a.dynamicAsn !== undefined ? { dynamicAsn: a.dynamicAsn } : {}),
    port: a.port,
    passive: a.passive,
    holdTimeSec: a.holdTimeSec,
    ...(a.keepaliveTimeSec !== undefined ? { keepaliveTimeSec: a.keepaliveTimeSec } : {}),
    ...(a.connectTimeSec !== undefined
      ? { connectTimeSec: a.connectTimeSec }
      : { connectRetrySec: a.connectRetrySec }),
    families: a.families,
    ...(a.ttl !== undefined ? { ttl: a.ttl } : {}),
    ...(a.ebgpMultiHop ? { ebgpMultiHop: true } : {}),
    ...(a.ttlSecurityHops !== undefined ? { ttlSecurityHops: a.ttlSecurityHops } : {}),
    ...(pw !== undefined ? { password: pw } : {}),
    ...(a.gracefulRestart
      ? {
          gracefulRestart:
            a.restartTimeSec !== undefined ? { restartTimeSec: a.restartTimeSec } : true,
        }
      : {}),
    ...(a.localAddress ? { localAddress: a.localAddress } : {}),
    ...(nh4 ? { nextHopIpv4: nh4 } : {}),
    ...(nh6.length ? { nextHopIpv6: nh6 } : {}),
  };
}

async function run(a: AnnounceArgs): Promise<void> {
  const logger = createAppLogger({
    level: a.logLevel,
    destination: pino.destination({ dest: 2, sync: true }),
    bindings: { tool: 'ironlb-bgp' },
  });
  let routerId = a.routerId;
  if (!routerId && a.localAddress && parseAddress(a.localAddress).family === 'ipv4')
    routerId = a.localAddress;
  // MetalLB's fallback (protocols.md §1.4): CRC32 of the node name.
  routerId ??= numberToBgpId(crc32(hostname()) || 1);
  const speaker = createBgpSpeaker({ logger }, { localAs: a.localAs, routerId });
  speaker.onEvent((e) => {
    const { type, ...rest } = e;
    out(type, rest);
  });
  for (const p of a.prefixes) speaker.announce(p, routeOptions(p, a));
  await speaker.addPeer(peerOptions(a));
  logger.info({ peer: a.peer, routerId, prefixes: a.prefixes.length }, 'started');

  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    const t = tokenize(line);
    if (t.length === 0) return;
    try {
      const [cmd, ...rest] = t;
      if (cmd === 'status') {
        out('status', {
          peers: speaker.status(),
          routes: speaker.routes().map((r) => ({ prefix: r.prefix, ...describe(r.attributes) })),
        });
      } else if (cmd === 'announce' || cmd === 'withdraw') {
        const f: RouteFlags = {
          communities: [],
          largeCommunities: [],
          localPref: undefined,
          med: undefined,
          nextHops: [],
        };
        const prefixes = parseRouteFlags(rest, f);
        if (prefixes.length === 0) throw new Error(`${cmd} needs a PREFIX`);
        for (const p of prefixes) {
          if (cmd === 'announce') speaker.announce(p, routeOptions(p, f));
          else speaker.withdraw(p);
        }
      } else {
        throw new Error(`unknown command "${cmd}" (announce|withdraw|status)`);
      }
    } catch (err) {
      out('error', {
        message: (err as Error).message,
        ...(err instanceof BgpError ? { code: err.code } : {}),
      });
      logger.warn({ line, err: (err as Error).message }, 'bad stdin command');
    }
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    // With graceful restart, SIGTERM (a restart or an upgrade) closes without a NOTIFICATION so
    // the peer keeps our routes for the restart time; SIGINT always withdraws.
    const graceful = a.gracefulRestart && signal === 'SIGTERM';
    logger.info({ signal, graceful }, 'stopping');
    rl.close();
    await speaker.stop(`ironlb-bgp: ${signal}`, { graceful });
    // Let the Cease NOTIFICATION leave before exiting (sockets flush on end()).
    setTimeout(() => process.exit(0), 200).unref();
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`ironlb-bgp: ${(err as Error).message}\n`);
    process.exit(2);
  }
  if (args.command === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  try {
    await run(args);
  } catch (err) {
    process.stderr.write(`ironlb-bgp: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

void main();
