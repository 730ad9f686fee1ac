// The lean self-signed certificate: OpenSSL (node:crypto's X509Certificate) parses it, its
// signature verifies with its own key, it names the hosts, and a TLS server serves it.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { createServer } from 'node:https';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { selfSignedServingCert } from '../../src/kube/self-signed.js';

describe('selfSignedServingCert', () => {
  it('is a valid self-signed X.509 v3 certificate for the hosts', () => {
    const now = Date.UTC(2026, 11, 2, 6, 0, 0);
    const { cert, key } = selfSignedServingCert(['node-1', 'localhost'], now);
    const x = new X509Certificate(cert);
    expect(x.subject).toBe('CN=node-1');
    expect(x.issuer).toBe('CN=node-1');
    expect(x.subjectAltName).toBe('DNS:node-1, DNS:localhost');
    expect(x.ca).toBe(false);
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.checkPrivateKey(createPrivateKey(key))).toBe(true);
    expect(Date.parse(x.validFrom)).toBeLessThanOrEqual(now);
    expect(Date.parse(x.validTo)).toBeGreaterThan(now + 364 * 86_400_000);
    expect(x.serialNumber).not.toBe(
      new X509Certificate(selfSignedServingCert(['n'], now).cert).serialNumber,
    );
  });

  it('dates past 2049 are GeneralizedTime', () => {
    const x = new X509Certificate(selfSignedServingCert(['n'], Date.UTC(2060, 0, 1)).cert);
    expect(Date.parse(x.validTo)).toBeGreaterThan(Date.UTC(2060, 11, 1));
    expect(Date.parse(x.validFrom)).toBeLessThan(Date.UTC(2060, 0, 1));
  });

  it('an HTTPS server serves it (TLS 1.3)', async () => {
    const { cert, key } = selfSignedServingCert(['localhost'], Date.now());
    const server = createServer({ cert, key, minVersion: 'TLSv1.3' }, (_q, r) => r.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/', ca: cert, servername: 'localhost' },
        (res) => {
          let b = '';
          res.on('data', (d: Buffer) => (b += d.toString()));
          res.on('end', () => resolve(b));
        },
      );
      req.on('error', reject);
      req.end();
    });
    server.close();
    expect(body).toBe('ok');
  });
});
