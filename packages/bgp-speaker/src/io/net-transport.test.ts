// The node:net transport's listener must survive errors reported after it is listening (EMFILE on
// accept): an 'error' event with no listener would throw and end the process.
import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { netTransport } from './net-transport.js';

describe('netTransport.listen', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('reports a server error after listening instead of crashing, and keeps accepting', async () => {
    const spy = vi.spyOn(net, 'createServer');
    const errors: string[] = [];
    const l = await netTransport.listen(
      { host: '127.0.0.1', port: 0 },
      (s) => s.end(),
      (r) => errors.push(r),
    );
    const server = spy.mock.results[0]?.value as net.Server;
    try {
      const emfile = Object.assign(new Error('accept EMFILE'), { code: 'EMFILE' });
      expect(() => server.emit('error', emfile)).not.toThrow();
      expect(errors).toEqual(['EMFILE']);
      expect(server.listening).toBe(true);
    } finally {
      await l.close();
    }
  });

  it('a listen failure still rejects', async () => {
    const first = await netTransport.listen({ host: '127.0.0.1', port: 0 }, () => undefined);
    try {
      await expect(
        netTransport.listen({ host: '127.0.0.1', port: first.port }, () => undefined),
      ).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await first.close();
    }
  });
});
