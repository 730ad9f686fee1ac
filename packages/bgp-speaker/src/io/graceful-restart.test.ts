// Graceful restart end to end on the in-memory network: speaker A (restarting speaker) stops
// gracefully and comes back as a new instance; speaker B (receiving speaker) keeps A's routes
// stale meanwhile and learns when they are current again — or flushes them when A does not return.
import { describe, expect, it } from 'vitest';
import { ManualClock, MemoryNetwork, seededRandom } from '../testing/index.js';
import type { SpeakerEvent } from './events.js';
import { createBgpSpeaker } from './speaker.js';

async function setup() {
  const net = new MemoryNetwork();
  const clock = new ManualClock(1000);
  const b = createBgpSpeaker(
    { clock, random: seededRandom(2), transport: net.transport('198.51.100.2') },
    { localAs: 64513, routerId: '198.51.100.2' },
  );
  const eb: SpeakerEvent[] = [];
  b.onEvent((e) => eb.push(e));
  await b.addPeer({
    address: '198.51.100.1',
    peerAs: 64512,
    passive: true,
    gracefulRestart: { restartTimeSec: 30 },
  });
  const startA = async () => {
    const a = createBgpSpeaker(
      { clock, random: seededRandom(1), transport: net.transport('198.51.100.1') },
      { localAs: 64512, routerId: '198.51.100.1' },
    );
    const ea: SpeakerEvent[] = [];
    a.onEvent((e) => ea.push(e));
    a.announce('203.0.113.0/24');
    await a.addPeer({
      address: '198.51.100.2',
      peerAs: 64513,
      gracefulRestart: { restartTimeSec: 20 },
    });
    await net.flush();
    return { a, ea };
  };
  return { net, clock, b, eb, startA };
}

const grPhases = (ev: SpeakerEvent[]) =>
  ev.flatMap((e) => (e.type === 'graceful-restart' ? [`${e.phase}: ${e.reason}`] : []));

describe('graceful restart between two speakers', () => {
  it('a graceful stop sends no NOTIFICATION; the receiving speaker keeps the routes stale until the new instance’s End-of-RIB', async () => {
    const { net, clock, b, eb, startA } = await setup();
    const { a } = await startA();
    expect(a.status()[0]).toMatchObject({ state: 'Established', gracefulRestart: true });
    await a.stop('upgrade', { graceful: true });
    await net.flush();
    expect(eb.some((e) => e.type === 'notification')).toBe(false);
    expect(grPhases(eb)).toEqual(['peer-restarting: connection lost without NOTIFICATION']);
    expect(b.status()[0]?.staleFamilies).toEqual(['ipv4']);
    clock.advance(5000);
    const { a: a2 } = await startA();
    expect(a2.status()[0]?.state).toBe('Established');
    expect(grPhases(eb)).toEqual([
      'peer-restarting: connection lost without NOTIFICATION',
      'stale-flushed: End-of-RIB received',
    ]);
    expect(b.status()[0]?.staleFamilies).toEqual([]);
    await a2.stop();
    await b.stop();
  });

  it('when the restarting speaker does not return within its Restart Time, its routes are flushed', async () => {
    const { net, clock, b, eb, startA } = await setup();
    const { a } = await startA();
    await a.stop('crash', { graceful: true });
    await net.flush();
    clock.advance(19_000);
    expect(b.status()[0]?.staleFamilies).toEqual(['ipv4']);
    clock.advance(2_000);
    expect(grPhases(eb)).toEqual([
      'peer-restarting: connection lost without NOTIFICATION',
      'stale-flushed: restart time expired',
    ]);
    expect(b.status()[0]?.staleFamilies).toEqual([]);
    await b.stop();
  });

  it('a plain stop sends Cease/2: nothing is kept', async () => {
    const { net, b, eb, startA } = await setup();
    const { a } = await startA();
    await a.stop('decommission');
    await net.flush();
    expect(eb).toContainEqual(
      expect.objectContaining({ type: 'notification', code: 6, subcode: 2 }),
    );
    expect(grPhases(eb)).toEqual([]);
    await b.stop();
  });
});
