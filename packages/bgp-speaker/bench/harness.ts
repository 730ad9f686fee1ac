// Runs inside a network namespace (started by bench/run.ts with the kit's spawnNode). Prints JSON
// lines with wall-clock microsecond timestamps so the parent can line them up with tcpdump's.
//   session-up --peer A --peer-as N --sink A:P --iterations K
//   latency    --peer A --peer-as N --sink A:P --count K
//   dump       --peer A --peer-as N --count K
import net from 'node:net';
import { createBgpSpeaker } from '../src/io/speaker.js';
import { packAnnouncements } from '../src/codec/update.js';
import { parsePrefix } from '../src/codec/prefix.js';

const argv = process.argv.slice(2);
const mode = argv[0];
const arg = (name: string, def = '') => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? (argv[i + 1] ?? def) : def;
};
const peer = arg('peer');
const peerAs = Number(arg('peer-as', '64513'));
const nowUs = () => Math.round((performance.timeOrigin + performance.now()) * 1000);
const out = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const local = peer.includes(':') ? '2001:db8:200::1' : '198.51.100.1';

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
  const s = speaker();
  for (let i = 0; i < n; i++) s.announce(`2001:db8:a:${i.toString(16)}::/64`);
  const up = established(s);
  out({ event: 'start', tUs: nowUs() });
  await s.addPeer({ address: peer, peerAs, localAddress: local });
  await up;
  out({ event: 'established', tUs: nowUs() });
  process.on('SIGTERM', () => {
    void s.stop('bench').then(() => setTimeout(() => process.exit(0), 200));
  });
} else {
  throw new Error(`unknown mode ${mode}`);
}
