// DeleteOptions as kube-apiserver reads them: from the body (JSON/YAML/protobuf) and from query
// parameters (`propagationPolicy`, `gracePeriodSeconds`, `orphanDependents` — kubectl and
// client-go use both), validated like ValidateDeleteOptions. The normalised options travel on to
// the delete flow (delete.ts), where the garbage collector reads `propagationPolicy`.
import { badRequest, invalid, notSupported, type StatusCause } from '../errors.ts';
import { isObject, type JsonObject } from '../schema/structural.ts';

export const PROPAGATION_POLICIES = ['Foreground', 'Background', 'Orphan'] as const;
export type PropagationPolicy = (typeof PROPAGATION_POLICIES)[number];

export function deleteOptions(body: unknown, p: URLSearchParams): JsonObject {
  if (body !== undefined && body !== null && !isObject(body))
    throw badRequest(
      'the body of the request was in an unknown format: DeleteOptions must be an object',
    );
  const o: JsonObject = isObject(body) ? structuredClone(body) : {};
  const pp = p.get('propagationPolicy');
  if (pp !== null) o.propagationPolicy = pp;
  const gp = p.get('gracePeriodSeconds');
  if (gp !== null) {
    const n = Number(gp);
    if (!Number.isInteger(n)) throw badRequest(`gracePeriodSeconds: invalid value "${gp}"`);
    o.gracePeriodSeconds = n;
  }
  const od = p.get('orphanDependents');
  if (od !== null) o.orphanDependents = od === 'true' || od === '1';
  const causes: StatusCause[] = [];
  if (o.propagationPolicy !== undefined && o.propagationPolicy !== null) {
    if (!PROPAGATION_POLICIES.includes(o.propagationPolicy as PropagationPolicy))
      causes.push(notSupported('propagationPolicy', o.propagationPolicy, PROPAGATION_POLICIES));
    if (o.orphanDependents !== undefined && o.orphanDependents !== null)
      causes.push({
        reason: 'FieldValueInvalid',
        message:
          'Invalid value: "orphanDependents": orphanDependents and deletionPropagation cannot be both set',
        field: 'orphanDependents',
      });
  }
  if (typeof o.gracePeriodSeconds === 'number' && o.gracePeriodSeconds < 0)
    o.gracePeriodSeconds = 1; // the registry turns negative grace periods into 1
  if (causes.length) throw invalid('DeleteOptions', '', '', causes);
  return o;
}
