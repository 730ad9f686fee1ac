// ironlb-l2: MetalLB's Layer 2 mode from a shell (issues 9, 13). Thin: argument parsing and
// JSON-lines output on top of createL2Announcer. The only module of this package that loads pino
// (through @ironlb/clock/pino): the library's import graph stays free of it (issue 12).
import { createAppLogger } from '@ironlb/clock/pino';
import { formatMac, readInterfaceMac } from '@ironlb/raw-link';
import { USAGE, parseL2Args } from './cli-args.js';
import { createL2Announcer } from './io/announcer.js';

function emit(event: string, fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), event, ...fields })}\n`);
}

function fail(message: string, code: number): never {
  process.stderr.write(`ironlb-l2: ${message}\n`);
  process.exit(code);
}

function main(): void {
  const parsed = parseL2Args(process.argv.slice(2));
  if (parsed.kind === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (parsed.kind === 'error') fail(`${parsed.message} (see --help)`, 2);
  const cfg = parsed.config;
  const macs = new Map<string, string>();
  for (const iface of cfg.interfaces) {
    try {
      macs.set(iface, formatMac(readInterfaceMac(iface)));
    } catch {
      fail(`unknown interface "${iface}"`, 2);
    }
  }
  const logger = createAppLogger({ level: cfg.logLevel, destination: process.stderr });
  const ann = createL2Announcer(
    {
      logger,
      onEvent: (e) => {
        const { type, ...rest } = e;
        emit(type, rest);
      },
    },
    {
      rescanIntervalMs: cfg.rescanIntervalMs,
      excludeInterfaces: cfg.exclude,
      refreshIntervalMs: cfg.refreshIntervalMs,
      burstIntervalMs: cfg.burstIntervalMs,
      burstDurationMs: cfg.burstDurationMs,
    },
  );
  const interfaces = cfg.interfaces.length
    ? cfg.interfaces.map((name) => ({ name, mac: macs.get(name) }))
    : ann.interfaces().map((i) => ({ name: i.name, mac: i.mac }));
  // `iface` and `mac` as before when exactly one interface was named (stable contract).
  const single =
    cfg.interfaces.length === 1 ? { iface: interfaces[0]?.name, mac: interfaces[0]?.mac } : {};
  emit('ready', { ...single, interfaces, addresses: cfg.addresses });
  const statuses = cfg.addresses.map((a) => ann.announce(a, { interfaces: cfg.interfaces }));
  if (statuses.every((s) => s.interfaces.length === 0)) {
    ann.close();
    fail(
      cfg.interfaces.length
        ? `cannot answer on ${cfg.interfaces.join(', ')} (see the open-failed event and the log; raw sockets need CAP_NET_RAW)`
        : 'no eligible interface to answer on',
      1,
    );
  }
  // Keep running while no responder is open (interfaces may come back): the library's timers are
  // unref'd, as a library's should be.
  const keepAlive = setInterval(() => {}, 1 << 30);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    let result: { handedOver: unknown[]; remaining: string[] } = { handedOver: [], remaining: [] };
    if (cfg.handoverWaitMs > 0) {
      emit('draining', { signal, maxWaitMs: cfg.handoverWaitMs });
      result = await ann.drain({ maxWaitMs: cfg.handoverWaitMs });
    }
    ann.close();
    clearInterval(keepAlive);
    emit('stopped', { ...single, signal, ...result });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main();
