// @ironlb/netns-kit: the one network-namespace test kit every protocol package uses (DESIGN.md §4).
export { KitError } from './errors.ts';
export { exec, run } from './exec.ts';
export type { ExecOptions, ExecResult } from './exec.ts';
export { NsProcess } from './process.ts';
export type { ExitStatus, LineMatcher } from './process.ts';
export { Netns } from './netns.ts';
export type { SpawnOptions } from './netns.ts';
export { Topology, namespaceExists } from './topology.ts';
export type { LinkOptions } from './topology.ts';
export { netnsSkipReason } from './skip.ts';
export { sweepStale, listNamespaces, deleteNamespace, KIT_PREFIX } from './sweep.ts';
export { Tcpdump } from './tcpdump.ts';
export { parsePcap } from './pcap.ts';
export { decodeFrame } from './decode.ts';
export type { DecodedFrame } from './decode.ts';
export type { CapturedPacket } from './pcap.ts';
export { nodeBinary, kitEnv, workspaceRoot } from './paths.ts';
export {
  Bird,
  birdConfig,
  parseBirdRoutes,
  Frr,
  frrBgpdConfig,
  parseFrrDetail,
  Gobgp,
  gobgpConfig,
  parseGobgpRib,
  Exabgp,
  exabgpConfig,
  pollUntil,
} from './peers/index.ts';
export type {
  ExabgpConfig,
  ExabgpRoute,
  BgpDaemon,
  DaemonConfig,
  Family,
  InjectedRoute,
  NeighborConfig,
  PeerRoute,
  PeerSessionState,
} from './peers/index.ts';
