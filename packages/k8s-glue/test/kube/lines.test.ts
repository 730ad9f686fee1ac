// The watch stream's line splitter: lines cut anywhere by the network come out whole, blank lines
// (keep-alives, CRLF) are skipped, a stop drops the rest, and an unfinished line is counted.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LineSplitter } from '../../src/kube/lines.js';

function split(chunks: string[], stopAfter = Infinity): { lines: string[]; pending: number } {
  const s = new LineSplitter();
  const lines: string[] = [];
  for (const c of chunks) {
    s.push(Buffer.from(c, 'utf8'), (l) => {
      lines.push(l.toString('utf8'));
      return lines.length < stopAfter;
    });
    if (lines.length >= stopAfter) break;
  }
  return { lines, pending: s.pendingBytes };
}

describe('LineSplitter', () => {
  it('joins a line cut across chunks and splits several lines in one chunk', () => {
    expect(split(['{"a":', '1}\n{"b"', ':2}\n{"c":3}\n{"d'])).toEqual({
      lines: ['{"a":1}', '{"b":2}', '{"c":3}'],
      pending: 3,
    });
  });

  it('skips blank lines and keeps a carriage return out of the way of JSON', () => {
    expect(split(['\n', '  \r\n{"a":1}\r\n', '\n\n']).lines).toEqual(['{"a":1}\r']);
    expect(JSON.parse(split(['{"a":1}\r\n']).lines[0]!)).toEqual({ a: 1 });
  });

  it('stops when told: nothing after the line that stopped it', () => {
    expect(split(['1\n2\n3\n'], 2).lines).toEqual(['1', '2']);
  });

  it('keeps a multi-byte character cut between chunks intact', () => {
    const text = '{"name":"café ✓"}\n';
    const bytes = Buffer.from(text, 'utf8');
    const cut = bytes.indexOf(0xe2) + 1; // inside the three bytes of ✓
    const s = new LineSplitter();
    const got: string[] = [];
    const on = (l: Buffer) => (got.push(l.toString('utf8')), true);
    s.push(bytes.subarray(0, cut), on);
    s.push(bytes.subarray(cut), on);
    expect(got).toEqual(['{"name":"café ✓"}']);
  });

  it('any cutting of a stream gives the same lines (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc
            .string({ minLength: 1, maxLength: 30 })
            .filter((x) => x.trim() !== '' && !x.includes('\n')),
          { maxLength: 20 },
        ),
        fc.array(fc.nat(400), { maxLength: 10 }),
        (lines, cuts) => {
          const bytes = Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort(
            (a, b) => a - b,
          );
          const s = new LineSplitter();
          const got: string[] = [];
          let from = 0;
          for (const p of [...points, bytes.length]) {
            s.push(bytes.subarray(from, p), (l) => (got.push(l.toString('utf8')), true));
            from = p;
          }
          expect(got).toEqual(lines);
          expect(s.pendingBytes).toBe(0);
        },
      ),
    );
  });
});
