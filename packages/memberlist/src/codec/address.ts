/**
 * "host:port" addresses as used on the wire and by the CLI: `198.51.100.1:7946` or
 * `[2001:db8::1]:7946`. Names are not resolved: membership works on literal addresses.
 */
import { isIP } from 'node:net';
import { MemberlistError, MemberlistErrorCode } from '../errors.js';

/** Both IronLB and hashicorp memberlist (MetalLB) default to this port, for TCP and UDP. */
export const DEFAULT_PORT = 7946;

export interface HostPort {
  host: string;
  port: number;
}

/** Parses "host:port"; `allowZeroPort` accepts port 0 (bind to any free port). */
export function parseAddress(text: string, allowZeroPort = false): HostPort {
  const bad = (why: string): never => {
    throw new MemberlistError(MemberlistErrorCode.InvalidAddress, `malformed address: ${why}`, {
      address: text,
    });
  };
  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    if (end < 0 || text[end + 1] !== ':') bad('expected [IPv6]:PORT');
    host = text.slice(1, end);
    portText = text.slice(end + 2);
    if (isIP(host) !== 6) bad('not an IPv6 address');
  } else {
    const i = text.lastIndexOf(':');
    if (i < 0) bad('expected HOST:PORT');
    host = text.slice(0, i);
    portText = text.slice(i + 1);
    if (isIP(host) !== 4) bad('not an IPv4 address');
  }
  if (!/^[0-9]{1,5}$/.test(portText)) bad('port is not a number');
  const port = Number(portText);
  if (port < (allowZeroPort ? 0 : 1) || port > 65535) bad('port out of range');
  return { host, port };
}

export function formatAddress(a: HostPort): string {
  return isIP(a.host) === 6 ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
