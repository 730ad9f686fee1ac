import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemberlistError, MemberlistErrorCode } from '../src/errors.js';
import { MEMBERLIST_PROTO } from '../src/codec/schema.js';
import { decodePacket, encodePacket, LIMITS } from '../src/codec/packet.js';
import { MemberState, WIRE_VERSION } from '../src/codec/messages.js';
import type { Message, Packet } from '../src/codec/messages.js';
import { arbPacket } from './arbitraries.js';

function expectCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MemberlistError);
    expect((err as MemberlistError).code).toBe(code);
    return;
  }
  expect.unreachable('expected a MemberlistError');
}

const every: Message[] = [
  { type: 'ping', seq: 1, target: 'node-a' },
  { type: 'ping', seq: 2, target: 'node-b', verify: true },
  {
    type: 'indirect-ping',
    seq: 4294967295,
    target: 'b',
    targetAddr: '198.51.100.2:7946',
    wantNack: true,
  },
  { type: 'ack', seq: 7 },
  { type: 'nack', seq: 8 },
  {
    type: 'alive',
    node: 'c',
    incarnation: 3,
    addr: '[2001:db8::1]:7946',
    meta: { zone: 'a', rack: '1' },
  },
  { type: 'suspect', node: 'd', incarnation: 2, from: 'e' },
  { type: 'dead', node: 'f', incarnation: 9, from: 'f' },
  {
    type: 'push-pull',
    join: true,
    nodes: [
      { node: 'g', incarnation: 1, addr: '198.51.100.7:7946', meta: {}, state: MemberState.Left },
      {
        node: 'h',
        incarnation: 0,
        addr: '198.51.100.8:7946',
        meta: { k: 'v' },
        state: MemberState.Alive,
      },
    ],
  },
];

describe('packet codec', () => {
  it('ships the same schema text it embeds (memberlist.proto is the source of truth)', () => {
    const file = readFileSync(
      fileURLToPath(new URL('../src/codec/memberlist.proto', import.meta.url)),
      'utf8',
    );
    expect(MEMBERLIST_PROTO).toBe(file);
  });

  it('round-trips every message type in one compound packet', () => {
    const p: Packet = { version: WIRE_VERSION, from: 'sender', messages: every };
    expect(decodePacket(encodePacket(p))).toEqual(p);
  });

  it('round-trips arbitrary valid packets (property)', () => {
    fc.assert(
      fc.property(arbPacket, (p) => {
        expect(decodePacket(encodePacket(p))).toEqual(p);
      }),
      { numRuns: 300 },
    );
  });

  it('matches the golden bytes of a ping (guards against accidental wire changes)', () => {
    const bytes = encodePacket({
      version: 1,
      from: 'a',
      messages: [{ type: 'ping', seq: 5, target: 'b' }],
    });
    expect(Buffer.from(bytes).toString('hex')).toBe(
      '0801120161' + '1a07' + '0a05' + '0805' + '120162',
    );
  });

  it('rejects another wire version with UNSUPPORTED_VERSION', () => {
    const bytes = encodePacket({ version: 2, from: 'a', messages: [] });
    expectCode(() => decodePacket(bytes), MemberlistErrorCode.UnsupportedVersion);
  });

  it('rejects a packet without a sender, an empty message, oversized meta (DECODE)', () => {
    expectCode(() => decodePacket(encodePacket({ version: 1, from: '', messages: [] })), 'DECODE');
    // A Message with no body: field 3 (messages) with a zero-length embedded message.
    expectCode(() => decodePacket(Buffer.from('080112016' + '11a00', 'hex')), 'DECODE');
    const meta = { big: 'x'.repeat(LIMITS.metaBytes) };
    const bytes = encodePacket({
      version: 1,
      from: 'a',
      messages: [{ type: 'alive', node: 'n', incarnation: 1, addr: '198.51.100.1:1', meta }],
    });
    expectCode(() => decodePacket(bytes), 'DECODE');
  });

  it('rejects truncated bytes with DECODE', () => {
    const bytes = encodePacket({ version: 1, from: 'sender', messages: every });
    let rejected = 0;
    for (let cut = 1; cut < bytes.length; cut += 7) {
      try {
        decodePacket(bytes.subarray(0, cut));
      } catch (err) {
        expect(err).toBeInstanceOf(MemberlistError);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(0);
  });
});
