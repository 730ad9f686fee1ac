// Runs inside a network namespace (started by bench/run.ts and scale.ts with plain node, which
// strips the types itself). Prints JSON
// lines with wall-clock microsecond timestamps so the parent can line them up with tcpdump's.
//   session-up --peer A --peer-as N --sink A:P --iterations K
//   latency    --peer A --peer-as N --sink A:P --count K
//   dump       --peer A --peer-as N --count K [--family ipv4|ipv6] [--locals A,B,...] [--peers A,B,...] [--trace]
//              [--settle-ms 1000]
//              announces K host routes (/32 or /128; without --family the 10k IPv6 /64s of the
//              original row), waits settle-ms, then opens one session per local address to the peer; prints
//              `start`, `established`, `dumped` and `rss` lines (baseline / announced; the `dumped`
//              one after SIGUSR2); --cpu-prof FILE writes a CPU profile of start → dumped
//   backpressure --peer A --port P --count K  announces K prefixes to a peer that never reads
//              and floods ROUTE-REFRESH; prints `rss` before and after 100k requests
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import net from 'node:net';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
// The package as it ships (dist, built by the bench target), under plain node: what a user runs,
// and no TypeScript loader in the process (tsx's startup work lands right in a session's first
// milliseconds, and its source-mapped stack traces make every error there slow).
// eslint-disable-next-line @nx/enforce-module-boundaries -- the built package, on purpose (above)
import { createBgpSpeaker, packAnnouncements, parsePrefix } from '@ironlb/bgp-speaker';

const argv = process.argv.slice(2);
const mode = argv[0];
const arg = (name: string, def = '') => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? (argv[i + 1] ?? def) : def;
};
const peer = arg('peer');
const peerAs = Number(arg('peer-as', '64513'));
/**
 * Wall-clock microseconds, comparable with tcpdump's timestamps. performance.timeOrigin is fixed at
 * process start: after a step of the system clock (a VM's clock sync) it drifts from the wall
 * clock tcpdump uses, so fall back to Date.now() (plus the sub-millisecond part) when it does.
 */
const nowUs = () => {
  const mono = performance.timeOrigin + performance.now();
  const wall = Date.now();
  return Math.round((Math.abs(mono - wall) < 20 ? mono : wall + (mono % 1)) * 1000);
};
const out = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const local = peer.includes(':') ? '2001:db8:200::1' : '198.51.100.1';

v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
/** RSS and heap after a full collection, so figures compare like with like. */
function rss(phase: string, extra: object = {}) {
  gc();
  gc();
  const m = process.memoryUsage();
  out({ event: 'rss', phase, rss: m.rss, heapUsed: m.heapUsed, ...extra });
}

/** The i-th host route of a family: 198.18.0.0/15 (cluster-internal range) or 2001:db8:1::/64. */
function hostRoute(family: string, i: number): string {
  return family === 'ipv4'
    ? `198.${18 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32`
    : `2001:db8:1::${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}/128`;
}

function speaker() {
  return createBgpSpeaker({}, { localAs: 64512, routerId: '198.51.100.1' });
}

async function established(s: ReturnType<typeof speaker>, timeoutMs = 15_000): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), timeoutMs);
    s.onEvent((e) => {
      if (e.type === 'state' && e.to === 'Established') {
        clearTimeout(t);
        resolve(true);
      }
    });
  });
}

async function tcpConnectMs(sink: string): Promise<number> {
  const [host, port] = [
    sink.slice(0, sink.lastIndexOf(':')),
    Number(sink.slice(sink.lastIndexOf(':') + 1)),
  ];
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const s = net.connect({ host, port }, () => {
      s.destroy();
      resolve();
    });
    s.on('error', reject);
  });
  return performance.now() - t0;
}

if (mode === 'session-up') {
  const n = Number(arg('iterations', '10'));
  for (let i = 0; i < n; i++) {
    const s = speaker();
    const up = established(s);
    const t0 = performance.now();
    await s.addPeer({ address: peer, peerAs, localAddress: local, holdTimeSec: 90 });
    const ok = await up;
    out({ event: 'session-up', ok, ms: performance.now() - t0 });
    out({ event: 'tcp-connect', ms: await tcpConnectMs(arg('sink')) });
    await s.stop('bench');
    // BIRD waits its error-wait time before it accepts the next session.
    await sleep(1200);
  }
} else if (mode === 'latency') {
  const n = Number(arg('count', '200'));
  const s = speaker();
  const up = established(s);
  await s.addPeer({ address: peer, peerAs, localAddress: local });
  if (!(await up)) throw new Error('no session');
  await sleep(300);
  for (let i = 0; i < n; i++) {
    const prefix = `203.0.113.${i % 256}/32`;
    out({ event: 'announce', prefix, tUs: nowUs() });
    s.announce(prefix, { communities: [0xfc000064] });
    await sleep(10);
  }
  // Anchor: the same UPDATE, pre-encoded, written straight to a raw TCP socket.
  const sink = arg('sink');
  const sock = net.connect({
    host: sink.slice(0, sink.lastIndexOf(':')),
    port: Number(sink.slice(sink.lastIndexOf(':') + 1)),
  });
  sock.setNoDelay(true);
  await new Promise((r) => sock.once('connect', r));
  for (let i = 0; i < n; i++) {
    const prefix = `192.0.2.${i % 256}/32`;
    const [msg] = packAnnouncements(
      {
        family: 'ipv4',
        attributes: {
          origin: 0,
          asPath: [{ type: 2, asns: [64512] }],
          nextHop: '198.51.100.1',
          communities: [0xfc000064],
        },
        prefixes: [parsePrefix(prefix)],
      },
      { fourOctetAs: true },
      4096,
    );
    out({ event: 'raw', prefix, tUs: nowUs() });
    sock.write(msg!);
    await sleep(10);
  }
  sock.destroy();
  await s.stop('bench');
  await sleep(300);
  out({ event: 'done' });
  process.exit(0);
} else if (mode === 'dump') {
  const n = Number(arg('count', '10000'));
  const family = arg('family');
  const locals = arg('locals', local).split(',');
  const peers = arg('peers', peer).split(',');
  rss('baseline');
  const s = speaker();
  for (let i = 0; i < n; i++)
    s.announce(family ? hostRoute(family, i) : `2001:db8:a:${i.toString(16)}::/64`);
  rss('announced', { routes: n });
  // The table is ready before the session starts, as BIRD's static routes are long before the
  // bench enables its session: building 100k routes and the collections above burn 1–2 s of CPU,
  // and on a loaded machine the kernel's scheduler (EEVDF) then makes this process wait for the
  // CPU it overdrew — the first milliseconds of the session would pay for the table, not the dump.
  await sleep(Number(arg('settle-ms', '1000')));
  // Dumped once every session has sent its End-of-RIB.
  const pairs = locals.map((l, i) => ({ local: l, peer: peers[i] ?? (peers[0] as string) }));
  const pending = new Set(pairs.map((p) => p.peer));
  let ups = 0;
  const allUp = new Promise<void>((resolve) =>
    s.onEvent((e) => {
      if (e.type === 'state' && e.to === 'Established' && ++ups === pairs.length) resolve();
    }),
  );
  const dumped = new Promise<void>((resolve) =>
    s.onEvent((e) => {
      if (e.type === 'sent' && e.endOfRib.length) {
        pending.delete(e.peer);
        if (pending.size === 0) resolve();
      }
    }),
  );
  if (argv.includes('--trace'))
    s.onEvent((e) => {
      if (e.type === 'state') out({ event: 'trace', tUs: nowUs(), to: e.to, reason: e.reason });
      if (e.type === 'sent')
        out({
          event: 'trace',
          tUs: nowUs(),
          sent: e.announced.length,
          bytes: e.bytes,
          queued: s.status()[0]?.outputQueueBytes,
        });
    });
  // --cpu-prof FILE: a V8 CPU profile from here until every End-of-RIB is out (the dump's hot
  // path), 100 µs sampling; its timestamps are monotonic microseconds, `start` gives the offset.
  const profFile = arg('cpu-prof');
  const prof = profFile ? new Session() : undefined;
  if (prof) {
    prof.connect();
    await prof.post('Profiler.enable');
    await prof.post('Profiler.setSamplingInterval', { interval: 100 });
    await prof.post('Profiler.start');
  }
  out({ event: 'start', tUs: nowUs(), monoUs: Number(process.hrtime.bigint() / 1000n) });
  // One peer per local address, all to the same router (which knows each by its source).
  for (const p of pairs)
    await s.addPeer({ address: p.peer, peerAs, localAddress: p.local, holdTimeSec: 90 });
  await allUp;
  out({ event: 'established', tUs: nowUs() });
  await dumped;
  // The `dumped` RSS figure on SIGUSR2 only: its forced full collections take ~100 ms of CPU on
  // every core, and the receiver is still working through the dump when the last byte leaves, so
  // the bench asks for it once the receiver holds everything (BIRD's sender burns nothing there).
  process.once('SIGUSR2', () => rss('dumped', { routes: n, peers: pairs.length }));
  out({ event: 'dumped', tUs: nowUs() });
  if (prof) {
    const { profile } = await prof.post('Profiler.stop');
    writeFileSync(profFile, JSON.stringify(profile));
    prof.disconnect();
  }
  process.on('SIGTERM', () => {
    void s.stop('bench').then(() => setTimeout(() => process.exit(0), 300));
  });
} else if (mode === 'backpressure') {
  const n = Number(arg('count', '2000'));
  const s = speaker();
  for (let i = 0; i < n; i++) s.announce(hostRoute('ipv4', i));
  const up = established(s);
  await s.addPeer({ address: peer, peerAs, localAddress: local, port: Number(arg('port', '179')) });
  if (!(await up)) throw new Error('no session');
  await sleep(500);
  rss('before', { refreshes: s.status()[0]?.counters.routeRefreshesIn });
  for (let i = 0; i < 600 && (s.status()[0]?.counters.routeRefreshesIn ?? 0) < 100_000; i++)
    await sleep(100);
  const st = s.status()[0];
  rss('after', {
    refreshes: st?.counters.routeRefreshesIn,
    outputQueueBytes: st?.outputQueueBytes,
    state: st?.state,
  });
  await s.stop('bench');
  await sleep(300);
  process.exit(0);
} else {
  throw new Error(`unknown mode ${mode}`);
}
