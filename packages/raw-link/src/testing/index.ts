// @ironlb/raw-link/testing: fakes for tests without root (DESIGN.md §3).
export { ManualClock } from '@ironlb/clock/testing';
export { FakeLink, FakeSegment } from './fake-link.js';
export type { SegmentFrame } from './fake-link.js';
export { hexToBytes, bytesToHex } from './hex.js';
export { serveResponderOverStdio } from './line-harness.js';
