// BGP community syntax as MetalLB's internal/bgp/community: legacy "A:B" (two uint16) or
// "large:X:Y:Z" (three uint32). Anything else with another number of sections is a *format*
// error, which the parser treats as a possibly-missing Community alias (transient).

export type Community =
  | { readonly kind: 'legacy'; readonly text: string; readonly sortKey: [bigint, bigint, bigint] }
  | { readonly kind: 'large'; readonly text: string; readonly sortKey: [bigint, bigint, bigint] };

export type CommunityParse =
  | { readonly ok: true; readonly community: Community }
  | { readonly ok: false; readonly kind: 'value' | 'format'; readonly message: string };

const goq = (s: string) => JSON.stringify(s);

function parseUint(section: string, bits: 16 | 32): { value: bigint } | { err: string } {
  const inner = `strconv.ParseUint: parsing ${goq(section)}: `;
  if (!/^[0-9]+$/.test(section)) return { err: inner + 'invalid syntax' };
  const v = BigInt(section);
  if (v >= 1n << BigInt(bits)) return { err: inner + 'value out of range' };
  return { value: v };
}

export function parseCommunity(c: string): CommunityParse {
  const fs = c.split(':');
  if (fs.length === 2) {
    const vals: bigint[] = [];
    for (const f of fs) {
      const r = parseUint(f, 16);
      if ('err' in r) {
        return {
          ok: false,
          kind: 'value',
          message: `invalid community value: invalid section ${goq(f)} of community ${goq(c)}, err: ${goq(r.err)}`,
        };
      }
      vals.push(r.value);
    }
    const [a, b] = vals as [bigint, bigint];
    return {
      ok: true,
      community: { kind: 'legacy', text: `${a}:${b}`, sortKey: [(a << 16n) + b, 0n, 0n] },
    };
  }
  if (fs.length === 4) {
    if (fs[0] !== 'large') {
      return {
        ok: false,
        kind: 'value',
        message: `invalid community value: invalid marker for large community, expected community to be of format large:<uint32>:<uint32>:<uint32> but got ${goq(c)} instead`,
      };
    }
    const vals: bigint[] = [];
    for (const f of fs.slice(1)) {
      const r = parseUint(f, 32);
      if ('err' in r) {
        return {
          ok: false,
          kind: 'value',
          message: `invalid community value: invalid section ${goq(f)} of community ${goq(c)}, err: ${goq(r.err)}`,
        };
      }
      vals.push(r.value);
    }
    const [x, y, z] = vals as [bigint, bigint, bigint];
    return {
      ok: true,
      community: { kind: 'large', text: `large:${x}:${y}:${z}`, sortKey: [x, y, z] },
    };
  }
  return { ok: false, kind: 'format', message: `invalid community format: ${c}` };
}

export function compareCommunities(a: Community, b: Community): number {
  for (let i = 0; i < 3; i++) {
    const x = a.sortKey[i] as bigint;
    const y = b.sortKey[i] as bigint;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
