// Community text forms. RFC 1997 communities are "A:B" (two 16-bit halves) or a well-known name;
// RFC 8092 large communities are "G:L1:L2" (three 32-bit numbers).
import { BgpError, BgpErrorCode } from '../errors.js';
import { WellKnownCommunity } from './constants.js';

export interface LargeCommunity {
  global: number;
  local1: number;
  local2: number;
}

const byValue = new Map<number, string>(
  Object.entries(WellKnownCommunity).map(([k, v]) => [v, k] as [number, string]),
);

function bad(text: string, what: string): BgpError {
  return new BgpError(BgpErrorCode.InvalidValue, `bad ${what}: ${text}`, {
    detail: { value: text },
  });
}

function u(text: string, max: number): number {
  if (!/^\d{1,10}$/.test(text)) return Number.NaN;
  const n = Number(text);
  return n <= max ? n : Number.NaN;
}

/** Parses "A:B", a well-known name (NO_EXPORT, no-export, ...), or a 32-bit number. */
export function parseCommunity(text: string): number {
  const name = text.trim().toUpperCase().replace(/-/g, '_');
  if (name in WellKnownCommunity)
    return WellKnownCommunity[name as keyof typeof WellKnownCommunity];
  const parts = text.split(':');
  if (parts.length === 2) {
    const hi = u(parts[0] as string, 0xffff);
    const lo = u(parts[1] as string, 0xffff);
    if (Number.isNaN(hi) || Number.isNaN(lo)) throw bad(text, 'community');
    return ((hi << 16) | lo) >>> 0;
  }
  if (parts.length === 1) {
    const n = u(text, 0xffffffff);
    if (!Number.isNaN(n)) return n;
  }
  throw bad(text, 'community');
}

/** "A:B", or the well-known name when there is one. */
export function formatCommunity(c: number): string {
  return byValue.get(c) ?? `${c >>> 16}:${c & 0xffff}`;
}

export function parseLargeCommunity(text: string): LargeCommunity {
  const parts = text.replace(/^large:/, '').split(':');
  if (parts.length !== 3) throw bad(text, 'large community');
  const [g, l1, l2] = parts.map((p) => u(p, 0xffffffff)) as [number, number, number];
  if ([g, l1, l2].some(Number.isNaN)) throw bad(text, 'large community');
  return { global: g, local1: l1, local2: l2 };
}

export function formatLargeCommunity(c: LargeCommunity): string {
  return `${c.global}:${c.local1}:${c.local2}`;
}
