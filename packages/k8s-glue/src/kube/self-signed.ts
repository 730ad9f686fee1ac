// A self-signed serving certificate for a metrics endpoint, made with node:crypto alone: an ECDSA
// P-256 key and an X.509 v3 certificate encoded here in DER (RFC 5280 §4.1). MetalLB's processes
// generate one in memory when no --metrics-cert-dir is given; so does the speaker — without
// loading @peculiar/x509 and its ASN.1 stack, ~15 MiB of resident memory that a process on every
// node should not pay for one certificate (issue 17's budget). The controller, which needs a real
// CA for its webhooks, keeps using webhook/certs.ts.
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';

// ---------------------------------------------------------------- DER (X.690)

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const tlv = (tag: number, ...content: Buffer[]) => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
};
const seq = (...c: Buffer[]) => tlv(0x30, ...c);
const set = (...c: Buffer[]) => tlv(0x31, ...c);
const explicit = (n: number, ...c: Buffer[]) => tlv(0xa0 | n, ...c);
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
const octets = (b: Buffer) => tlv(0x04, b);
const bits = (b: Buffer) => tlv(0x03, Buffer.from([0]), b);
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));

function oid(text: string): Buffer {
  const parts = text.split('.').map(Number);
  const out: number[] = [40 * (parts[0] as number) + (parts[1] as number)];
  for (const p of parts.slice(2)) {
    const b: number[] = [p & 0x7f];
    for (let v = p >>> 7; v > 0; v >>>= 7) b.unshift(0x80 | (v & 0x7f));
    out.push(...b);
  }
  return tlv(0x06, Buffer.from(out));
}

/** A positive INTEGER from big-endian bytes (a leading 0 when the top bit is set). */
function integer(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0 && ((b[i + 1] as number) & 0x80) === 0) i++;
  const v = b.subarray(i);
  return tlv(0x02, (v[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
}

/** UTCTime until 2049, GeneralizedTime after (RFC 5280 §4.1.2.5). */
function time(ms: number): Buffer {
  const d = new Date(Math.floor(ms / 1000) * 1000).toISOString(); // 2026-12-02T06:00:00.000Z
  const y = Number(d.slice(0, 4));
  const rest = `${d.slice(5, 7)}${d.slice(8, 10)}${d.slice(11, 13)}${d.slice(14, 16)}${d.slice(17, 19)}Z`;
  return y < 2050
    ? tlv(0x17, Buffer.from(`${d.slice(2, 4)}${rest}`))
    : tlv(0x18, Buffer.from(`${y}${rest}`));
}

const name = (cn: string) => seq(set(seq(oid('2.5.4.3'), utf8(cn))));
const ext = (id: string, critical: boolean, value: Buffer) =>
  seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));

const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

function pem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END ${label}-----\n`;
}

/**
 * A self-signed ECDSA P-256 serving certificate for `dnsNames` (the first is also the subject's
 * common name), valid from `nowMs` for `validMs`. PEM certificate and PKCS#8 key.
 */
export function selfSignedServingCert(
  dnsNames: readonly string[],
  nowMs: number,
  validMs = 365 * 86_400_000,
): { cert: string; key: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const serial = randomBytes(16);
  serial[0] = (serial[0] as number) & 0x7f;
  const subject = name(dnsNames[0] ?? 'localhost');
  const san = seq(...dnsNames.map((d) => tlv(0x82, Buffer.from(d, 'ascii'))));
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(serial),
    ECDSA_SHA256,
    subject,
    seq(time(nowMs - 60_000), time(nowMs + validMs)),
    subject,
    spki,
    explicit(
      3,
      seq(
        ext('2.5.29.19', true, seq()), // basicConstraints: not a CA
        // keyUsage: digitalSignature (a named bit list: trailing zero bits dropped, 7 unused).
        ext('2.5.29.15', true, tlv(0x03, Buffer.from([0x07, 0x80]))),
        ext('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))), // extKeyUsage: serverAuth
        ext('2.5.29.17', false, san), // subjectAltName
      ),
    ),
  );
  const signature = sign('sha256', tbs, { key: privateKey, dsaEncoding: 'der' });
  const cert = seq(tbs, ECDSA_SHA256, bits(signature));
  return {
    cert: pem('CERTIFICATE', cert),
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}
