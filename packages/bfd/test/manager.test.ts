// The manager on the in-memory network and a manual clock: sessions between managers, shared
// sockets and demultiplexing, detection, and the TTL checks of RFC 5881 §5 / RFC 5883 §2.
import { afterEach, describe, expect, it } from 'vitest';
import { A, B, C, closeAll, ofType, setup } from './managers.js';

afterEach(closeAll);

describe('sessions between two managers', () => {
  it('come Up, agree on 300 ms × 3, and detect a cut link after exactly the Detection Time', async () => {
    const { clock, net, node } = setup();
    const a = node([A]);
    const b = node([B]);
    await a.m.addSession({ peerAddress: B });
    await b.m.addSession({ peerAddress: A });
    clock.advance(3_000);
    expect(ofType(a.events, 'up')).toHaveLength(1);
    expect(ofType(b.events, 'up')).toHaveLength(1);
    const s = a.m.session({ peerAddress: B })!;
    expect(s).toMatchObject({
      state: 'Up',
      remoteState: 'Up',
      desiredMinTxMs: 300,
      actualTransmitIntervalMs: 300,
      detectionTimeMs: 900,
      remoteDetectMultiplier: 3,
      remoteReceiveIntervalMs: 300,
      pollActive: false,
    });
    expect(s.sourcePort).toBeGreaterThanOrEqual(49152);
    expect(s.remoteDiscriminator).toBe(b.m.session({ peerAddress: A })!.localDiscriminator);
    expect(a.metrics.value('bfd_session_up', { peer: B })).toBe(1);
    expect(a.metrics.value('bfd_session_up_events', { peer: B })).toBe(1);
    expect(a.metrics.value('bfd_control_packet_input', { peer: B })).toBeGreaterThan(5);

    net.cut(B);
    clock.advance(2_000);
    const [down] = ofType(a.events, 'down');
    expect(down).toMatchObject({
      peer: B,
      multihop: false,
      to: 'Down',
      diag: 'control-detection-time-expired',
      pathFailure: true,
      sinceLastPacketMs: 900,
    });
    expect(a.metrics.value('bfd_session_up', { peer: B })).toBe(0);
    expect(a.metrics.value('bfd_session_down_events', { peer: B })).toBe(1);

    net.heal();
    clock.advance(5_000);
    expect(ofType(a.events, 'up')).toHaveLength(2);
    expect(a.m.session({ peerAddress: B })!.state).toBe('Up');
  });

  it('state events trace Down → Init → Up on one side', async () => {
    const { clock, node } = setup();
    const a = node([A]);
    const b = node([B]);
    await a.m.addSession({ peerAddress: B });
    await b.m.addSession({ peerAddress: A });
    clock.advance(3_000);
    const states = ofType(a.events, 'state').map((e) => `${e.from}>${e.to}`);
    expect(states[0]).toMatch(/^Down>(Init|Up)$/);
    expect(states.at(-1)).toMatch(/>Up$/);
  });

  it('IPv6 sessions work the same way', async () => {
    const { clock, node } = setup();
    const a = node(['2001:db8::1']);
    const b = node(['2001:db8::2']);
    await a.m.addSession({ peerAddress: '2001:DB8:0::2' });
    await b.m.addSession({ peerAddress: '2001:db8::1' });
    clock.advance(3_000);
    expect(a.m.session({ peerAddress: '2001:db8::2' })!.state).toBe('Up');
    expect(a.m.sessions()[0]!.peer).toBe('2001:db8::2'); // canonical form
  });

  it('passive on one side, active on the other (and never with both passive)', async () => {
    const { clock, node } = setup();
    const a = node([A]);
    const b = node([B]);
    await a.m.addSession({ peerAddress: B, passiveMode: true });
    clock.advance(5_000);
    expect(a.m.session({ peerAddress: B })!.packetsOut).toBe(0);
    await b.m.addSession({ peerAddress: A, passiveMode: true });
    clock.advance(5_000);
    expect(a.m.session({ peerAddress: B })!.packetsOut).toBe(0);
    b.m.removeSession({ peerAddress: A });
    await b.m.addSession({ peerAddress: A });
    clock.advance(5_000);
    expect(a.m.session({ peerAddress: B })!.state).toBe('Up');
    expect(b.m.session({ peerAddress: A })!.state).toBe('Up');
  });

  it('removing a session tells the peer AdminDown: down, but not a path failure (RFC 5882 §3.2)', async () => {
    const { clock, node } = setup();
    const a = node([A]);
    const b = node([B]);
    await a.m.addSession({ peerAddress: B });
    await b.m.addSession({ peerAddress: A });
    clock.advance(3_000);
    b.m.removeSession({ peerAddress: A });
    expect(ofType(b.events, 'down')[0]).toMatchObject({ to: 'AdminDown', pathFailure: false });
    clock.advance(10);
    expect(ofType(a.events, 'down')[0]).toMatchObject({
      to: 'Down',
      diag: 'neighbor-signaled-session-down',
      remoteDiag: 'administratively-down',
      pathFailure: false,
    });
    expect(b.m.sessions()).toEqual([]);
  });

  it('admin down and up, and a timer change carried by a Poll Sequence', async () => {
    const { clock, node } = setup();
    const a = node([A]);
    const b = node([B]);
    await a.m.addSession({ peerAddress: B });
    await b.m.addSession({ peerAddress: A });
    clock.advance(3_000);
    a.m.adminDown({ peerAddress: B });
    clock.advance(100);
    expect(a.m.session({ peerAddress: B })).toMatchObject({
      state: 'AdminDown',
      localDiag: 'administratively-down',
    });
    expect(b.m.session({ peerAddress: A })!.state).toBe('Down');
    a.m.adminUp({ peerAddress: B });
    clock.advance(4_000);
    expect(a.m.session({ peerAddress: B })!.state).toBe('Up');
    a.m.updateTimers({ peerAddress: B }, { transmitIntervalMs: 1000, receiveIntervalMs: 500 });
    expect(a.m.session({ peerAddress: B })!.pollActive).toBe(true);
    clock.advance(3_000);
    expect(a.m.session({ peerAddress: B })).toMatchObject({
      pollActive: false,
      actualTransmitIntervalMs: 1000,
      detectionTimeMs: 1500, // B's mult 3 × max(our 500 ms, B's 300 ms)
    });
    expect(b.m.session({ peerAddress: A })!.detectionTimeMs).toBe(3000);
  });

  it('a throwing event listener does not break the manager', async () => {
    const { clock, node } = setup();
    const a = node([A]);
    const b = node([B]);
    a.m.onEvent(() => {
      throw new Error('boom');
    });
    await a.m.addSession({ peerAddress: B });
    await b.m.addSession({ peerAddress: A });
    clock.advance(3_000);
    expect(a.m.session({ peerAddress: B })!.state).toBe('Up');
  });
});

describe('shared sockets and demultiplexing', () => {
  it('one manager, many peers: each session hears only its own peer', async () => {
    const { clock, node } = setup();
    const hub = node([A]);
    const peers = [B, C, '198.51.100.4'].map((addr) => ({ addr, n: node([addr]) }));
    for (const p of peers) {
      await hub.m.addSession({ peerAddress: p.addr });
      await p.n.m.addSession({ peerAddress: A });
    }
    clock.advance(3_000);
    const st = hub.m.sessions();
    expect(st.map((s) => s.state)).toEqual(['Up', 'Up', 'Up']);
    expect(new Set(st.map((s) => s.localDiscriminator)).size).toBe(3);
    expect(new Set(st.map((s) => s.sourcePort)).size).toBe(1); // one send socket per family
    expect(hub.m.stats().packetsDropped['unknown-discriminator']).toBe(0);
    // One peer dies: only its session goes down.
    peers[1]!.n.m.adminDown({ peerAddress: A });
    clock.advance(500);
    expect(hub.m.sessions().map((s) => s.state)).toEqual(['Up', 'Down', 'Up']);
  });

  it('single-hop and multi-hop sessions to the same address are distinct', async () => {
    const { clock, node } = setup();
    const a = node([A]);
    const b = node([B]);
    await a.m.addSession({ peerAddress: B });
    await a.m.addSession({ peerAddress: B, multihop: true });
    await b.m.addSession({ peerAddress: A, multihop: true });
    clock.advance(3_000);
    expect(a.m.session({ peerAddress: B, multihop: true })!.state).toBe('Up');
    expect(a.m.session({ peerAddress: B })!.state).toBe('Down');
  });
});

describe('TTL security (RFC 5881 §5, RFC 5883 §2)', () => {
  it('single-hop ignores a peer whose packets arrive with TTL 254', async () => {
    const { clock, net, node } = setup();
    const a = node([A]);
    const b = node([B], { sendTtl: 254 });
    await a.m.addSession({ peerAddress: B });
    await b.m.addSession({ peerAddress: A });
    clock.advance(5_000);
    expect(a.m.session({ peerAddress: B })!.packetsIn).toBe(0);
    expect(a.m.session({ peerAddress: B })!.state).toBe('Down');
    expect(net.stats.droppedTtl).toBeGreaterThan(3);
  });

  it('single-hop ignores a peer one router away', async () => {
    const { clock, net, node } = setup();
    net.setHops(A, B, 1);
    const a = node([A]);
    const b = node([B]);
    await a.m.addSession({ peerAddress: B });
    await b.m.addSession({ peerAddress: A });
    clock.advance(5_000);
    expect(a.m.session({ peerAddress: B })!.state).toBe('Down');
  });

  it('multi-hop accepts down to minimumTtl and no lower', async () => {
    const { clock, net, node } = setup();
    net.setHops(A, B, 2); // arrives with 253
    const a = node([A]);
    const b = node([B]);
    await a.m.addSession({ peerAddress: B, multihop: true, minimumTtl: 254 });
    await b.m.addSession({ peerAddress: A, multihop: true, minimumTtl: 253 });
    clock.advance(5_000);
    // A rejects B's packets (253 < 254); B accepts A's but A never answers properly.
    expect(a.m.session({ peerAddress: B, multihop: true })!.packetsIn).toBe(0);
    expect(b.m.session({ peerAddress: A, multihop: true })!.packetsIn).toBeGreaterThan(0);
    a.m.removeSession({ peerAddress: B, multihop: true });
    await a.m.addSession({ peerAddress: B, multihop: true, minimumTtl: 253 });
    clock.advance(5_000);
    expect(a.m.session({ peerAddress: B, multihop: true })!.state).toBe('Up');
  });
});
