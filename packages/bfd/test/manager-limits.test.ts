// The manager against a stranger on the network (packets dropped and counted, never reaching a
// session) and its option checks and limits.
import { ManualClock, seededRandom } from '@ironlb/clock/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { BfdError, BfdErrorCode, State, createBfdManager, encodeControl } from '../src/index.js';
import type { SessionOptions } from '../src/index.js';
import { MemoryBfdNetwork } from '../src/testing/index.js';
import { A, B, C, closeAll, errorOf, ofType, setup, track } from './managers.js';

afterEach(closeAll);

describe('a stranger on the network', () => {
  const valid = (o: Partial<Parameters<typeof encodeControl>[0]> = {}) =>
    encodeControl({
      diag: 0,
      state: State.Down,
      poll: false,
      final: false,
      controlPlaneIndependent: false,
      demand: false,
      detectMult: 3,
      myDiscriminator: 99,
      yourDiscriminator: 0,
      desiredMinTxUs: 1_000_000,
      requiredMinRxUs: 300_000,
      requiredMinEchoRxUs: 0,
      ...o,
    });

  it('junk, unknown discriminators, unknown sources, spoofed sources, auth and wrong ports are dropped and counted', async () => {
    const { clock, net, node } = setup();
    const a = node([A]);
    const b = node([B]);
    await a.m.addSession({ peerAddress: B });
    await b.m.addSession({ peerAddress: A });
    clock.advance(3_000);
    const mine = a.m.session({ peerAddress: B })!;
    const before = { ...mine };
    const send = (bytes: Uint8Array, from = C, toPort = 3784) =>
      net.inject({ from, fromPort: 50000, to: A, toPort, bytes });
    send(new Uint8Array([1, 2, 3]));
    const zeroMult = valid();
    zeroMult[2] = 0;
    send(zeroMult);
    send(valid({ yourDiscriminator: 12345, state: State.Up }));
    send(valid()); // Your Disc 0 from an address without a session
    send(valid({ state: State.AdminDown, yourDiscriminator: mine.localDiscriminator }), C); // spoofed
    send(
      valid({
        state: State.AdminDown,
        yourDiscriminator: mine.localDiscriminator,
        auth: { type: 1, keyId: 1, password: new Uint8Array([1]) },
      }),
      B,
    );
    send(valid(), B, mine.sourcePort); // to our source port
    clock.advance(10);
    expect(a.m.stats().packetsDropped).toMatchObject({
      truncated: 1,
      'detect-mult': 1,
      'unknown-discriminator': 1,
      'unknown-source': 1,
      'address-mismatch': 1,
      'auth-unsupported': 1,
      'wrong-port': 1,
    });
    expect(
      a.metrics.value('bfd_control_packets_dropped_total', { reason: 'address-mismatch' }),
    ).toBe(1);
    const after = a.m.session({ peerAddress: B })!;
    expect(after.state).toBe('Up');
    expect(after.downEvents).toBe(before.downEvents);
    expect(ofType(a.events, 'down')).toEqual([]);
  });

  it('a flood of 20k junk datagrams changes nothing but the counters', async () => {
    const { clock, net, node } = setup();
    const a = node([A]);
    const b = node([B]);
    await a.m.addSession({ peerAddress: B });
    await b.m.addSession({ peerAddress: A });
    clock.advance(3_000);
    const rnd = seededRandom(5);
    for (let i = 0; i < 20_000; i++) {
      const bytes = valid({
        myDiscriminator: 1 + Math.floor(rnd() * 1e9),
        yourDiscriminator: Math.floor(rnd() * 1e9),
        state: State.Up,
      });
      net.inject({
        from: `203.0.113.${i % 250}`,
        fromPort: 49152 + (i % 1000),
        to: A,
        toPort: 3784,
        bytes,
      });
    }
    clock.advance(100);
    const st = a.m.stats();
    expect(st.packetsDropped['unknown-discriminator']).toBe(20_000);
    expect(st.sessions).toBe(1);
    expect(a.m.session({ peerAddress: B })!.state).toBe('Up');
  });
});

describe('options and limits', () => {
  it('rejects bad options with INVALID_OPTION, echo mode with UNSUPPORTED', async () => {
    const { node } = setup();
    const a = node([A]);
    const bad: [SessionOptions, string][] = [
      [{ peerAddress: 'example.com' }, 'address'],
      [{ peerAddress: '' }, 'peerAddress'],
      [{ peerAddress: B, receiveIntervalMs: 9 }, 'receiveIntervalMs'],
      [{ peerAddress: B, transmitIntervalMs: 60001 }, 'transmitIntervalMs'],
      [{ peerAddress: B, detectMultiplier: 0 }, 'detectMultiplier'],
      [{ peerAddress: B, detectMultiplier: 2.5 }, 'detectMultiplier'],
      [{ peerAddress: B, echoIntervalMs: 5 }, 'echoIntervalMs'],
      [{ peerAddress: B, minimumTtl: 0 }, 'minimumTtl'],
      [{ peerAddress: B, localAddress: '2001:db8::1' }, 'localAddress'],
    ];
    for (const [o, option] of bad) {
      const e = await errorOf(a.m.addSession(o));
      expect(e.code).toBe(BfdErrorCode.InvalidOption);
      expect(e.detail.option).toBe(option);
    }
    expect((await errorOf(a.m.addSession({ peerAddress: B, echoMode: true }))).code).toBe(
      BfdErrorCode.Unsupported,
    );
  });

  it('duplicate sessions, the session cap, unknown sessions, use after close', async () => {
    const { node } = setup();
    const a = node([A], { maxSessions: 2 });
    await a.m.addSession({ peerAddress: B });
    expect((await errorOf(a.m.addSession({ peerAddress: B }))).code).toBe(
      BfdErrorCode.DuplicateSession,
    );
    await a.m.addSession({ peerAddress: C });
    expect((await errorOf(a.m.addSession({ peerAddress: '198.51.100.9' }))).code).toBe(
      BfdErrorCode.TooManySessions,
    );
    expect((await errorOf(() => a.m.removeSession({ peerAddress: '198.51.100.9' }))).code).toBe(
      BfdErrorCode.UnknownSession,
    );
    await a.m.close();
    expect((await errorOf(a.m.addSession({ peerAddress: '198.51.100.9' }))).code).toBe(
      BfdErrorCode.Closed,
    );
    expect(a.m.sessions()).toEqual([]);
  });

  it('concurrent adds of the same peer: one wins', async () => {
    const { node } = setup();
    const a = node([A]);
    const r = await Promise.allSettled([
      a.m.addSession({ peerAddress: B }),
      a.m.addSession({ peerAddress: B }),
    ]);
    expect(r.map((x) => x.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('manager options are validated', () => {
    expect(() => createBfdManager({}, { maxSessions: 0 })).toThrow(BfdError);
    expect(() => createBfdManager({}, { sendTtl: 256 })).toThrow(BfdError);
    expect(() => createBfdManager({}, { singleHopPort: 70000 })).toThrow(BfdError);
  });

  it('a listener without the TTL check fails the session unless requireTtlCheck is false', async () => {
    const clock = new ManualClock();
    const net = new MemoryBfdNetwork(clock);
    const inner = net.transport([A]);
    const noTtl = {
      ...inner,
      listen: async (...args: Parameters<typeof inner.listen>) => {
        const l = await inner.listen(...args);
        return {
          ...l,
          setMinTtl: () => {
            throw new BfdError(BfdErrorCode.TtlCheckUnavailable, 'no FFI');
          },
        };
      },
    };
    const strict = createBfdManager({ clock, transport: noTtl });
    track(strict);
    expect((await errorOf(strict.addSession({ peerAddress: B }))).code).toBe(
      BfdErrorCode.TtlCheckUnavailable,
    );
    await strict.close();
    const lax = createBfdManager({ clock, transport: noTtl }, { requireTtlCheck: false });
    track(lax);
    expect((await lax.addSession({ peerAddress: B })).state).toBe('Down');
  });
});
