// Writing answers: JSON (or another media type) with Content-Length, `Warning: 299` headers as
// kube-apiserver sends them, and Status bodies for errors.
import type { ServerResponse } from 'node:http';
import { ApiError } from '../errors.ts';

export function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  warnings: string[] = [],
  contentType = 'application/json',
): void {
  const data = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  // Content-Length (not chunked) lets Node send headers and body in one write.
  const headers: Record<string, string | string[] | number> = {
    'Content-Type': contentType,
    'Cache-Control': 'no-cache, private',
    'Content-Length': Buffer.byteLength(data),
  };
  if (warnings.length) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(status, headers);
  res.end(data);
}

export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  // A RangeError (stack) or TypeError here is a bug or an unbounded input: still a Status body.
  return new ApiError(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`);
}

export function sendError(res: ServerResponse, e: unknown): void {
  const err = toApiError(e);
  if (res.headersSent) {
    res.end();
    return;
  }
  send(res, err.status, err.toStatus());
}
