// Session security and peering options against real routers: TCP-MD5 (RFC 2385) on active and
// passive sessions — the right password establishes, a wrong one never does; GTSM (RFC 5082) —
// with the router sending TTL 255 the session comes up, a router that does not (BIRD's single-hop
// eBGP sends TTL 1) never gets past our kernel's IP_MINTTL; dynamicASN — the peer's AS learnt from
// its OPEN, the wrong kind refused with 2/2.
import { describe, expect, it } from 'vitest';
import { Bird, Frr, netnsSkipReason } from '@ironlb/netns-kit';
import type { BgpDaemon, DaemonConfig, NeighborConfig, NsProcess } from '@ironlb/netns-kit';
import { established, linkedPair, startCli, waitEvent } from './harness.js';
import type { CliEvent } from './harness.js';

type Kind = 'bird' | 'frr';
const starters: Record<Kind, (c: DaemonConfig) => Promise<BgpDaemon>> = {
  bird: (c) => Bird.start(c),
  frr: (c) => Frr.start(c),
};
const binaries: Record<Kind, string[]> = {
  bird: ['bird', 'birdc'],
  frr: ['/usr/lib/frr/bgpd', '/usr/lib/frr/zebra', 'vtysh'],
};

const base = [
  'announce',
  '--local-as',
  '64512',
  '--peer',
  '198.51.100.2',
  '--local-address',
  '198.51.100.1',
  '--family',
  'ipv4',
  '--connect-retry',
  '1s',
  '203.0.113.0/24',
];

/** Never Established within `ms`: the CLI's events show no transition to it. */
async function neverEstablishes(cli: NsProcess, ms: number): Promise<CliEvent[]> {
  await new Promise((r) => setTimeout(r, ms));
  const events = cli.jsonLines<CliEvent>();
  expect(events.some(established)).toBe(false);
  return events;
}

for (const kind of ['bird', 'frr'] as Kind[]) {
  const skip = netnsSkipReason(binaries[kind]);
  describe.skipIf(skip)(
    `ironlb-bgp ⇄ ${kind}: MD5, GTSM, dynamicASN${skip ? ' — SKIPPED: ' + skip : ''}`,
    () => {
      const env = linkedPair(`bgpsec${kind}`, 'router');
      let n = 0;
      const router = (neighbor: Partial<NeighborConfig>) =>
        starters[kind]({
          ns: env.rt,
          dir: env.topo.tempDir(`${kind}-${n++}`),
          as: 64513,
          routerId: '198.51.100.2',
          localAddress: '198.51.100.2',
          neighbors: [{ address: '198.51.100.1', as: 64512, connectRetrySec: 1, ...neighbor }],
        });

      it('TCP-MD5: active and passive sessions with the right password; a wrong one never establishes', async () => {
        const { us } = env;
        for (const passive of [false, true]) {
          const r = await router({ password: 'ironlb-s3cret', passive: !passive });
          const ok = startCli(us, [
            ...base,
            '--peer-as',
            '64513',
            '--password',
            'ironlb-s3cret',
            ...(passive ? ['--passive'] : []),
          ]);
          try {
            await waitEvent(ok, established, 30_000);
            expect(await r.sessionState('198.51.100.1')).toBe('Established');
          } finally {
            await ok.stop(2_000);
          }
          // A wrong password, then none at all: the router's kernel drops every segment.
          for (const pw of [['--password', 'wrong'], []]) {
            const bad = startCli(us, [
              ...base,
              '--peer-as',
              '64513',
              ...pw,
              ...(passive ? ['--passive'] : []),
            ]);
            try {
              await neverEstablishes(bad, 3_000);
              expect(await r.sessionState('198.51.100.1')).not.toBe('Established');
            } finally {
              await bad.stop(2_000);
            }
          }
          await r.stop();
        }
      });

      it('GTSM: up when the router sends TTL 255 (its ttl-security); never past our IP_MINTTL when it does not', async () => {
        const { us } = env;
        const gtsm = await router({ ttlSecurity: true });
        const cli = startCli(us, [...base, '--peer-as', '64513', '--ttl-security-hops', '1']);
        try {
          await waitEvent(cli, established, 30_000);
        } finally {
          await cli.stop(2_000);
          await gtsm.stop();
        }
        // Without ttl-security the router sends TTL 1 (BIRD, single-hop eBGP) or 64 (FRR's eBGP
        // TTL is 1 as well): its SYN-ACK is dropped by our kernel, the session never starts.
        const plain = await router({});
        const dropped = startCli(us, [...base, '--peer-as', '64513', '--ttl-security-hops', '1']);
        try {
          const events = await neverEstablishes(dropped, 5_000);
          // The routers answer the SYN from a listener that sends TTL 255, so TCP connects; every
          // segment of the session itself (their OPEN first) arrives with TTL 1 and is dropped.
          expect(events.some((e) => e.event === 'state' && e.to === 'OpenConfirm')).toBe(false);
          expect(await plain.sessionState('198.51.100.1')).not.toBe('Established');
        } finally {
          await dropped.stop(2_000);
          await plain.stop();
        }
      });

      it('dynamicASN: external learns AS 64513 from the OPEN; internal refuses it with 2/2', async () => {
        const { us } = env;
        const r = await router({});
        const ext = startCli(us, [...base, '--dynamic-asn', 'external']);
        try {
          await waitEvent(ext, established, 30_000);
          const mark = ext.lines.length;
          ext.writeLine('status');
          const st = await waitEvent(ext, (e) => e.event === 'status', 5_000, mark);
          expect((st.peers as { peerAs: number }[])[0]?.peerAs).toBe(64513);
        } finally {
          await ext.stop(2_000);
        }
        const int = startCli(us, [...base, '--dynamic-asn', 'internal']);
        try {
          const bad = await waitEvent(
            int,
            (e) => e.event === 'notification' && e.direction === 'sent',
            30_000,
          );
          expect(bad).toMatchObject({ code: 2, subcode: 2 });
          expect(int.jsonLines<CliEvent>().some(established)).toBe(false);
        } finally {
          await int.stop(2_000);
          await r.stop();
        }
      });
    },
  );
}
