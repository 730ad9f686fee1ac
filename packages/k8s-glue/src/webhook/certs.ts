// Self-signed CA and webhook serving certificate (what MetalLB gets from cert-controller):
// generated with @peculiar/x509 on Node's WebCrypto, inspected with node:crypto. Pure apart
// from randomness; the clock is passed in.
// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the Reflect
// metadata API installed first.
import 'reflect-metadata';
import { X509Certificate, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { K8sGlueError } from '../errors.js';

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
const crypto = webcrypto;
// @peculiar/x509's typings name the DOM's Crypto; Node's webcrypto is that object.
const provider = webcrypto as never;

export interface KeyPairPem {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface CertBundle {
  readonly ca: KeyPairPem;
  readonly serving: KeyPairPem;
  /** PEM CAs the API server should trust: the current CA, plus the previous one while it lives. */
  readonly caBundlePem: string;
}

// PEM blocks end with a newline so that bundles can be concatenated.
const withNewline = (pem: string) => (pem.endsWith('\n') ? pem : `${pem}\n`);

async function exportKey(k: CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey('pkcs8', k);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

function serial(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[0] = (b[0] as number) & 0x7f; // positive INTEGER
  return Buffer.from(b).toString('hex');
}

export async function generateCa(
  commonName: string,
  nowMs: number,
  validityMs: number,
): Promise<KeyPairPem> {
  const keys = (await crypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serial(),
      name: `CN=${commonName}`,
      notBefore: new Date(nowMs - 60_000),
      notAfter: new Date(nowMs + validityMs),
      keys: keys as never,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as never, false, provider),
      ],
    },
    provider,
  );
  return {
    certPem: withNewline(cert.toString('pem')),
    keyPem: withNewline(await exportKey(keys.privateKey)),
  };
}

async function importKey(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(pem);
  return crypto.subtle.importKey('pkcs8', der, ALG, true, ['sign']);
}

export async function issueServingCert(
  ca: KeyPairPem,
  dnsNames: readonly string[],
  nowMs: number,
  validityMs: number,
): Promise<KeyPairPem> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const keys = (await crypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: serial(),
      subject: `CN=${dnsNames[0] ?? 'localhost'}`,
      issuer: caCert.subject,
      notBefore: new Date(nowMs - 60_000),
      notAfter: new Date(nowMs + validityMs),
      signingKey: (await importKey(ca.keyPem)) as never,
      publicKey: keys.publicKey as never,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
          true,
        ),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(
          dnsNames.map((d) =>
            /^[0-9.]+$|:/.test(d)
              ? { type: 'ip' as const, value: d }
              : { type: 'dns' as const, value: d },
          ),
        ),
        await x509.AuthorityKeyIdentifierExtension.create(caCert, false, provider),
      ],
    },
    provider,
  );
  return {
    certPem: withNewline(cert.toString('pem')),
    keyPem: withNewline(await exportKey(keys.privateKey)),
  };
}

export type BundleVerdict = 'ok' | 'renew-serving' | 'renew-all';

/**
 * What to do with a stored bundle: keep it, re-issue the serving certificate (expiring soon,
 * wrong names, not signed by the CA) or start over with a new CA (CA expiring soon or broken).
 */
export function inspectBundle(
  b: { ca?: KeyPairPem; serving?: KeyPairPem } | undefined,
  dnsNames: readonly string[],
  nowMs: number,
  refreshBeforeMs: number,
): BundleVerdict {
  if (!b?.ca || !b.serving) return 'renew-all';
  let ca: X509Certificate;
  try {
    ca = new X509Certificate(b.ca.certPem);
  } catch {
    return 'renew-all';
  }
  if (Date.parse(ca.validTo) - nowMs < refreshBeforeMs || !ca.ca) return 'renew-all';
  try {
    const leaf = new X509Certificate(b.serving.certPem);
    if (!leaf.verify(ca.publicKey)) return 'renew-serving';
    if (Date.parse(leaf.validTo) - nowMs < refreshBeforeMs) return 'renew-serving';
    if (Date.parse(leaf.validFrom) > nowMs + 60_000) return 'renew-serving';
    for (const d of dnsNames) if (!leaf.checkHost(d) && !leaf.checkIP(d)) return 'renew-serving';
  } catch {
    return 'renew-serving';
  }
  return 'ok';
}

/** Expiry of a PEM certificate in ms since the epoch. */
export function certificateNotAfterMs(pem: string): number {
  try {
    return Date.parse(new X509Certificate(pem).validTo);
  } catch (cause) {
    throw new K8sGlueError('CERTIFICATE_ERROR', 'unparsable certificate', { cause });
  }
}
