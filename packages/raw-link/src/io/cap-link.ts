import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseMac } from '../codec/mac.js';
import { RawLinkError, RawLinkErrorCode } from '../errors.js';
import type { Link, LinkOpenOptions } from '../link.js';

interface CapHandle {
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
  send(buffer: Buffer, length: number): void;
  close(): boolean;
  on(event: 'packet', cb: (nbytes: number, truncated: boolean) => void): void;
  removeAllListeners(event?: string): void;
}
interface CapModule {
  Cap: new () => CapHandle;
}

let capModule: CapModule | undefined;
function loadCap(): CapModule {
  // cap is a CommonJS native addon; load it lazily so pure users of this package never need it.
  capModule ??= createRequire(import.meta.url)('cap') as CapModule;
  return capModule;
}

const LIBPCAP_DIRS = [
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/lib64',
  '/usr/lib',
  '/lib',
];

/**
 * Whether cap can switch libpcap to immediate mode. cap's binding (src/binding.cc) calls
 * pcap_set_immediate_mode only if `dlopen("libpcap.so")` finds the unversioned name, which on
 * Debian ships in libpcap-dev. Without it, TPACKET_V3 hands frames over only when a ring block fills
 * or cap's fixed pcap_set_timeout(1000 ms) expires: replies would be late by up to a second.
 */
export function capImmediateModeAvailable(): boolean {
  return LIBPCAP_DIRS.some((d) => existsSync(`${d}/libpcap.so`));
}

/** Reads an interface's MAC from sysfs (Linux). Throws RawLinkError NO_SUCH_INTERFACE. */
export function readInterfaceMac(iface: string, sysfsRoot = '/sys/class/net'): Uint8Array {
  if (!/^[^/\s]{1,15}$/.test(iface) || iface === '.' || iface === '..')
    throw new RawLinkError(RawLinkErrorCode.NoSuchInterface, `no such interface: ${iface}`, {
      iface,
    });
  let text: string;
  try {
    text = readFileSync(`${sysfsRoot}/${iface}/address`, 'utf8').trim();
  } catch (cause) {
    throw new RawLinkError(
      RawLinkErrorCode.NoSuchInterface,
      `no such interface: ${iface}`,
      { iface },
      { cause },
    );
  }
  return parseMac(text);
}

/**
 * Opens `iface` through libpcap (cap). Notes on what cap does (node_modules/cap/src/binding.cc):
 * - immediate mode is on when libpcap.so resolves (see {@link capImmediateModeAvailable});
 * - the read timeout is fixed at 1000 ms (only matters without immediate mode);
 * - promiscuous mode is always requested (pcap_set_promisc(1)); cap has no switch for it. The BPF
 *   filter keeps unrelated frames in the kernel, and NDP still joins solicited-node groups so that
 *   delivery never depends on promiscuous mode (see @ironlb/ndp-responder);
 * - the socket is non-blocking and polled by libuv, packets are emitted synchronously.
 * Requires CAP_NET_RAW. Throws RawLinkError NO_SUCH_INTERFACE / OPEN_FAILED.
 */
export function openCapLink(iface: string, options: LinkOpenOptions): Link {
  const mac = readInterfaceMac(iface);
  const { Cap } = loadCap();
  const cap = new Cap();
  const buffer = Buffer.alloc(65535);
  const filter = typeof options.filter === 'function' ? options.filter(mac) : options.filter;
  let linkType: string;
  try {
    linkType = cap.open(iface, filter, options.bufferSizeBytes ?? 4 << 20, buffer);
  } catch (cause) {
    throw new RawLinkError(
      RawLinkErrorCode.OpenFailed,
      `cannot capture on ${iface}: ${(cause as Error).message}`,
      { iface, filter },
      { cause },
    );
  }
  if (linkType !== 'ETHERNET') {
    cap.close();
    throw new RawLinkError(
      RawLinkErrorCode.OpenFailed,
      `${iface} is not an Ethernet link (${linkType})`,
      {
        iface,
        linkType,
      },
    );
  }
  let handler: ((frame: Uint8Array) => void) | undefined;
  let closed = false;
  cap.on('packet', (nbytes) => {
    // cap reuses `buffer` for every packet: hand the handler its own copy.
    if (handler) handler(Uint8Array.prototype.slice.call(buffer, 0, nbytes));
  });
  return {
    name: iface,
    mac,
    send(frame) {
      if (closed)
        throw new RawLinkError(RawLinkErrorCode.SendFailed, `link ${iface} is closed`, { iface });
      const b = Buffer.isBuffer(frame)
        ? frame
        : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
      try {
        cap.send(b, b.length);
      } catch (cause) {
        throw new RawLinkError(
          RawLinkErrorCode.SendFailed,
          `send on ${iface} failed`,
          { iface },
          { cause },
        );
      }
    },
    onFrame(h) {
      handler = h;
    },
    close() {
      if (closed) return;
      closed = true;
      handler = undefined;
      cap.removeAllListeners('packet');
      cap.close();
    },
  };
}
