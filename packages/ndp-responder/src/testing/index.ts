// @ironlb/ndp-responder/testing: client-side frames, a recording multicast membership, and the
// fakes to run a responder without root (re-exported, so an NDP user's tests import only this
// package).
export { neighborSolicitationFrame } from './frames.js';
export { RecordingMembership } from './membership.js';
export { FakeLink, FakeSegment } from '@ironlb/raw-link/testing';
export type { SegmentFrame } from '@ironlb/raw-link/testing';
export { ManualClock, MemoryLogger, MemoryMetrics } from '@ironlb/clock/testing';
