// CPU cost of the initial dump of 100k host routes, Established → End-of-RIB written, in fresh
// processes (the dump runs once per session, on cold code: that is the case that counts). No
// network: a transport whose peer answers our OPEN with its OPEN and KEEPALIVE and takes every byte
// at once, so the figure is the speaker's own work (planning, packing, Adj-RIB-Out, events,
// writes), in thread CPU time, which a loaded machine inflates far less than wall time. The table
// is collected before the session starts (as the network bench does), so the dump's own
// collections are in the figure and none left over from announcing.
//   tsx bench/dump-cpu.ts [--runs 7] [--count 100000] [--family ipv4|ipv6] [--cpu-prof DIR]
//   prints one JSON line per family: median / min / max CPU ms over the runs
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { encodeKeepalive } from '../src/codec/notification.js';
import { Afi, MessageType, Safi } from '../src/codec/constants.js';
import { encodeOpenBody } from '../src/codec/open.js';
import { encodeFrame } from '../src/codec/update.js';
import type { BgpSocket, Transport } from '../src/deps.js';
import { createBgpSpeaker } from '../src/io/speaker.js';

const argv = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? (argv[i + 1] ?? def) : def;
};
const count = Number(arg('count', '100000'));

function hostRoute(family: string, i: number): string {
  return family === 'ipv4'
    ? `198.${18 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32`
    : `2001:db8:1::${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}/128`;
}

/** A peer that answers the OPEN and swallows everything else. */
function sinkTransport(family: 'ipv4' | 'ipv6'): Transport {
  const v6 = family === 'ipv6';
  const open = encodeFrame(
    MessageType.Open,
    encodeOpenBody({
      asn: 64513,
      holdTimeSec: 90,
      bgpId: '198.51.100.2',
      families: [{ afi: v6 ? Afi.Ipv6 : Afi.Ipv4, safi: Safi.Unicast }],
      routeRefresh: true,
    }),
  );
  return {
    connect(o, onConnect) {
      let data: (d: Uint8Array) => void = () => {};
      let answered = false;
      const s: BgpSocket = {
        localAddress: v6 ? '2001:db8:200::1' : '198.51.100.1',
        localPort: 40000,
        remoteAddress: o.host,
        remotePort: o.port,
        bufferedBytes: 0,
        write() {
          if (!answered) {
            answered = true;
            queueMicrotask(() => {
              data(open);
              data(encodeKeepalive());
            });
          }
          return true;
        },
        onDrain() {},
        end() {},
        onData(fn) {
          data = fn;
        },
        onClose() {},
      };
      queueMicrotask(() => onConnect(s));
      return { cancel() {} };
    },
    listen() {
      throw new Error('not used');
    },
  };
}

async function once(family: 'ipv4' | 'ipv6', profDir: string): Promise<number> {
  const s = createBgpSpeaker(
    { transport: sinkTransport(family), linkLocal: () => undefined },
    { localAs: 64512, routerId: '198.51.100.1' },
  );
  for (let i = 0; i < count; i++) s.announce(hostRoute(family, i));
  await new Promise((r) => setTimeout(r, 50));
  // As in the network bench (harness.ts): the table is built and collected before the session
  // starts, so no collection left over from announcing lands in the dump.
  v8.setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  const prof = profDir ? new Session() : undefined;
  if (prof) {
    prof.connect();
    await prof.post('Profiler.enable');
    await prof.post('Profiler.setSamplingInterval', { interval: 50 });
    await prof.post('Profiler.start');
  }
  let t0 = 0;
  const done = new Promise<number>((resolve) =>
    s.onEvent((e) => {
      if (e.type === 'state' && e.to === 'Established') {
        if (process.env.DUMP_MARK) console.log('--- established');
        const u = process.threadCpuUsage();
        t0 = u.user + u.system;
      }
      if (e.type === 'sent' && e.endOfRib.length) {
        if (process.env.DUMP_MARK) console.log('--- end of rib');
        const u = process.threadCpuUsage();
        resolve((u.user + u.system - t0) / 1000);
      }
    }),
  );
  await s.addPeer({
    address: family === 'ipv6' ? '2001:db8:200::2' : '198.51.100.2',
    peerAs: 64513,
  });
  const ms = await done;
  if (prof) {
    const { profile } = await prof.post('Profiler.stop');
    writeFileSync(`${profDir}/dump-${family}-${process.pid}.cpuprofile`, JSON.stringify(profile));
  }
  await s.stop();
  return ms;
}

if (argv[0] === '--child') {
  let ms = await once(
    arg('family', 'ipv4') as 'ipv4' | 'ipv6',
    argv.includes('--warm') ? '' : arg('cpu-prof', ''),
  );
  // --warm: the figure of a second dump in the same process (optimised code), for comparison.
  if (argv.includes('--warm')) {
    await once(arg('family', 'ipv4') as 'ipv4' | 'ipv6', '');
    ms = await once(arg('family', 'ipv4') as 'ipv4' | 'ipv6', arg('cpu-prof', ''));
  }
  process.stdout.write(`${JSON.stringify({ ms })}\n`);
  process.exit(0);
} else {
  const runs = Number(arg('runs', '7'));
  const self = fileURLToPath(import.meta.url);
  for (const family of argv.includes('--family') ? [arg('family', 'ipv4')] : ['ipv4', 'ipv6']) {
    const ms: number[] = [];
    for (let r = 0; r < runs; r++) {
      const c = spawnSync(
        process.execPath,
        [
          ...process.execArgv,
          self,
          '--child',
          '--family',
          family,
          '--count',
          String(count),
          '--cpu-prof',
          arg('cpu-prof', ''),
        ],
        { encoding: 'utf8' },
      );
      const line = c.stdout.split('\n').find((l) => l.startsWith('{'));
      if (!line) throw new Error(`child failed: ${c.stderr}`);
      ms.push((JSON.parse(line) as { ms: number }).ms);
    }
    ms.sort((a, b) => a - b);
    const r = (x: number) => Math.round(x * 10) / 10;
    console.log(
      JSON.stringify({
        family,
        count,
        cpuMsMedian: r(ms[Math.floor(ms.length / 2)] as number),
        min: r(ms[0] as number),
        max: r(ms.at(-1) as number),
      }),
    );
  }
}
