// @ironlb/arp-responder/testing: helpers to build the frames a client would send.
export { arpRequestFrame } from './frames.js';
