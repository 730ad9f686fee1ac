// Which patch types a resource accepts and applying them (the real server: JSON patch and merge
// patch for everything, strategic merge patch for built-in kinds only, server-side apply — not here).
import { ApiError } from '../errors.ts';
import type { Json } from '../schema/structural.ts';
import { jsonPatch, mergePatch, strategicMergePatch } from '../util/patch.ts';

export function applyPatch(
  cur: Json,
  contentType: string,
  patch: unknown,
  isCustom: boolean,
): Json {
  let next: Json;
  switch (contentType) {
    case 'application/merge-patch+json':
      next = mergePatch(cur, patch as Json);
      break;
    case 'application/json-patch+json':
      next = jsonPatch(cur, patch);
      break;
    case 'application/strategic-merge-patch+json':
      if (isCustom)
        throw new ApiError(
          415,
          'UnsupportedMediaType',
          'strategic merge patch is not supported for custom resources: use application/merge-patch+json or application/json-patch+json',
        );
      next = strategicMergePatch(cur, patch as Json);
      break;
    case 'application/apply-patch+cbor':
      throw new ApiError(
        415,
        'UnsupportedMediaType',
        'server-side apply with CBOR bodies is not supported by this test API server: send application/apply-patch+yaml',
      );
    default:
      throw new ApiError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json${!isCustom ? ', application/strategic-merge-patch+json' : ''}`,
      );
  }
  return next;
}
