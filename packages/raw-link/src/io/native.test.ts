// The native piece is optional (issue 12): a missing or broken koffi becomes RawLinkError
// NATIVE_UNAVAILABLE with a message that says how to fix it, never a raw loader error.
import { describe, expect, it } from 'vitest';
import { RawLinkError } from '../errors.js';
import { loadLibc } from './native.js';
import { openPacketLink } from './packet-link.js';

const failing = (code: string, message: string) => () => {
  throw Object.assign(new Error(message), { code });
};

describe('loading the native piece', () => {
  it('turns a missing koffi (optional dependency skipped) into NATIVE_UNAVAILABLE with the fix', () => {
    let err: unknown;
    try {
      loadLibc(failing('MODULE_NOT_FOUND', "Cannot find module 'koffi'"));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RawLinkError);
    expect(err).toMatchObject({
      code: 'NATIVE_UNAVAILABLE',
      details: { causeCode: 'MODULE_NOT_FOUND' },
    });
    const message = (err as Error).message;
    for (const hint of [
      'npm install koffi',
      'npm rebuild koffi',
      'build-essential',
      'cmake',
      'No libpcap',
    ])
      expect(message).toContain(hint);
  });

  it('turns a binary that does not load (ERR_DLOPEN_FAILED) into the same typed error, keeping the cause', () => {
    const cause = 'libstdc++.so.6: version GLIBCXX_3.4.32 not found';
    let err: unknown;
    try {
      loadLibc(failing('ERR_DLOPEN_FAILED', cause));
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ name: 'RawLinkError', code: 'NATIVE_UNAVAILABLE' });
    expect((err as Error).message).toContain('ERR_DLOPEN_FAILED');
    expect(((err as Error).cause as Error).message).toBe(cause);
  });

  it('reports an unknown interface before touching the native piece', () => {
    expect(() => openPacketLink('nosuch0', { etherType: 0x0806, filter: [] })).toThrow(
      expect.objectContaining({ name: 'RawLinkError', code: 'NO_SUCH_INTERFACE' }),
    );
  });
});
