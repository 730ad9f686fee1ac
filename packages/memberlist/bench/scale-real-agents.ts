// A host of members on real UDP/TCP sockets, driven over stdin by bench/scale-real.ts (which runs
// several hosts in one network namespace, so one process's event-loop stalls hit a share of the
// members, not all of them). Members m<from> .. m<from+count−1> bind <ip>:<20000+i>, seal with
// AES-256-GCM and join m0. Output: JSON lines — membership events with wall-clock times (`ev`),
// and answers to commands.
//
//   stdin: `status N`  → {"status":{converged (every local member sees N−1 alive), cpuUs, bytes, eldP99Ms}}
//          `eld-reset` → starts a fresh event-loop-delay histogram
//          `crash NAME`→ shuts NAME down without a word; {"crashed":NAME,"at":epoch ms}
//          `quit`      → shuts everything down and exits
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Keyring } from '../src/codec/crypto.js';
import type { Transport } from '../src/deps.js';
import { createMemberlist } from '../src/io/memberlist.js';
import type { Memberlist } from '../src/io/memberlist.js';
import { createNetTransport } from '../src/io/net-transport.js';
import type { ProfileName } from '../src/machine/config.js';

const { values } = parseArgs({
  options: {
    from: { type: 'string', default: '0' },
    count: { type: 'string', default: '25' },
    profile: { type: 'string', default: 'fast' },
    ip: { type: 'string', default: '198.51.100.10' },
  },
});
const from = Number(values.from);
const count = Number(values.count);
const profile = values.profile as ProfileName;
const port = (i: number) => 20000 + i;
const out = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let bytes = 0;

/** Counts what a transport sends: payload + 42 B of Ethernet/IP/UDP headers per datagram. */
function counted(t: Transport): Transport {
  return {
    get localAddr() {
      return t.localAddr;
    },
    sendPacket(to, b) {
      bytes += b.length + 42;
      t.sendPacket(to, b);
    },
    openStream(to, b, timeoutMs, done) {
      bytes += b.length;
      t.openStream(to, b, timeoutMs, done);
    },
    onPacket: (h) => t.onPacket(h),
    onStream: (h) =>
      t.onStream((f, b, reply) =>
        h(f, b, (r) => {
          if (r !== null) bytes += r.length;
          reply(r);
        }),
      ),
    setStreamGuard: (g) => t.setStreamGuard?.(g),
    close: () => t.close(),
  };
}

const members = new Map<string, Memberlist>();
for (let i = from; i < from + count; i++) {
  const transport = counted(await createNetTransport({}, { bindAddr: `${values.ip}:${port(i)}` }));
  const m = createMemberlist(
    { transport, keyring: Keyring.fromSecrets(['scale bench secret']) },
    { name: `m${i}`, profile },
  );
  m.onEvent((e) => {
    if (e.type === 'dead' || e.type === 'suspect' || e.type === 'leave')
      out({ ev: e.type, at: Date.now(), observer: m.name, member: e.member.name });
  });
  m.start();
  members.set(m.name, m);
}
out({ ready: count });
const seed = `${values.ip}:${port(0)}`;
for (const m of members.values()) {
  if (m.name === 'm0') continue;
  const join = (): Promise<unknown> => m.join([seed]).catch(() => sleep(1000).then(join));
  void join();
  await sleep(5);
}

let eld = monitorEventLoopDelay({ resolution: 10 });
eld.enable();
for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, arg] = line.trim().split(/\s+/);
  if (cmd === 'status') {
    const want = Number(arg) - 1;
    const converged = [...members.values()].every(
      (m) => m.members().filter((x) => x.status === 'alive').length === want,
    );
    const cpu = process.cpuUsage();
    out({
      status: {
        converged,
        cpuUs: cpu.user + cpu.system,
        bytes,
        eldP99Ms: eld.percentile(99) / 1e6,
        rssMiB: process.memoryUsage.rss() / 2 ** 20,
      },
    });
  } else if (cmd === 'eld-reset') {
    eld.disable();
    eld = monitorEventLoopDelay({ resolution: 10 });
    eld.enable();
  } else if (cmd === 'crash' && arg !== undefined) {
    const m = members.get(arg);
    members.delete(arg);
    const at = Date.now();
    await m?.shutdown();
    out({ crashed: arg, at });
  } else if (cmd === 'quit') {
    break;
  }
}
await Promise.all([...members.values()].map((m) => m.shutdown()));
process.exit(0);
