// Many members in one process on real UDP/TCP sockets (run by bench/run.ts inside a network
// namespace, with 5 % loss on every packet the namespace sends to itself): N Memberlists with
// createNetTransport on one documentation address and N ports, AES-256-GCM on. Forms the cluster
// (members joining one after another), soaks (false deaths, bytes/s and CPU per member, event-loop
// delay), then crashes members one at a time (shutdown without a word) and records every
// survivor's detection delay. Prints one JSON line with the results. Bounded in time.
//
//   scale-real-agents.ts --members N --profile fast|lan --soak-sec S --crashes K
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Keyring } from '../src/codec/crypto.js';
import type { Transport } from '../src/deps.js';
import { createMemberlist } from '../src/io/memberlist.js';
import type { Memberlist } from '../src/io/memberlist.js';
import { createNetTransport } from '../src/io/net-transport.js';
import type { ProfileName } from '../src/machine/config.js';

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: '100' },
    profile: { type: 'string', default: 'fast' },
    'soak-sec': { type: 'string', default: '60' },
    crashes: { type: 'string', default: '5' },
    ip: { type: 'string', default: '198.51.100.10' },
  },
});
const n = Number(values.members);
const profile = values.profile as ProfileName;
const soakSec = Number(values['soak-sec']);
const crashes = Number(values.crashes);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const counters = { bytes: 0, datagrams: 0 };

/** Counts what a transport sends: payload + 42 B of Ethernet/IP/UDP headers per datagram. */
function counted(t: Transport): Transport {
  return {
    get localAddr() {
      return t.localAddr;
    },
    sendPacket(to, bytes) {
      counters.bytes += bytes.length + 42;
      counters.datagrams++;
      t.sendPacket(to, bytes);
    },
    openStream(to, bytes, timeoutMs, done) {
      counters.bytes += bytes.length;
      t.openStream(to, bytes, timeoutMs, (reply) => {
        if (reply !== null) counters.bytes += 0; // the reply is the other member's traffic
        done(reply);
      });
    },
    onPacket: (h) => t.onPacket(h),
    onStream: (h) =>
      t.onStream((from, bytes, reply) =>
        h(from, bytes, (r) => {
          if (r !== null) counters.bytes += r.length;
          reply(r);
        }),
      ),
    setStreamGuard: (g) => t.setStreamGuard?.(g),
    close: () => t.close(),
  };
}

const ring = () => Keyring.fromSecrets(['scale bench secret']);
const members: Memberlist[] = [];
const events: { at: number; observer: string; type: string; member: string }[] = [];
for (let i = 0; i < n; i++) {
  const transport = counted(
    await createNetTransport({}, { bindAddr: `${values.ip}:${20000 + i}` }),
  );
  const m = createMemberlist({ transport, keyring: ring() }, { name: `m${i}`, profile });
  const name = m.name;
  m.onEvent((e) => {
    if (e.type === 'dead' || e.type === 'suspect' || e.type === 'leave')
      events.push({ at: performance.now(), observer: name, type: e.type, member: e.member.name });
  });
  m.start();
  members.push(m);
}
const t0 = performance.now();
const seed = (members[0] as Memberlist).addr;
for (const m of members.slice(1)) {
  m.join([seed]).catch(() => m.join([seed]).catch(() => {}));
  await sleep(5);
}
const live = () => members.filter((m) => !crashed.has(m.name));
const crashed = new Set<string>();
const converged = () =>
  live().every((m) => m.members().filter((x) => x.status === 'alive').length === live().length - 1);
for (let i = 0; i < 240 && !converged(); i++) await sleep(500);
const formed = converged();
const formSec = (performance.now() - t0) / 1000;

const lag = monitorEventLoopDelay({ resolution: 10 });
const soakFrom = performance.now();
const c0 = { ...counters };
const cpu0 = process.cpuUsage();
lag.enable();
await sleep(soakSec * 1000);
lag.disable();
const cpu = process.cpuUsage(cpu0);
const soakBytes = counters.bytes - c0.bytes;

const detectionMs: number[] = [];
let undetected = 0;
const victims: string[] = [];
const maxWaitMs = profile === 'lan' ? 60_000 : 15_000;
for (let k = 0; k < crashes && formed; k++) {
  const victim = members[1 + Math.floor(((k + 1) * (n - 1)) / (crashes + 1))] as Memberlist;
  victims.push(victim.name);
  await sleep(500 + Math.random() * 1000);
  const at = performance.now();
  crashed.add(victim.name);
  await victim.shutdown();
  const survivors = live().map((m) => m.name);
  const seen = new Map<string, number>();
  for (let waited = 0; waited < maxWaitMs && seen.size < survivors.length; waited += 100) {
    await sleep(100);
    for (const e of events)
      if (e.type === 'dead' && e.member === victim.name && e.at >= at && !seen.has(e.observer))
        seen.set(e.observer, e.at - at);
  }
  detectionMs.push(...seen.values());
  undetected += survivors.length - seen.size;
}
const soakEvents = events.filter((e) => e.at >= soakFrom);
process.stdout.write(
  JSON.stringify({
    members: n,
    profile,
    formed,
    formSec,
    soakSec,
    falseDeaths: soakEvents.filter(
      (e) => (e.type === 'dead' || e.type === 'leave') && !victims.includes(e.member),
    ).length,
    suspicions: soakEvents.filter((e) => e.type === 'suspect' && !victims.includes(e.member))
      .length,
    bytesPerSec: soakBytes / n / soakSec,
    cpuPercentPerMember: (100 * (cpu.user + cpu.system)) / 1e6 / n / soakSec,
    cpuPercentProcess: (100 * (cpu.user + cpu.system)) / 1e6 / soakSec,
    eventLoopDelayP99Ms: lag.percentile(99) / 1e6,
    detectionMs,
    undetected,
    rssMiB: process.memoryUsage.rss() / 2 ** 20,
  }) + '\n',
);
await Promise.all(live().map((m) => m.shutdown()));
process.exit(0);
