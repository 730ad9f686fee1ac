import { KitError } from './errors.ts';

export interface CapturedPacket {
  /** Capture time in microseconds since the Unix epoch. */
  timeUs: number;
  /** The frame as captured (Ethernet for the kit's captures). */
  data: Buffer;
}

/** Parses a classic pcap file (what `tcpdump -w` writes): µs or ns timestamps, either byte order. */
export function parsePcap(buf: Buffer): { linkType: number; packets: CapturedPacket[] } {
  if (buf.length < 24) return { linkType: 1, packets: [] };
  const magicLE = buf.readUInt32LE(0);
  let le: boolean;
  let nanos: boolean;
  if (magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d) {
    le = true;
    nanos = magicLE === 0xa1b23c4d;
  } else {
    const magicBE = buf.readUInt32BE(0);
    if (magicBE !== 0xa1b2c3d4 && magicBE !== 0xa1b23c4d) {
      throw new KitError('invalid-argument', `not a pcap file (magic ${magicLE.toString(16)})`);
    }
    le = false;
    nanos = magicBE === 0xa1b23c4d;
  }
  const u32 = (off: number) => (le ? buf.readUInt32LE(off) : buf.readUInt32BE(off));
  const linkType = u32(20);
  const packets: CapturedPacket[] = [];
  let off = 24;
  while (off + 16 <= buf.length) {
    const sec = u32(off);
    const frac = u32(off + 4);
    const incl = u32(off + 8);
    off += 16;
    if (off + incl > buf.length) break; // truncated last record: tcpdump was killed mid-write
    packets.push({
      timeUs: sec * 1_000_000 + (nanos ? Math.floor(frac / 1000) : frac),
      data: Buffer.from(buf.subarray(off, off + incl)),
    });
    off += incl;
  }
  return { linkType, packets };
}
