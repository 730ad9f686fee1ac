// @ironlb/l2-announcer public API. Named re-exports only (DESIGN.md §3).
export { L2AnnouncerError, L2AnnouncerErrorCode } from './errors.js';
export type { L2AnnouncerDeps } from './deps.js';
export type { L2AnnouncerEvent, L2AnnouncerEventType } from './events.js';
export { planInterfaces, wantedInterfaces } from './machine/plan.js';
export type { Claim, Claims, InterfacePlan } from './machine/plan.js';
export { createL2Announcer } from './io/announcer.js';
export type {
  AddressStatus,
  AnnounceOptions,
  DrainResult,
  L2Announcer,
  L2AnnouncerOptions,
} from './io/announcer.js';
// What a user of the announcer meets without importing the lower layers.
export { DEFAULT_INTERFACE_EXCLUDES, RawLinkError, RawLinkErrorCode } from '@ironlb/raw-link';
export type { EligibleInterface, L2Counters, L2Event, L2Responder } from '@ironlb/raw-link';
