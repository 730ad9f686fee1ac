// The pods/log helpers: tailLines on text, and the log book's tail, sinceSeconds, timestamps,
// bound and follow (ended by the container or by the client).
import { describe, expect, it } from 'vitest';
import { PodLogBook } from './log-book.ts';
import { tail, type PodLogChunk, type PodLogRequest } from './pod-logs.ts';

function req(extra: Partial<PodLogRequest> = {}): PodLogRequest {
  return {
    namespace: 'ns',
    pod: 'p',
    container: 'c',
    follow: false,
    tailLines: undefined,
    sinceSeconds: undefined,
    limitBytes: undefined,
    timestamps: false,
    previous: false,
    signal: new AbortController().signal,
    ...extra,
  };
}

async function collect(it: AsyncIterable<PodLogChunk>): Promise<string> {
  let s = '';
  for await (const c of it) s += String(c);
  return s;
}

describe('tail', () => {
  it('keeps the last n lines, with or without a final newline', () => {
    expect(tail('a\nb\nc\n', 2)).toBe('b\nc\n');
    expect(tail('a\nb\nc', 2)).toBe('b\nc');
    expect(tail('a\n', 0)).toBe('');
    expect(tail('a\nb\n', 10)).toBe('a\nb\n');
    expect(tail('a\nb\n', undefined)).toBe('a\nb\n');
  });
});

describe('PodLogBook', () => {
  it('serves tail, sinceSeconds and timestamps', () => {
    let now = 1_000_000;
    const book = new PodLogBook({ nowMs: () => now });
    book.append('ns', 'p', 'c', 'one\ntwo\n');
    now += 10_000;
    book.append('ns', 'p', 'c', 'three\nfour');
    expect(book.source(req())).toBe('one\ntwo\nthree\n');
    expect(book.source(req({ tailLines: 1 }))).toBe('three\n');
    expect(book.source(req({ sinceSeconds: 5 }))).toBe('three\n');
    expect(book.source(req({ tailLines: 1, timestamps: true }))).toBe(
      `${new Date(now).toISOString().replace('Z', '000000Z')} three\n`,
    );
    book.end('ns', 'p', 'c');
    expect(book.source(req({ tailLines: 1 }))).toBe('four\n');
  });

  it('drops the oldest lines past its bound', () => {
    const book = new PodLogBook({ maxBytesPerContainer: 8 });
    book.append('ns', 'p', 'c', 'aaaa\nbbbb\ncccc\n');
    expect(book.source(req())).toBe('cccc\n');
  });

  it('follows until the container ends', async () => {
    const book = new PodLogBook();
    book.append('ns', 'p', 'c', 'first\n');
    const stream = book.source(req({ follow: true })) as AsyncIterable<PodLogChunk>;
    const done = collect(stream);
    await new Promise((r) => setImmediate(r));
    book.append('ns', 'p', 'c', 'second\n');
    await new Promise((r) => setImmediate(r));
    book.end('ns', 'p', 'c');
    expect(await done).toBe('first\nsecond\n');
  });

  it('a follower stops when the client goes away', async () => {
    const book = new PodLogBook();
    const abort = new AbortController();
    const stream = book.source(
      req({ follow: true, signal: abort.signal }),
    ) as AsyncIterable<PodLogChunk>;
    const done = collect(stream);
    await new Promise((r) => setImmediate(r));
    abort.abort();
    expect(await done).toBe('');
  });
});
