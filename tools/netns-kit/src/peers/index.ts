// Real BGP peers for integration tests (BIRD 2, FRR 8, GoBGP 3, ExaBGP 4), started inside a Netns.
export { Bird, birdConfig, parseBirdRoutes } from './bird.ts';
export { Frr, frrBgpdConfig, frrBfddConfig, parseFrrDetail } from './frr.ts';
export { Gobgp, gobgpConfig, parseGobgpRib } from './gobgp.ts';
export { Exabgp, exabgpConfig } from './exabgp.ts';
export type { ExabgpConfig, ExabgpRoute } from './exabgp.ts';
export { pollUntil } from './types.ts';
export type {
  BfdPeerConfig,
  BfdPeerState,
  BgpDaemon,
  DaemonConfig,
  Family,
  InjectedRoute,
  NeighborConfig,
  PeerRoute,
  PeerSessionState,
} from './types.ts';
