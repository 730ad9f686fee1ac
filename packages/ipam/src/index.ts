// @ironlb/ipam public API. Named re-exports only (DESIGN.md §3).
export { IPAM_VERSION } from './version.js';
