// @ironlb/arp-responder/testing: frames a client would send, and the fakes to run a responder
// without root (re-exported, so an ARP user's tests import only this package).
export { arpRequestFrame } from './frames.js';
export { FakeLink, FakeSegment } from '@ironlb/raw-link/testing';
export type { SegmentFrame } from '@ironlb/raw-link/testing';
export { ManualClock, MemoryLogger, MemoryMetrics } from '@ironlb/clock/testing';
