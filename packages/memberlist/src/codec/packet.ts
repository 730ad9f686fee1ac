/**
 * Packet codec: typed messages ⇄ protobuf bytes (schema: memberlist.proto). Pure, no I/O.
 * Decoding validates every field against hard limits so a hostile or corrupt packet can only ever
 * produce a MemberlistError, never a half-valid object that confuses the state machine.
 */
import protobuf from 'protobufjs';
import { MemberlistError, MemberlistErrorCode } from '../errors.js';
import { SEAL_OVERHEAD } from './crypto.js';
import { DEFAULT_MAX_FRAME_BYTES } from './framer.js';
import { MEMBERLIST_PROTO } from './schema.js';
import { MemberState, WIRE_VERSION } from './messages.js';
import type { Message, Meta, NodeStateEntry, Packet } from './messages.js';

/** Hard limits enforced on decode (and on encode of local data). */
export const LIMITS = {
  /** Longest member name, in UTF-16 code units. */
  nameChars: 256,
  /** Longest "host:port" string. */
  addrChars: 64,
  /** hashicorp's MetaMaxSize: metadata of one member, bytes (keys + values, UTF-8). */
  metaBytes: 512,
  /** Messages in one compound packet. */
  messagesPerPacket: 512,
  /** Entries in one push/pull. A sender never puts more in one (machine/rules.ts localState). */
  nodesPerPushPull: 10_000,
  /**
   * Encoded push/pull packet, bytes: what fits in one default stream frame once sealed. A sender
   * never builds a larger one (it leaves out dead, then suspect members first), so every push/pull
   * it sends passes the receiver's frame cap and decode limits (issue 14).
   */
  pushPullBytes: DEFAULT_MAX_FRAME_BYTES - SEAL_OVERHEAD - 1024,
} as const;

/** Largest uint32, the range of every integer on the wire. */
export const UINT32_MAX = 0xffff_ffff;

const root = protobuf.parse(MEMBERLIST_PROTO, { keepCase: false }).root;
const PacketType = root.lookupType('ironlb.memberlist.v1.Packet');

function fail(message: string, details: Record<string, unknown> = {}, cause?: unknown): never {
  throw new MemberlistError(MemberlistErrorCode.Decode, message, details, { cause });
}

export function metaBytes(meta: Meta): number {
  let n = 0;
  for (const [k, v] of Object.entries(meta)) n += Buffer.byteLength(k) + Buffer.byteLength(v);
  return n;
}

/** A wire integer we send: must already be a uint32 (protobuf would wrap it silently). */
function out32(v: number, field: string): number {
  if (!Number.isInteger(v) || v < 0 || v > UINT32_MAX)
    throw new MemberlistError(MemberlistErrorCode.Encode, `${field} is not a uint32`, {
      field,
      value: v,
    });
  return v;
}

/**
 * An upper bound of the bytes a push/pull entry adds to an encoded packet (field tags, length
 * varints and UTF-8 text), so a sender can stay within LIMITS.pushPullBytes without encoding twice.
 */
export function nodeStateBytes(n: NodeStateEntry): number {
  let bytes = 32 + Buffer.byteLength(n.node) + Buffer.byteLength(n.addr);
  for (const [k, v] of Object.entries(n.meta))
    bytes += 12 + Buffer.byteLength(k) + Buffer.byteLength(v);
  return bytes;
}

function toWire(m: Message): Record<string, unknown> {
  switch (m.type) {
    case 'ping':
      return {
        ping: { seq: out32(m.seq, 'seq'), target: m.target, ...(m.verify ? { verify: true } : {}) },
      };
    case 'indirect-ping':
      return {
        indirectPing: {
          seq: out32(m.seq, 'seq'),
          target: m.target,
          targetAddr: m.targetAddr,
          wantNack: m.wantNack,
        },
      };
    case 'ack':
      return { ack: { seq: out32(m.seq, 'seq') } };
    case 'nack':
      return { nack: { seq: out32(m.seq, 'seq') } };
    case 'alive':
      return {
        alive: {
          node: m.node,
          incarnation: out32(m.incarnation, 'incarnation'),
          addr: m.addr,
          meta: { ...m.meta },
        },
      };
    case 'suspect':
      return {
        suspect: { node: m.node, incarnation: out32(m.incarnation, 'incarnation'), from: m.from },
      };
    case 'dead':
      return {
        dead: { node: m.node, incarnation: out32(m.incarnation, 'incarnation'), from: m.from },
      };
    case 'push-pull':
      return {
        pushPull: {
          join: m.join,
          nodes: m.nodes.map((n) => ({
            node: n.node,
            incarnation: out32(n.incarnation, 'incarnation'),
            addr: n.addr,
            meta: { ...n.meta },
            state: n.state,
          })),
        },
      };
  }
}

/**
 * Encodes a packet. The caller's data is ours and trusted for size (limits are checked on decode),
 * but every integer must already fit its uint32 field: MemberlistError ENCODE otherwise.
 */
export function encodePacket(p: Packet): Uint8Array {
  const obj = {
    version: out32(p.version, 'version'),
    from: p.from,
    messages: p.messages.map(toWire),
  };
  // A plain object in the schema's shape encodes directly (fromObject would only copy it).
  return PacketType.encode(obj).finish();
}

// ---- decode -------------------------------------------------------------------------------------

type Obj = Record<string, unknown>;

function str(o: Obj, key: string, max: number): string {
  const v = o[key] ?? '';
  if (typeof v !== 'string') fail(`field ${key} is not a string`, { field: key });
  if (v.length > max) fail(`field ${key} too long`, { field: key, length: v.length, max });
  return v;
}
function u32(o: Obj, key: string): number {
  const v = o[key] ?? 0;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffff_ffff)
    fail(`field ${key} is not a uint32`, { field: key });
  return v;
}
function name(o: Obj, key: string): string {
  const v = str(o, key, LIMITS.nameChars);
  if (v.length === 0) fail(`field ${key} is empty`, { field: key });
  return v;
}
function meta(o: Obj): Meta {
  const raw = o['meta'] ?? {};
  if (typeof raw !== 'object' || raw === null) fail('meta is not a map');
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(raw as Obj)) {
    if (typeof v !== 'string') fail('meta value is not a string', { key: k });
    out[k] = v;
  }
  const size = metaBytes(out);
  if (size > LIMITS.metaBytes) fail('meta too large', { bytes: size, max: LIMITS.metaBytes });
  return { ...out };
}
function sub(o: Obj, key: string): Obj {
  const v = o[key];
  if (typeof v !== 'object' || v === null) fail(`missing ${key}`);
  return v as Obj;
}

function nodeState(o: Obj): NodeStateEntry {
  const state = u32(o, 'state');
  if (state > MemberState.Left) fail('unknown member state', { state });
  return {
    node: name(o, 'node'),
    incarnation: u32(o, 'incarnation'),
    addr: str(o, 'addr', LIMITS.addrChars),
    meta: meta(o),
    state: state as MemberState,
  };
}

function fromWire(w: Obj): Message {
  const body = w['body'];
  switch (body) {
    case 'ping': {
      const o = sub(w, 'ping');
      return {
        type: 'ping',
        seq: u32(o, 'seq'),
        target: str(o, 'target', LIMITS.nameChars),
        ...(o['verify'] === true ? { verify: true } : {}),
      };
    }
    case 'indirectPing': {
      const o = sub(w, 'indirectPing');
      return {
        type: 'indirect-ping',
        seq: u32(o, 'seq'),
        target: name(o, 'target'),
        targetAddr: str(o, 'targetAddr', LIMITS.addrChars),
        wantNack: o['wantNack'] === true,
      };
    }
    case 'ack':
      return { type: 'ack', seq: u32(sub(w, 'ack'), 'seq') };
    case 'nack':
      return { type: 'nack', seq: u32(sub(w, 'nack'), 'seq') };
    case 'alive': {
      const o = sub(w, 'alive');
      return {
        type: 'alive',
        node: name(o, 'node'),
        incarnation: u32(o, 'incarnation'),
        addr: str(o, 'addr', LIMITS.addrChars),
        meta: meta(o),
      };
    }
    case 'suspect':
    case 'dead': {
      const o = sub(w, body);
      return {
        type: body,
        node: name(o, 'node'),
        incarnation: u32(o, 'incarnation'),
        from: name(o, 'from'),
      };
    }
    case 'pushPull': {
      const o = sub(w, 'pushPull');
      const nodes = (o['nodes'] ?? []) as unknown;
      if (!Array.isArray(nodes)) fail('push-pull nodes is not a list');
      if (nodes.length > LIMITS.nodesPerPushPull)
        fail('too many push-pull nodes', { count: nodes.length });
      return {
        type: 'push-pull',
        join: o['join'] === true,
        nodes: nodes.map((n) => nodeState(n as Obj)),
      };
    }
    default:
      // An empty oneof: a field added by a newer minor revision, or garbage. Either way unusable.
      fail('message without a known body', { body: String(body) });
  }
}

/** Decodes and validates a packet. Throws only MemberlistError (DECODE / UNSUPPORTED_VERSION). */
export function decodePacket(bytes: Uint8Array): Packet {
  let obj: Obj;
  try {
    // The decoded message is read directly (unset fields read as their proto3 defaults; `body`
    // names the oneof member that is set): toObject would copy every packet once more.
    obj = PacketType.decode(bytes) as unknown as Obj;
  } catch (err) {
    fail('not a protobuf Packet', {}, err);
  }
  const version = u32(obj, 'version');
  if (version !== WIRE_VERSION)
    throw new MemberlistError(MemberlistErrorCode.UnsupportedVersion, 'unsupported wire version', {
      version,
      supported: WIRE_VERSION,
    });
  const from = name(obj, 'from');
  const raw = (obj['messages'] ?? []) as unknown;
  if (!Array.isArray(raw)) fail('messages is not a list');
  if (raw.length > LIMITS.messagesPerPacket) fail('too many messages', { count: raw.length });
  return { version, from, messages: raw.map((m) => fromWire(m as Obj)) };
}
