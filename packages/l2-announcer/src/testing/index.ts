// @ironlb/l2-announcer/testing: what a test of code that drives an announcer needs, without root
// and from this package alone — in-memory segments, a manual clock, recording multicast
// membership, client frames, and in-memory logger and metrics.
export { FakeLink, FakeSegment } from '@ironlb/raw-link/testing';
export type { SegmentFrame } from '@ironlb/raw-link/testing';
export { IfFlag } from '@ironlb/raw-link';
export type { InterfaceInfo, LinkOpener } from '@ironlb/raw-link';
export { arpRequestFrame } from '@ironlb/arp-responder/testing';
export { RecordingMembership, neighborSolicitationFrame } from '@ironlb/ndp-responder/testing';
export { ManualClock, MemoryLogger, MemoryMetrics } from '@ironlb/clock/testing';
export { announcementFrame } from './frames.js';
