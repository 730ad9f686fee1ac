// The real transport on the loopback interface (no root, no namespaces): the kernel drops what
// arrives below the minimum TTL once the socket filter is installed, for IPv4 and IPv6, and a
// later, lower minimum replaces it (the multi-hop socket's minimum follows its sessions).
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { udpTransport } from '../src/index.js';
import type { BfdListener } from '../src/index.js';
import { minTtlProgram } from '../src/io/sockopt.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

/** Sends `payload` from a fresh socket with the given TTL; resolves once it left. */
function sendWithTtl(
  family: 'udp4' | 'udp6',
  to: string,
  port: number,
  ttl: number,
  payload: string,
) {
  return new Promise<void>((resolve, reject) => {
    const s = dgram.createSocket(family);
    s.bind(0, to, () => {
      s.setTTL(ttl);
      s.send(payload, port, to, (err) => {
        s.close();
        if (err) reject(err);
        else resolve();
      });
    });
  });
}

describe('udpTransport', () => {
  for (const [family, address] of [
    ['ipv4', '127.0.0.1'],
    ['ipv6', '::1'],
  ] as const) {
    it(`${family}: the receive check drops TTL 254 and passes 255, then a lower minimum replaces it`, async () => {
      const got: string[] = [];
      const waiters: (() => void)[] = [];
      const t = udpTransport();
      const l: BfdListener = await t.listen(
        { family, address, port: 0 },
        (bytes) => {
          got.push(Buffer.from(bytes).toString());
          waiters.splice(0).forEach((w) => w());
        },
        () => {},
      );
      cleanup.push(() => l.close());
      const arrival = (what: string) =>
        new Promise<void>((resolve) => {
          const check = () => (got.includes(what) ? resolve() : waiters.push(check));
          check();
        });
      const udp = family === 'ipv4' ? 'udp4' : 'udp6';
      l.setMinTtl(255);
      await sendWithTtl(udp, address, l.port, 254, 'low');
      await sendWithTtl(udp, address, l.port, 255, 'high');
      await arrival('high');
      expect(got).toEqual(['high']);
      l.setMinTtl(254);
      await sendWithTtl(udp, address, l.port, 253, 'lower');
      await sendWithTtl(udp, address, l.port, 254, 'low2');
      await arrival('low2');
      expect(got).toEqual(['high', 'low2']);
    });
  }

  it('senders bind a source port in 49152–65535 and send with the TTL asked for', async () => {
    const t = udpTransport();
    const s = await t.sender(
      { family: 'ipv4', localAddress: '127.0.0.1', ttl: 255, portMin: 49152, portMax: 65535 },
      () => {},
    );
    cleanup.push(() => s.close());
    expect(s.localPort).toBeGreaterThanOrEqual(49152);
    expect(s.localPort).toBeLessThanOrEqual(65535);
    const got = await new Promise<{ port: number }>((resolve) => {
      const r = dgram.createSocket('udp4');
      r.bind(0, '127.0.0.1', () => {
        r.on('message', (_m, rinfo) => {
          r.close();
          resolve({ port: rinfo.port });
        });
        s.send(new Uint8Array([1]), '127.0.0.1', r.address().port);
      });
    });
    expect(got.port).toBe(s.localPort);
  });

  it('the filter program loads the TTL at IPv4 byte 8 / IPv6 byte 7 relative to the network header', () => {
    const p4 = minTtlProgram('ipv4', 255);
    expect(p4.length).toBe(32);
    expect(p4.readUInt16LE(0)).toBe(0x30);
    expect(p4.readUInt32LE(4)).toBe((-0x100000 + 8) >>> 0);
    expect(p4.readUInt32LE(12)).toBe(255);
    expect(minTtlProgram('ipv6', 1).readUInt32LE(4)).toBe((-0x100000 + 7) >>> 0);
  });
});
