// What the manager tells its users: events (JSON-friendly, the CLI prints them as they are) and
// status snapshots.
import type { StateName } from '../codec/constants.js';

interface SessionRef {
  /** Peer address, canonical text form. */
  readonly peer: string;
  readonly multihop: boolean;
}

export type BfdEvent =
  /** Every local state change. */
  | (SessionRef & {
      readonly type: 'state';
      readonly from: StateName;
      readonly to: StateName;
      /** bfd.LocalDiag after the change, as a name ('control-detection-time-expired', ...). */
      readonly diag: string;
      /** The Diag of the remote's last packet. */
      readonly remoteDiag: string;
    })
  /** The session reached Up: the path works both ways. */
  | (SessionRef & {
      readonly type: 'up';
      readonly localDiscriminator: number;
      readonly remoteDiscriminator: number;
      /** Agreed periodic transmit interval (before jitter), ms. */
      readonly transmitIntervalMs: number;
      /** Detection Time, ms. */
      readonly detectionTimeMs: number;
    })
  /**
   * The session left Up. When `pathFailure` is true, take the protected session (BGP) down now
   * (RFC 5882 §4.3, RFC 9384 Cease/10 "BFD Down").
   */
  | (SessionRef & {
      readonly type: 'down';
      /**
       * False when the session went down administratively — locally (`to` AdminDown) or because
       * the remote signalled AdminDown: that is not a path failure, and RFC 5882 §3.2 says the
       * client should not take its session down for it. True for every real failure (detection time
       * expired, the remote saw us fail).
       */
      readonly pathFailure: boolean;
      readonly to: StateName;
      readonly diag: string;
      readonly remoteDiag: string;
      /**
       * Milliseconds between the last packet received and the moment the session went down:
       * the measured detection time when `diag` is control-detection-time-expired.
       */
      readonly sinceLastPacketMs: number | null;
    });

/** One session as `manager.sessions()` reports it. */
export interface BfdSessionStatus {
  readonly peer: string;
  readonly family: 'ipv4' | 'ipv6';
  readonly localAddress: string | undefined;
  readonly multihop: boolean;
  readonly passive: boolean;
  readonly state: StateName;
  readonly remoteState: StateName;
  readonly localDiag: string;
  readonly remoteDiag: string;
  readonly localDiscriminator: number;
  readonly remoteDiscriminator: number;
  /** Configured (MetalLB profile) values. */
  readonly receiveIntervalMs: number;
  readonly transmitIntervalMs: number;
  readonly detectMultiplier: number;
  readonly minimumTtl: number;
  /** What our packets advertise now (slow one second while not Up). */
  readonly desiredMinTxMs: number;
  /** Current periodic transmit interval before jitter, ms; null when not sending periodically. */
  readonly actualTransmitIntervalMs: number | null;
  /** Current Detection Time, ms (0 before the first packet). */
  readonly detectionTimeMs: number;
  readonly remoteReceiveIntervalMs: number;
  readonly remoteTransmitIntervalMs: number;
  readonly remoteDetectMultiplier: number;
  readonly pollActive: boolean;
  /** Source port of our packets (RFC 5881 §4: 49152–65535). */
  readonly sourcePort: number;
  readonly packetsIn: number;
  readonly packetsOut: number;
  readonly upEvents: number;
  readonly downEvents: number;
}

/** Why received datagrams were dropped, for `manager.stats()` and the drop counter. */
export interface BfdStats {
  readonly packetsReceived: number;
  readonly packetsDropped: Readonly<Record<string, number>>;
  readonly sessions: number;
}
