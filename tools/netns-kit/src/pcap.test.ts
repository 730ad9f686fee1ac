import { describe, expect, it } from 'vitest';
import { parsePcap } from './pcap.ts';
import { KitError } from './errors.ts';

function pcap(
  le: boolean,
  nanos: boolean,
  records: { sec: number; frac: number; data: Buffer }[],
): Buffer {
  const w32 = (b: Buffer, v: number, o: number) =>
    le ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o);
  const head = Buffer.alloc(24);
  w32(head, nanos ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  w32(head, 65535, 16);
  w32(head, 1, 20);
  const parts: Buffer[] = [head];
  for (const r of records) {
    const h = Buffer.alloc(16);
    w32(h, r.sec, 0);
    w32(h, r.frac, 4);
    w32(h, r.data.length, 8);
    w32(h, r.data.length, 12);
    parts.push(h, r.data);
  }
  return Buffer.concat(parts);
}

describe('parsePcap', () => {
  for (const le of [true, false]) {
    for (const nanos of [false, true]) {
      it(`reads ${le ? 'little' : 'big'}-endian ${nanos ? 'ns' : 'µs'} captures`, () => {
        const buf = pcap(le, nanos, [
          { sec: 10, frac: nanos ? 5_000 : 5, data: Buffer.from([1, 2, 3]) },
          { sec: 11, frac: 0, data: Buffer.from([4]) },
        ]);
        const { linkType, packets } = parsePcap(buf);
        expect(linkType).toBe(1);
        expect(packets.map((p) => p.timeUs)).toEqual([10_000_005, 11_000_000]);
        expect(packets.map((p) => [...p.data])).toEqual([[1, 2, 3], [4]]);
      });
    }
  }

  it('drops a truncated last record instead of failing', () => {
    const buf = pcap(true, false, [{ sec: 1, frac: 0, data: Buffer.from([9, 9, 9, 9]) }]);
    expect(parsePcap(buf.subarray(0, buf.length - 2)).packets).toEqual([]);
  });

  it('rejects what is not a pcap file', () => {
    expect(() => parsePcap(Buffer.alloc(32, 7))).toThrow(KitError);
  });
});
