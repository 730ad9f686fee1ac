// Splits a watch stream (newline-delimited JSON) into lines as Buffers, without decoding the
// stream to text: a line is decoded only when it is parsed, and a caller can look at its first
// bytes first (an informer drops the echoes of its own writes that way, unparsed). A line that
// spans many chunks is joined once, when its newline arrives, so joining costs O(line).

/** Bytes of a line's start handed to a skip check (Latin-1): a watch event's metadata.resourceVersion comes well within it. */
export const LINE_HEAD_BYTES = 1024;

export class LineSplitter {
  private parts: Buffer[] = [];
  private partBytes = 0;

  /** Bytes of an unfinished line held (the caller bounds it). */
  get pendingBytes(): number {
    return this.partBytes;
  }

  /**
   * Feeds a chunk; `onLine` gets every complete non-blank line (without its newline) and returns
   * false to stop (the rest of the chunk is dropped).
   */
  push(chunk: Buffer, onLine: (line: Buffer) => boolean): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      let line = chunk.subarray(start, nl);
      start = nl + 1;
      if (this.parts.length > 0) {
        this.parts.push(line);
        line = Buffer.concat(this.parts, this.partBytes + line.length);
        this.parts = [];
        this.partBytes = 0;
      }
      if (!isBlank(line) && !onLine(line)) return;
    }
    if (start < chunk.length) {
      // Copied: a small remainder must not keep the whole chunk alive.
      const rest = Buffer.from(chunk.subarray(start));
      this.parts.push(rest);
      this.partBytes += rest.length;
    }
  }
}

/** Only spaces, tabs and carriage returns (a keep-alive newline, CRLF framing). */
function isBlank(line: Buffer): boolean {
  for (let i = 0; i < line.length; i++) {
    const b = line[i];
    if (b !== 32 && b !== 9 && b !== 13) return false;
  }
  return true;
}
