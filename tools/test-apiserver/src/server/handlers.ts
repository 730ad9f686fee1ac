// Running a subresource or create-only handler (registry/types.ts SubresourceHandler, `virtual`)
// for the HTTP front: the request it sees, and an abort signal for when the client goes away
// (pods/log?follow=true ends with it).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UserInfo } from '../auth/identity.ts';
import type { HandlerReply, HandlerRequest } from '../registry/types.ts';

export interface HandlerContext {
  req: IncomingMessage;
  res: ServerResponse;
  namespace: string | undefined;
  name: string;
  params: URLSearchParams;
  user: UserInfo;
  dryRun: boolean;
  body(): Promise<unknown>;
}

export async function runHandler(
  handle: (r: HandlerRequest) => Promise<HandlerReply> | HandlerReply,
  c: HandlerContext,
): Promise<HandlerReply> {
  const abort = new AbortController();
  const onClose = () => abort.abort();
  c.res.once('close', onClose);
  try {
    return await handle({
      method: c.req.method ?? 'GET',
      namespace: c.namespace,
      name: c.name,
      params: c.params,
      user: c.user,
      dryRun: c.dryRun,
      body: c.body,
      res: c.res,
      signal: abort.signal,
    });
  } finally {
    if (c.res.writableEnded) c.res.off('close', onClose);
  }
}
