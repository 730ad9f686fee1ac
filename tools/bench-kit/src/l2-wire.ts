// Classifying captured frames for the responder benches (pure, no I/O).

/** What one packet of a capture is, for pairing: a request or a reply, and for which target. */
export type WireKind = { kind: 'request' | 'reply'; key: string } | undefined;

/** The UDP port of the Node echo anchor (./udp-echo.ts). */
export const UDP_ECHO_PORT = 9009;
/** The key under which the UDP echo anchor's exchanges are paired. */
export const UDP_ECHO_KEY = 'node-udp-echo';

/** A datagram to the UDP echo anchor (request) or from it (reply), over IPv4 or IPv6. */
export function classifyUdpEcho(frame: Uint8Array): WireKind {
  const type = ((frame[12] ?? 0) << 8) | (frame[13] ?? 0);
  let udp: number;
  if (type === 0x0800 && frame[23] === 17) udp = 14 + ((frame[14] ?? 0) & 0x0f) * 4;
  else if (type === 0x86dd && frame[20] === 17) udp = 54;
  else return undefined;
  const sport = ((frame[udp] ?? 0) << 8) | (frame[udp + 1] ?? 0);
  const dport = ((frame[udp + 2] ?? 0) << 8) | (frame[udp + 3] ?? 0);
  if (dport === UDP_ECHO_PORT) return { kind: 'request', key: UDP_ECHO_KEY };
  if (sport === UDP_ECHO_PORT) return { kind: 'reply', key: UDP_ECHO_KEY };
  return undefined;
}
