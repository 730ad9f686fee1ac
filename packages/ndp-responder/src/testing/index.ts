// @ironlb/ndp-responder/testing: client-side frames and a recording multicast membership.
export { neighborSolicitationFrame } from './frames.js';
export { RecordingMembership } from './membership.js';
