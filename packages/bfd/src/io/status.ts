// Status snapshots of a session, in the units and names the README documents.
import { GTSM_TTL, diagName, stateName } from '../codec/constants.js';
import { detectionTimeUs, transmitIntervalUs } from '../machine/session.js';
import type { BfdSessionStatus } from './events.js';
import type { Entry } from './types.js';

/** What `manager.session()` returns. */
export function statusOf(e: Entry): BfdSessionStatus {
  const s = e.state;
  const o = e.opts;
  return {
    peer: o.peerAddress,
    family: o.family,
    localAddress: o.localAddress,
    multihop: o.multihop,
    passive: o.passiveMode,
    state: stateName(s.state),
    remoteState: stateName(s.remoteState),
    localDiag: diagName(s.localDiag),
    remoteDiag: diagName(s.remoteDiag),
    localDiscriminator: s.config.localDiscriminator,
    remoteDiscriminator: s.remoteDiscriminator,
    receiveIntervalMs: s.config.requiredMinRxUs / 1000,
    transmitIntervalMs: s.config.desiredMinTxUs / 1000,
    detectMultiplier: s.config.detectMult,
    minimumTtl: o.multihop ? o.minimumTtl : GTSM_TTL,
    desiredMinTxMs: s.desiredMinTxUs / 1000,
    actualTransmitIntervalMs: s.nextTxAt === null ? null : transmitIntervalUs(s) / 1000,
    detectionTimeMs: detectionTimeUs(s) / 1000,
    remoteReceiveIntervalMs: s.remoteMinRxUs / 1000,
    remoteTransmitIntervalMs: s.remoteDesiredMinTxUs / 1000,
    remoteDetectMultiplier: s.remoteDetectMult,
    pollActive: s.pollActive,
    sourcePort: e.sender.sender.localPort,
    packetsIn: e.packetsIn,
    packetsOut: e.packetsOut,
    upEvents: e.upEvents,
    downEvents: e.downEvents,
  };
}
