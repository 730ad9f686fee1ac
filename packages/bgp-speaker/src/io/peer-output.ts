// The output path of one peer (issue 14: backpressure). Every byte to a connection goes through
// writeTo(): it tracks whether the socket still takes data (send-blocked / send-drained for the
// RFC 9687 send hold timer) and resets the session once the queue passes maxOutputQueueBytes.
// pumpChunks() asks the RibSync for the next chunk only while the socket takes data.
import type { Labels } from '@ironlb/clock';
import { CeaseSubcode } from '../codec/constants.js';
import type { BgpFramer } from '../codec/framer.js';
import type { RibSync, SyncChunk } from '../machine/rib-sync.js';
import type { SessionEvent } from '../machine/types.js';
import type { BgpSocket, Logger } from '../deps.js';
import type { PeerCounters, SpeakerEvent } from './events.js';
import type { BgpMetrics } from './metrics.js';

export interface Conn {
  socket: BgpSocket;
  framer: BgpFramer;
  /** write() returned false and no drain has come since. */
  blocked: boolean;
  /** The overflow was reported; the connection is going away. */
  overflowed: boolean;
  /** Bytes written in total, and how many of them the socket had taken at the last check. */
  written: number;
  flushedMark: number;
}

/** What the output path needs of its peer driver. */
export interface OutputContext {
  readonly name: string;
  readonly labels: Labels;
  readonly counters: PeerCounters;
  readonly maxOutputQueueBytes: number;
  readonly logger: Logger;
  readonly metrics: BgpMetrics;
  emit(e: SpeakerEvent): void;
  dispatch(e: SessionEvent): void;
  reset(subcode: number, message: string): void;
}

export function newConn(socket: BgpSocket, framer: BgpFramer): Conn {
  return { socket, framer, blocked: false, overflowed: false, written: 0, flushedMark: 0 };
}

/**
 * Sends chunks from the RibSync while the established connection's socket takes them. Routes
 * that cannot be encoded are reported as `skipped`; anything unexpected resets this session
 * (Cease/8 Out of Resources, RFC 4486) so the reconnect re-sends in full from a clean state.
 */
export function pumpChunks(
  o: OutputContext,
  id: number,
  conn: Conn,
  sync: RibSync,
  current: () => boolean,
): void {
  try {
    while (!conn.blocked && !conn.overflowed && current()) {
      const chunk = sync.next();
      if (!chunk) break;
      sendChunk(o, id, conn, chunk);
    }
  } catch (err) {
    o.counters.encodeErrors++;
    o.logger.error(
      { peer: o.name, err: err instanceof Error ? err.message : String(err) },
      'sending updates failed; resetting the session',
    );
    o.reset(CeaseSubcode.OutOfResources, 'internal error while sending updates');
  }
}

function sendChunk(o: OutputContext, id: number, conn: Conn, c: SyncChunk): void {
  // One write per chunk: its messages are back to back in one buffer (a chunk of a bulk dump is
  // 5–70 KB; one write instead of one per 4 KB UPDATE keeps the stream and syscall overhead down).
  const bytes = c.bytes.length;
  if (bytes) writeTo(o, id, conn, c.bytes);
  if (c.messages.length) {
    o.counters.updatesOut += c.messages.length;
    o.metrics.updatesSent.inc(o.labels, c.messages.length);
    o.dispatch({ type: 'update-sent', conn: id });
    o.emit({
      type: 'sent',
      peer: o.name,
      announced: c.announced,
      withdrawn: c.withdrawn,
      messages: c.messages.length,
      bytes,
      endOfRib: c.endOfRib,
      ...(c.refresh.length ? { refresh: c.refresh } : {}),
    });
  }
  if (c.skipped.length)
    o.emit({
      type: 'skipped',
      peer: o.name,
      prefixes: c.skipped,
      reason: 'no next hop for this address family on this session',
    });
  for (const f of c.failed) {
    o.counters.encodeErrors++;
    o.logger.warn({ peer: o.name, prefixes: f.prefixes, err: f.reason }, 'cannot encode');
    o.emit({
      type: 'skipped',
      peer: o.name,
      prefixes: f.prefixes,
      reason: `cannot encode: ${f.reason}`,
    });
  }
}

/** Every byte to a connection goes through here: backpressure state and the queue cap. */
export function writeTo(o: OutputContext, id: number, conn: Conn, bytes: Uint8Array): void {
  if (conn.overflowed) return;
  const ok = conn.socket.write(bytes);
  conn.written += bytes.length;
  const queued = conn.socket.bufferedBytes;
  if (queued > o.maxOutputQueueBytes) {
    conn.overflowed = true;
    o.counters.outputOverflows++;
    o.metrics.outputOverflows.inc(o.labels);
    o.logger.warn(
      { peer: o.name, queued, max: o.maxOutputQueueBytes },
      'output queue over cap; resetting the session',
    );
    o.dispatch({
      type: 'output-overflow',
      conn: id,
      bytes: queued,
      maxBytes: o.maxOutputQueueBytes,
    });
    return;
  }
  if (!ok && !conn.blocked) {
    conn.blocked = true;
    conn.flushedMark = conn.written - queued;
    o.dispatch({ type: 'send-blocked', conn: id });
  }
}

/**
 * Before a timer fires: a blocked connection whose socket took some bytes since the last check
 * has a peer that still reads (RFC 9687 restarts SendHoldTimer on progress; node:net reports
 * `drain` only once its queue is empty).
 */
export function checkSendProgress(o: OutputContext, conns: ReadonlyMap<number, Conn>): void {
  for (const [id, c] of conns) {
    if (!c.blocked) continue;
    const flushed = c.written - c.socket.bufferedBytes;
    if (flushed > c.flushedMark) {
      c.flushedMark = flushed;
      o.dispatch({ type: 'send-progress', conn: id });
    }
  }
}
