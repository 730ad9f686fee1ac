// Issue 14: in OpenSent (and everywhere) a header alone is enough to answer a bad length. A peer
// that sends only the 19 header bytes of a message claiming 4097 or 65535 bytes, or a KEEPALIVE
// whose length is not 19, gets NOTIFICATION 1/2 at once; we never wait for (or buffer) the body.
import { describe, expect, it } from 'vitest';
import { BgpFramer } from '../codec/framer.js';
import { decodeMessage } from '../codec/message.js';
import { encodeKeepalive } from '../codec/notification.js';
import { encodeOpenBody } from '../codec/open.js';
import { parsePrefix } from '../codec/prefix.js';
import { encodeFrame, packWithdrawals } from '../codec/update.js';
import { ManualClock, MemoryNetwork } from '../testing/index.js';
import { createBgpSpeaker } from './speaker.js';

const header = (length: number, type: number) => {
  const h = new Uint8Array(19).fill(0xff);
  h[16] = length >> 8;
  h[17] = length & 0xff;
  h[18] = type;
  return h;
};

const open = encodeFrame(
  1,
  encodeOpenBody({
    asn: 64513,
    holdTimeSec: 90,
    bgpId: '198.51.100.2',
    families: [{ afi: 1, safi: 1 }],
    extendedMessage: true,
  }),
);

/** Connects a speaker to a raw router that sends `bytes` once our OPEN arrived; returns what we sent back. */
async function answerTo(bytes: Uint8Array[]) {
  const net = new MemoryNetwork();
  const replies: { type: string; code?: number; subcode?: number; data?: number[] }[] = [];
  await net.transport('198.51.100.2').listen({ host: '198.51.100.2', port: 179 }, (sock) => {
    const framer = new BgpFramer({ maxFrameBytes: 65535 });
    let sent = false;
    sock.onData((d) => {
      for (const f of framer.push(d)) {
        const m = decodeMessage(f, { fourOctetAs: true });
        replies.push(
          m.type === 'notification'
            ? { type: m.type, code: m.code, subcode: m.subcode, data: Array.from(m.data) }
            : { type: m.type },
        );
        if (m.type === 'open' && !sent) {
          sent = true;
          for (const b of bytes) sock.write(b);
        }
      }
    });
  });
  const s = createBgpSpeaker(
    { clock: new ManualClock(), transport: net.transport('198.51.100.1') },
    { localAs: 64512, routerId: '198.51.100.1' },
  );
  await s.addPeer({ address: '198.51.100.2', peerAs: 64513 });
  await net.flush();
  const state = s.status()[0]?.state;
  await s.stop();
  return { replies, state };
}

describe('a header alone gets its NOTIFICATION (issue 14)', () => {
  for (const [what, length, type] of [
    ['OPEN claiming 4097', 4097, 1],
    ['OPEN claiming 65535', 65535, 1],
    ['UPDATE claiming 65535 before negotiation', 65535, 2],
    ['KEEPALIVE of 20', 20, 4],
  ] as const) {
    it(`in OpenSent: ${what} → 1/2 Bad Message Length, without the body`, async () => {
      const { replies, state } = await answerTo([header(length, type)]);
      expect(replies.map((r) => r.type)).toEqual(['open', 'notification']);
      expect(replies[1]).toEqual({
        type: 'notification',
        code: 1,
        subcode: 2,
        data: [length >> 8, length & 0xff],
      });
      expect(state).not.toBe('Established');
    });
  }

  it('in OpenConfirm and Established too: a KEEPALIVE of 4096 bytes is refused from its header', async () => {
    const { replies } = await answerTo([open, encodeKeepalive(), header(4096, 4)]);
    expect(replies.at(-1)).toEqual({ type: 'notification', code: 1, subcode: 2, data: [16, 0] });
  });

  it('once RFC 8654 is negotiated, a large UPDATE right behind the KEEPALIVE is accepted', async () => {
    const [big] = packWithdrawals(
      'ipv4',
      Array.from({ length: 2000 }, (_, i) => parsePrefix(`198.18.${i >> 8}.${i & 255}/32`)),
      65535,
    );
    expect(big!.length).toBeGreaterThan(4096);
    const { replies, state } = await answerTo([Buffer.concat([open, encodeKeepalive(), big!])]);
    // Only the Cease/2 of stop() at the end: no 1/2 for the 5 KB UPDATE.
    expect(replies.filter((r) => r.type === 'notification')).toEqual([
      { type: 'notification', code: 6, subcode: 2, data: [] },
    ]);
    expect(state).toBe('Established');
  });
});
