// Request bodies: size limit, media type (415 for anything kube-apiserver would not decode, e.g.
// text/plain or XML), JSON/YAML/protobuf decoding, and a nesting-depth limit so a hostile body
// (JSON nested thousands deep) is a 400 instead of a stack overflow in a recursive walk later
// (issue 14).
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError, badRequest } from '../errors.ts';
import { decodeProtobufObject, PROTOBUF_MEDIA_TYPE } from '../wire/protobuf.ts';

/** Deepest nesting of objects/arrays accepted in a body (Kubernetes objects nest < 100 deep). */
export const MAX_BODY_DEPTH = 1000;

export const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
] as const;

const OBJECT_TYPES = ['application/json', 'application/yaml', PROTOBUF_MEDIA_TYPE];

export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function unsupported(ct: string, accepted: readonly string[]): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    {
      causes: [
        { reason: 'FieldValueNotSupported', message: ct || '(none)', field: 'Content-Type' },
      ],
    } as never,
  );
}

/** Throws 400 when `v` nests deeper than `limit` (iterative: no recursion on hostile input). */
export function checkDepth(v: unknown, limit = MAX_BODY_DEPTH): void {
  const stack: [unknown, number][] = [[v, 1]];
  while (stack.length) {
    const [x, d] = stack.pop() as [unknown, number];
    if (x === null || typeof x !== 'object') continue;
    if (d > limit)
      throw badRequest(
        `the body of the request was in an unknown format: nesting exceeds the maximum depth of ${limit}`,
      );
    for (const c of Array.isArray(x) ? x : Object.values(x)) stack.push([c, d + 1]);
  }
}

async function readRaw(req: IncomingMessage, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > max)
      throw new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${max}`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads and decodes a body. `kind` says what the verb accepts: an object (POST/PUT), a patch
 * (PATCH: the patch media types) or delete options (DELETE: JSON/YAML/protobuf).
 */
export async function readBody(
  req: IncomingMessage,
  max: number,
  kind: 'object' | 'patch' | 'options',
): Promise<unknown> {
  const raw = await readRaw(req, max);
  if (raw.length === 0 || (raw.length < 64 && raw.toString('utf8').trim() === '')) return undefined;
  const given = mediaType(req.headers['content-type']);
  // client-node and curl users sometimes omit the header: JSON, as kube-apiserver assumes.
  const ct = given === '' ? (kind === 'patch' ? '' : 'application/json') : given;
  const accepted: readonly string[] = kind === 'patch' ? PATCH_TYPES : OBJECT_TYPES;
  if (!accepted.includes(ct)) throw unsupported(ct, accepted);
  let v: unknown;
  if (ct === PROTOBUF_MEDIA_TYPE) {
    v = await decodeProtobufObject(raw);
  } else {
    const text = raw.toString('utf8');
    try {
      v = ct.endsWith('yaml')
        ? (parseYaml(text, { maxAliasCount: 100 }) as unknown)
        : JSON.parse(text);
    } catch (e) {
      throw badRequest(`the body of the request was in an unknown format: ${(e as Error).message}`);
    }
  }
  checkDepth(v);
  return v;
}
