// Real network (DESIGN.md §4 layer 3): five `ironlb-memberlist agent` processes, each in its own
// network namespace, joined by a bridge, talking real UDP/TCP sealed with AES-256-GCM, with 5 %
// random loss on every member's egress (nftables). The CLI is the black box (issue 9).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netnsSkipReason, nodeBinary, Topology } from '@ironlb/netns-kit';
import type { NsProcess } from '@ironlb/netns-kit';
import {
  buildCli,
  CLI,
  createLab,
  events,
  setEgressLoss,
  startAgent,
  waitConverged,
  waitEvent,
} from './lab.js';
import type { Lab } from './lab.js';

const skip = netnsSkipReason(['nft']);

describe.skipIf(skip)(
  `memberlist agents on a real network${skip ? ' — SKIPPED: ' + skip : ''}`,
  () => {
    let topo: Topology;
    let lab: Lab;

    beforeAll(async () => {
      buildCli();
      topo = await Topology.create('ml');
      lab = await createLab(topo, 5);
      for (const m of lab.members) await setEgressLoss(m, 5);
      const seed = lab.members[0];
      if (seed === undefined) throw new Error('no members');
      for (const m of lab.members) startAgent(lab, m, 'fast', [seed]);
      await waitConverged(lab, 20_000);
    });

    afterAll(async () => {
      await topo?.destroy();
    });

    it('SIGKILL: every survivor prints `dead` for the crashed member', async () => {
      const victim = lab.members[4];
      if (victim?.proc == null) throw new Error('victim not running');
      const survivors = lab.members.slice(0, 4);
      const marks = survivors.map((m) => (m.proc as NsProcess).lines.length);
      const killedAt = Date.now();
      victim.proc.kill('SIGKILL');
      const seen = await Promise.all(
        survivors.map((m, i) =>
          waitEvent(m.proc as NsProcess, 'dead', victim.name, 15_000, marks[i]),
        ),
      );
      await victim.proc.waitForExit(5000);
      victim.proc = null;
      const delays = seen.map((e) => Date.parse(e.time) - killedAt);
      console.log(
        `crash of ${victim.name} at 5 % loss: survivors declared it dead after ${delays.join(', ')} ms`,
      );
      expect(seen.map((e) => e.event)).toEqual(['dead', 'dead', 'dead', 'dead']);
      for (const e of seen) expect(e.member).toBe(victim.name);
      // time is RFC 3339 with milliseconds
      for (const e of seen) expect(e.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    });

    it('SIGTERM: the others print `leave` at once (no suspicion first) and the agent exits 0', async () => {
      const leaver = lab.members[3];
      if (leaver?.proc == null) throw new Error('leaver not running');
      const others = lab.members.slice(0, 3);
      const marks = others.map((m) => (m.proc as NsProcess).lines.length);
      const at = Date.now();
      leaver.proc.kill('SIGTERM');
      // "At once": well inside one suspicion timeout of the fast profile.
      const seen = await Promise.all(
        others.map((m, i) => waitEvent(m.proc as NsProcess, 'leave', leaver.name, 2000, marks[i])),
      );
      const status = await leaver.proc.waitForExit(5000);
      leaver.proc = null;
      console.log(
        `leave of ${leaver.name} learnt after ${seen.map((e) => Date.parse(e.time) - at).join(', ')} ms`,
      );
      expect(status.code).toBe(0);
      for (const m of others) {
        const accusations = events(m.proc as NsProcess).filter(
          (e) =>
            e.member === leaver.name &&
            ['suspect', 'dead'].includes(e.event) &&
            Date.parse(e.time) >= at,
        );
        expect(accusations, `${m.name} suspected the leaver`).toEqual([]);
      }
    });

    it('a restarted member rejoins and everyone prints `join` for it again', async () => {
      const m = lab.members[4];
      if (m === undefined) throw new Error('no member');
      const others = lab.members.slice(0, 3);
      const marks = others.map((o) => (o.proc as NsProcess).lines.length);
      startAgent(lab, m, 'fast', [lab.members[0] as (typeof lab.members)[number]]);
      const seen = await Promise.all(
        others.map((o, i) => waitEvent(o.proc as NsProcess, 'join', m.name, 15_000, marks[i])),
      );
      expect(seen.every((e) => (e.incarnation ?? 0) > 0)).toBe(true);
    });

    it('IPv6: two agents on [2001:db8::]:7947 join, and a SIGKILL is detected', async () => {
      const [a, b] = lab.members;
      if (a === undefined || b === undefined) throw new Error('no members');
      await topo.addAddresses(a.ns, 'eth0', ['2001:db8::11/64']);
      await topo.addAddresses(b.ns, 'eth0', ['2001:db8::12/64']);
      const args = (name: string, ip: string) => [
        nodeBinary(),
        CLI,
        'agent',
        '--name',
        name,
        '--bind',
        `[${ip}]:7947`,
        '--secret-file',
        lab.secretFile,
      ];
      const pa = a.ns.spawn([...args('v6a', '2001:db8::11'), '--join', '[2001:db8::12]:7947']);
      const pb = b.ns.spawn([...args('v6b', '2001:db8::12'), '--meta', 'family=ipv6']);
      const joined = await waitEvent(pa, 'join', 'v6b', 15_000);
      expect(joined.addr).toBe('[2001:db8::12]:7947');
      await waitEvent(pb, 'join', 'v6a', 15_000);
      pb.kill('SIGKILL');
      const dead = await waitEvent(pa, 'dead', 'v6b', 15_000);
      expect(dead.member).toBe('v6b');
      pa.kill('SIGTERM');
      expect((await pa.waitForExit(5000)).code).toBe(0);
    });

    it('bad arguments: port in use is a one-line error and exit 2', async () => {
      const m = lab.members[0];
      if (m === undefined) throw new Error('no member');
      const p = m.ns.spawn([nodeBinary(), CLI, 'agent', '--name', 'dup', '--bind', m.addr]);
      const status = await p.waitForExit(10_000);
      expect(status.code).toBe(2);
      const errLines = p.stderr.trim().split('\n');
      expect(errLines).toHaveLength(1);
      expect(errLines[0]).toMatch(/^ironlb-memberlist: error: --bind: .*EADDRINUSE/);
    });
  },
);
