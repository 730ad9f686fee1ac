import { RawLinkError, RawLinkErrorCode } from '../errors.js';

/**
 * Classic BPF (the Linux socket filter, `struct sock_filter`): the kernel runs the program on every
 * frame of the link's EtherType and hands over only frames it accepts, so the process is never
 * woken for traffic that is not its business. Pure: programs are data, built here, encoded for
 * the kernel by the io layer, and run by {@link runBpf} in tests and in the in-memory fake link.
 */
export interface BpfInstruction {
  readonly code: number;
  /** Jump offset when the condition holds (relative to the next instruction). */
  readonly jt: number;
  /** Jump offset when it does not. */
  readonly jf: number;
  readonly k: number;
}

export type BpfProgram = readonly BpfInstruction[];

/** The kernel's limit on classic BPF program length (BPF_MAXINSNS). */
export const BPF_MAX_INSTRUCTIONS = 4096;

/** Opcodes this package emits (linux/filter.h). Append-only. */
export const BpfOp = {
  /** A = 32-bit word at [k] (network order). */
  LdAbsW: 0x20,
  /** A = 16-bit half-word at [k]. */
  LdAbsH: 0x28,
  /** A = byte at [k]. */
  LdAbsB: 0x30,
  /** pc += k (unconditional; the only jump that reaches past 255 instructions). */
  Ja: 0x05,
  /** pc += (A == k) ? jt : jf */
  JeqK: 0x15,
  /** pc += (A & k) ? jt : jf */
  JsetK: 0x45,
  /** Accept k bytes of the frame (0 drops it). */
  RetK: 0x06,
} as const;

/** Ancillary loads: offsets past SKF_AD_OFF read metadata the kernel keeps beside the frame. */
export const BpfAncillary = {
  /** SKF_AD_OFF: base of the ancillary offsets (-0x1000 as an unsigned 32-bit k). */
  Base: 0xfffff000,
  /** SKF_AD_PKTTYPE: PACKET_HOST, PACKET_BROADCAST, PACKET_MULTICAST, PACKET_OTHERHOST, PACKET_OUTGOING. */
  PacketType: 4,
  /** SKF_AD_VLAN_TAG_PRESENT: 1 when the NIC stripped an 802.1Q tag (it is not in the frame bytes). */
  VlanTagPresent: 48,
} as const;

/** Values of SKF_AD_PKTTYPE (linux/if_packet.h). */
export const PacketType = {
  Host: 0,
  Broadcast: 1,
  Multicast: 2,
  /** Unicast to another station's MAC: seen only in promiscuous mode. */
  OtherHost: 3,
  Outgoing: 4,
} as const;

/** What a program returns to accept a whole frame (any non-zero length does). */
export const BPF_ACCEPT = 0x40000;

/**
 * A tiny assembler with forward labels: `jump(op, k, trueLabel, falseLabel)` where a label is a
 * name placed later with `label(name)`, or `null` for "the next instruction".
 */
export class BpfBuilder {
  private readonly insns: {
    code: number;
    k: number;
    jt: string | null;
    jf: string | null;
    ja?: string;
  }[] = [];
  private readonly labels = new Map<string, number>();

  load(op: number, k: number): this {
    this.insns.push({ code: op, k: k >>> 0, jt: null, jf: null });
    return this;
  }

  /** Loads SKF_AD_OFF + `field` (a word). */
  loadAncillary(field: number): this {
    return this.load(BpfOp.LdAbsW, (BpfAncillary.Base + field) >>> 0);
  }

  jump(op: number, k: number, jt: string | null, jf: string | null): this {
    this.insns.push({ code: op, k: k >>> 0, jt, jf });
    return this;
  }

  /** Unconditional forward jump to `label`. */
  jumpAlways(label: string): this {
    this.insns.push({ code: BpfOp.Ja, k: 0, jt: null, jf: null, ja: label });
    return this;
  }

  ret(k: number): this {
    this.insns.push({ code: BpfOp.RetK, k: k >>> 0, jt: null, jf: null });
    return this;
  }

  label(name: string): this {
    if (this.labels.has(name))
      throw new RawLinkError(RawLinkErrorCode.Invalid, `BPF label ${name} placed twice`, { name });
    this.labels.set(name, this.insns.length);
    return this;
  }

  get length(): number {
    return this.insns.length;
  }

  /** Resolves labels; throws RawLinkError INVALID if a jump is backwards, unknown or too far. */
  build(): BpfProgram {
    const out = this.insns.map((insn, pc) => {
      const off = (l: string | null, max: number): number => {
        if (l === null) return 0;
        const at = this.labels.get(l);
        if (at === undefined || at <= pc || at - pc - 1 > max)
          throw new RawLinkError(RawLinkErrorCode.Invalid, `BPF jump to ${l} out of range`, {
            pc,
            label: l,
          });
        return at - pc - 1;
      };
      if (insn.ja !== undefined)
        return { code: insn.code, k: off(insn.ja, BPF_MAX_INSTRUCTIONS), jt: 0, jf: 0 };
      return { code: insn.code, k: insn.k, jt: off(insn.jt, 255), jf: off(insn.jf, 255) };
    });
    validateBpf(out);
    return out;
  }
}

/** Checks what the kernel's verifier checks for the opcodes used here. Throws RawLinkError INVALID. */
export function validateBpf(program: BpfProgram): void {
  const bad = (why: string, pc: number) =>
    new RawLinkError(RawLinkErrorCode.Invalid, `invalid BPF program: ${why} at ${pc}`, { pc });
  if (program.length === 0 || program.length > BPF_MAX_INSTRUCTIONS)
    throw new RawLinkError(RawLinkErrorCode.Invalid, `BPF program length ${program.length}`, {
      length: program.length,
    });
  program.forEach((insn, pc) => {
    if (!Object.values(BpfOp).includes(insn.code as never)) throw bad('unknown opcode', pc);
    if (insn.jt < 0 || insn.jt > 255 || insn.jf < 0 || insn.jf > 255) throw bad('jump offset', pc);
    if (insn.code === BpfOp.RetK) return;
    const reach =
      insn.code === BpfOp.Ja
        ? insn.k
        : insn.code === BpfOp.JeqK || insn.code === BpfOp.JsetK
          ? Math.max(insn.jt, insn.jf)
          : 0;
    if (pc + 1 + reach >= program.length) throw bad('jump past the end', pc);
  });
  if (program[program.length - 1]?.code !== BpfOp.RetK)
    throw bad('no final return', program.length);
}

/** `struct sock_filter[]` bytes: u16 code, u8 jt, u8 jf, u32 k, in the host's byte order. */
export function encodeBpfProgram(program: BpfProgram, littleEndian: boolean): Uint8Array {
  const out = new Uint8Array(program.length * 8);
  const v = new DataView(out.buffer);
  program.forEach((insn, i) => {
    v.setUint16(i * 8, insn.code, littleEndian);
    v.setUint8(i * 8 + 2, insn.jt);
    v.setUint8(i * 8 + 3, insn.jf);
    v.setUint32(i * 8 + 4, insn.k, littleEndian);
  });
  return out;
}

/** What the kernel knows beside the frame bytes. */
export interface BpfContext {
  /** SKF_AD_PKTTYPE; default {@link PacketType.Host}. */
  packetType?: number;
  /** The NIC stripped an 802.1Q tag; default false. */
  vlanTagPresent?: boolean;
}

/**
 * Runs a program on a frame as the kernel would: returns the number of bytes accepted (0 = drop).
 * A load past the end of the frame drops it, as in the kernel.
 */
export function runBpf(program: BpfProgram, frame: Uint8Array, ctx: BpfContext = {}): number {
  let a = 0;
  for (let pc = 0; pc < program.length; pc++) {
    const insn = program[pc] as BpfInstruction;
    switch (insn.code) {
      case BpfOp.LdAbsW:
      case BpfOp.LdAbsH:
      case BpfOp.LdAbsB: {
        const size = insn.code === BpfOp.LdAbsW ? 4 : insn.code === BpfOp.LdAbsH ? 2 : 1;
        if (insn.k >= BpfAncillary.Base) {
          const field = insn.k - BpfAncillary.Base;
          if (field === BpfAncillary.PacketType) a = ctx.packetType ?? PacketType.Host;
          else if (field === BpfAncillary.VlanTagPresent) a = ctx.vlanTagPresent ? 1 : 0;
          else return 0;
          break;
        }
        if (insn.k + size > frame.length) return 0;
        a = 0;
        for (let i = 0; i < size; i++) a = a * 256 + (frame[insn.k + i] as number);
        break;
      }
      case BpfOp.Ja:
        pc += insn.k;
        break;
      case BpfOp.JeqK:
        pc += a === insn.k ? insn.jt : insn.jf;
        break;
      case BpfOp.JsetK:
        pc += (a & insn.k) >>> 0 !== 0 ? insn.jt : insn.jf;
        break;
      case BpfOp.RetK:
        return insn.k;
      default:
        return 0;
    }
  }
  return 0;
}

/**
 * The common head of a responder's filter: drops frames that are not ours to see before the
 * protocol-specific part runs — tagged frames the NIC stripped (they belong to a VLAN device),
 * frames for another station's MAC (promiscuous capture) or sent by this host, and frames whose
 * Ethernet source is our own MAC (a reflection of what we sent). Ends by falling through to the
 * next instruction; jumps to `drop` otherwise.
 */
export function emitFrameGuards(b: BpfBuilder, mac: Uint8Array, drop: string): void {
  const hi =
    ((mac[0] ?? 0) * 2 ** 24 + ((mac[1] ?? 0) << 16) + ((mac[2] ?? 0) << 8) + (mac[3] ?? 0)) >>> 0;
  const lo = ((mac[4] ?? 0) << 8) | (mac[5] ?? 0);
  b.loadAncillary(BpfAncillary.VlanTagPresent)
    .jump(BpfOp.JeqK, 0, null, drop)
    .loadAncillary(BpfAncillary.PacketType)
    .jump(BpfOp.JeqK, PacketType.OtherHost, drop, null)
    .jump(BpfOp.JeqK, PacketType.Outgoing, drop, null)
    .load(BpfOp.LdAbsW, 6)
    .jump(BpfOp.JeqK, hi, null, 'guard-src-ok')
    .load(BpfOp.LdAbsH, 10)
    .jump(BpfOp.JeqK, lo, drop, null)
    .label('guard-src-ok');
}
