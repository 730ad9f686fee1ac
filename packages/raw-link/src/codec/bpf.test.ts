import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BPF_ACCEPT,
  BpfBuilder,
  BpfOp,
  PacketType,
  emitFrameGuards,
  encodeBpfProgram,
  runBpf,
  validateBpf,
} from './bpf.js';
import { parseMac } from './mac.js';

const ARP = 0x0806;
const frame = (opts: { dst?: string; src?: string; type?: number; len?: number } = {}) => {
  const f = new Uint8Array(opts.len ?? 60);
  f.set(parseMac(opts.dst ?? 'ff:ff:ff:ff:ff:ff'), 0);
  f.set(parseMac(opts.src ?? '02:00:00:00:00:0a'), 6);
  f[12] = (opts.type ?? ARP) >> 8;
  f[13] = (opts.type ?? ARP) & 0xff;
  return f;
};

describe('BpfBuilder', () => {
  it('assembles what tcpdump -dd prints for `ether proto 0x0806`', () => {
    const p = new BpfBuilder()
      .load(BpfOp.LdAbsH, 12)
      .jump(BpfOp.JeqK, ARP, null, 'drop')
      .ret(BPF_ACCEPT)
      .label('drop')
      .ret(0)
      .build();
    // { 0x28, 0, 0, 0x0000000c }, { 0x15, 0, 1, 0x00000806 }, { 0x6, 0, 0, 0x00040000 }, { 0x6, 0, 0, 0 }
    expect(p).toEqual([
      { code: 0x28, jt: 0, jf: 0, k: 12 },
      { code: 0x15, jt: 0, jf: 1, k: 0x806 },
      { code: 0x06, jt: 0, jf: 0, k: 0x40000 },
      { code: 0x06, jt: 0, jf: 0, k: 0 },
    ]);
    expect(runBpf(p, frame())).toBe(BPF_ACCEPT);
    expect(runBpf(p, frame({ type: 0x0800 }))).toBe(0);
  });

  it('encodes struct sock_filter in the host byte order', () => {
    const p = [{ code: 0x15, jt: 2, jf: 3, k: 0x01020304 }];
    expect([...encodeBpfProgram(p, true)]).toEqual([0x15, 0, 2, 3, 4, 3, 2, 1]);
    expect([...encodeBpfProgram(p, false)]).toEqual([0, 0x15, 2, 3, 1, 2, 3, 4]);
  });

  it('reaches labels past 255 instructions with an unconditional jump only', () => {
    const far = new BpfBuilder().jumpAlways('end');
    for (let i = 0; i < 300; i++) far.ret(0);
    far.label('end').ret(7);
    const p = far.build();
    expect(p[0]).toEqual({ code: BpfOp.Ja, jt: 0, jf: 0, k: 300 });
    expect(runBpf(p, frame())).toBe(7);
    const tooFar = new BpfBuilder().jump(BpfOp.JeqK, 0, 'end', null);
    for (let i = 0; i < 300; i++) tooFar.ret(0);
    tooFar.label('end').ret(7);
    expect(() => tooFar.build()).toThrow(expect.objectContaining({ code: 'INVALID' }));
  });

  it('refuses unknown labels, labels placed twice and programs without a final return', () => {
    expect(() => new BpfBuilder().jumpAlways('nowhere').ret(0).build()).toThrow(
      expect.objectContaining({ code: 'INVALID' }),
    );
    expect(() => new BpfBuilder().label('a').label('a')).toThrow(
      expect.objectContaining({ code: 'INVALID' }),
    );
    expect(() => validateBpf([{ code: BpfOp.LdAbsB, jt: 0, jf: 0, k: 0 }])).toThrow(
      expect.objectContaining({ code: 'INVALID' }),
    );
    expect(() => validateBpf([])).toThrow(expect.objectContaining({ code: 'INVALID' }));
  });
});

describe('runBpf', () => {
  it('drops a frame when a load reads past its end, as the kernel does', () => {
    const p = new BpfBuilder().load(BpfOp.LdAbsW, 58).ret(1).build();
    expect(runBpf(p, frame({ len: 62 }))).toBe(1);
    expect(runBpf(p, frame({ len: 61 }))).toBe(0);
  });

  it('never throws and returns the k of some return, for any program of known opcodes', () => {
    const insn = fc.record({
      code: fc.constantFrom(...Object.values(BpfOp)),
      jt: fc.integer({ min: 0, max: 3 }),
      jf: fc.integer({ min: 0, max: 3 }),
      k: fc.oneof(
        fc.integer({ min: 0, max: 80 }),
        fc.constant(0xfffff004),
        fc.constant(0xfffff030),
      ),
    });
    fc.assert(
      fc.property(
        fc.array(insn, { minLength: 1, maxLength: 20 }),
        fc.uint8Array({ maxLength: 80 }),
        (prog, data) => {
          const p = [...prog, { code: BpfOp.RetK, jt: 0, jf: 0, k: 9 }];
          const r = runBpf(p, data);
          expect(p.some((i) => i.code === BpfOp.RetK && i.k === r) || r === 0).toBe(true);
        },
      ),
    );
  });
});

describe('emitFrameGuards', () => {
  const MAC = parseMac('02:00:00:00:00:0b');
  const guarded = () => {
    const b = new BpfBuilder();
    emitFrameGuards(b, MAC, 'drop');
    return b.ret(BPF_ACCEPT).label('drop').ret(0).build();
  };

  it('passes broadcast, multicast and unicast-to-us frames from other stations', () => {
    const p = guarded();
    expect(runBpf(p, frame(), { packetType: PacketType.Broadcast })).toBe(BPF_ACCEPT);
    expect(
      runBpf(p, frame({ dst: '33:33:ff:00:00:10' }), { packetType: PacketType.Multicast }),
    ).toBe(BPF_ACCEPT);
    expect(runBpf(p, frame({ dst: '02:00:00:00:00:0b' }), { packetType: PacketType.Host })).toBe(
      BPF_ACCEPT,
    );
    // Same first four bytes as our MAC, different last two: not ours.
    expect(runBpf(p, frame({ src: '02:00:00:00:ff:0b' }))).toBe(BPF_ACCEPT);
  });

  it('drops frames from our own MAC, for other stations, outgoing, or with a stripped VLAN tag', () => {
    const p = guarded();
    expect(runBpf(p, frame({ src: '02:00:00:00:00:0b' }))).toBe(0);
    expect(
      runBpf(p, frame({ dst: '02:00:00:00:00:0c' }), { packetType: PacketType.OtherHost }),
    ).toBe(0);
    expect(runBpf(p, frame(), { packetType: PacketType.Outgoing })).toBe(0);
    expect(runBpf(p, frame(), { vlanTagPresent: true })).toBe(0);
  });
});
