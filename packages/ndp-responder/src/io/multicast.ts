import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import type { Logger } from '@ironlb/clock';
import { silentLogger } from '@ironlb/clock';
import { NdpError, NdpErrorCode } from '../errors.js';

/** Joins and leaves IPv6 multicast groups on an interface. */
export interface MulticastMembership {
  join(group: string, iface: string): void;
  leave(group: string, iface: string): void;
  close(): void;
}

/**
 * Group membership through an ordinary, unprivileged UDP/IPv6 socket (IPV6_JOIN_GROUP). The kernel
 * then sends the MLD report and programs the NIC's multicast filter, so Neighbor Solicitations to
 * the solicited-node group reach the interface without promiscuous mode — and switches doing MLD
 * snooping forward them (RFC 4861 §7.2.1; MetalLB ndp.go does the same, reference-counted). The
 * socket never sends or receives datagrams. Reference counting is the caller's job.
 */
export function createUdp6Membership(deps: { logger?: Logger } = {}): MulticastMembership {
  const logger = deps.logger ?? silentLogger;
  let sock: Socket | undefined;
  const socket = () => {
    if (!sock) {
      sock = createSocket({ type: 'udp6', reuseAddr: true });
      sock.on('error', (err) => logger.warn({ err }, 'multicast membership socket error'));
      sock.unref();
    }
    return sock;
  };
  const wrap = (op: 'join' | 'leave', group: string, iface: string, f: () => void) => {
    try {
      f();
    } catch (cause) {
      throw new NdpError(
        NdpErrorCode.Multicast,
        `cannot ${op} ${group} on ${iface}`,
        { group, iface },
        { cause },
      );
    }
  };
  return {
    // libuv binds the socket to [::]:0 on the first membership call (uv__udp_maybe_deferred_bind)
    // and resolves the "%iface" zone to the interface index.
    join: (group, iface) =>
      wrap('join', group, iface, () => socket().addMembership(group, `::%${iface}`)),
    leave: (group, iface) =>
      wrap('leave', group, iface, () => socket().dropMembership(group, `::%${iface}`)),
    close() {
      sock?.close();
      sock = undefined;
    },
  };
}
