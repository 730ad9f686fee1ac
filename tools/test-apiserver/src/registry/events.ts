// events.k8s.io/v1 Events are the same objects as core/v1 Events with renamed fields
// (pkg/apis/events/v1/conversion.go): stored once, in core/v1 form, and converted per request,
// so an event written through one API is readable (and watchable) through the other.
import { invalidValue, notSupported, required, type StatusCause } from '../errors.ts';
import { isObject } from '../schema/structural.ts';
import type { KubeObject } from './types.ts';

const RENAMES: [string, string][] = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];

export function eventsV1ToCore(o: KubeObject): KubeObject {
  const out = { ...o, apiVersion: 'v1' } as KubeObject;
  for (const [v1, core] of RENAMES) {
    if (v1 in out) {
      out[core] = out[v1] as never;
      delete out[v1];
    }
  }
  return out;
}

export function eventsV1FromCore(o: KubeObject): KubeObject {
  const out = { ...o, apiVersion: 'events.k8s.io/v1' } as KubeObject;
  for (const [v1, core] of RENAMES) {
    if (core in out) {
      out[v1] = out[core] as never;
      delete out[core];
    }
  }
  return out;
}

/** ValidateEventCreate for events.k8s.io/v1 (on the events.k8s.io/v1 form of the request). */
export function validateEventsV1(o: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  if (o.eventTime === undefined || o.eventTime === null) out.push(required('eventTime'));
  if (typeof o.reportingController !== 'string' || o.reportingController === '')
    out.push(required('reportingController'));
  if (typeof o.reportingInstance !== 'string' || o.reportingInstance === '')
    out.push(required('reportingInstance'));
  if (typeof o.action !== 'string' || o.action === '') out.push(required('action'));
  if (typeof o.reason !== 'string' || o.reason === '') out.push(required('reason'));
  if (!['Normal', 'Warning'].includes(String(o.type)))
    out.push(notSupported('type', o.type ?? '', ['Normal', 'Warning']));
  if (typeof o.note === 'string' && o.note.length > 1024)
    out.push({
      reason: 'FieldValueTooLong',
      message: 'Too long: may not be more than 1024 bytes',
      field: 'note',
    });
  const inv = isObject(o.regarding) ? o.regarding : undefined;
  if (
    inv &&
    typeof inv.namespace === 'string' &&
    inv.namespace !== '' &&
    inv.namespace !== o.metadata.namespace
  )
    out.push(invalidValue('regarding.namespace', inv.namespace, 'does not match event.namespace'));
  return out;
}
