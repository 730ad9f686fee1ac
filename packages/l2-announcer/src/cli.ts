// ironlb-l2: answer ARP and NDP for addresses from a shell (issue 9). Thin: argument parsing and
// JSON-lines output on top of the public APIs of @ironlb/arp-responder and @ironlb/ndp-responder.
// It lives in arp-responder (which depends on ndp-responder) so that one `bin` covers both
// families; ndp-responder stays free of ARP.
import type { L2Event, L2Responder } from '@ironlb/raw-link';
import { RawLinkError, readInterfaceMac } from '@ironlb/raw-link';
import { createNdpResponder } from '@ironlb/ndp-responder';
import { pino } from 'pino';
import { USAGE, parseL2Args } from './cli-args.js';
import { createArpResponder } from './io/arp-responder.js';

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
  let mac: string;
  try {
    mac = [...readInterfaceMac(cfg.iface)].map((b) => b.toString(16).padStart(2, '0')).join(':');
  } catch (e) {
    if (e instanceof RawLinkError) fail(`unknown interface "${cfg.iface}"`, 2);
    throw e;
  }
  const logger = pino({ level: cfg.logLevel, base: { iface: cfg.iface } }, pino.destination(2));
  const onEvent = (e: L2Event) => {
    const { type, ...rest } = e;
    emit(type, rest);
  };
  const common = {
    iface: cfg.iface,
    refreshIntervalMs: cfg.refreshIntervalMs,
    burstIntervalMs: cfg.burstIntervalMs,
    burstDurationMs: cfg.burstDurationMs,
  };
  const responders: { r: L2Responder; addresses: string[] }[] = [];
  try {
    if (cfg.ipv4.length)
      responders.push({ r: createArpResponder({ logger, onEvent }, common), addresses: cfg.ipv4 });
    if (cfg.ipv6.length)
      responders.push({ r: createNdpResponder({ logger, onEvent }, common), addresses: cfg.ipv6 });
  } catch (e) {
    for (const { r } of responders) r.close();
    fail(`cannot open ${cfg.iface}: ${(e as Error).message}`, 1);
  }
  const all = [...cfg.ipv4, ...cfg.ipv6];
  emit('ready', { iface: cfg.iface, mac, addresses: all });
  for (const { r, addresses } of responders) for (const a of addresses) r.announce(a);
  // Keep the process alive: responders unref their timers, and the capture handle alone is enough
  // only while open.
  const keepAlive = setInterval(() => {}, 1 << 30);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    for (const { r } of [...responders].reverse()) r.close();
    clearInterval(keepAlive);
    emit('stopped', { iface: cfg.iface, signal });
    logger.flush?.();
    process.exit(0);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main();
