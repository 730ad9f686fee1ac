// The only native piece of @ironlb/raw-link: libc's socket calls through koffi, a foreign-function
// library that ships prebuilt binaries (no compiler, no headers at install time). Loaded on first
// use, so codecs, machines and fakes work where koffi is missing; a link open then fails with
// RawLinkError NATIVE_UNAVAILABLE saying how to fix it (issue 12).
import { createRequire } from 'node:module';
import { endianness } from 'node:os';
import { RawLinkError, RawLinkErrorCode } from '../errors.js';

/** The subset of koffi's API used here (typed locally: koffi is an optional dependency). */
interface KoffiPollHandle {
  close(): void;
}
interface Koffi {
  load(path: string): { func(signature: string): (...args: unknown[]) => unknown };
  struct(name: string, def: Record<string, string>): unknown;
  pointer(type: unknown): unknown;
  errno(): number;
  view(ptr: unknown, len: number): ArrayBuffer;
  address(ptr: unknown): bigint;
  node: {
    poll(
      fd: number,
      opts: { readable: boolean },
      cb: (ev: { readable: boolean; disconnect: boolean }) => void,
    ): KoffiPollHandle;
  };
}

/** libc functions, bound once. Integers in, integers out; -1 means "see errno()". */
export interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, addr: Uint8Array, len: number): number;
  setsockopt(fd: number, level: number, name: number, value: Uint8Array, len: number): number;
  /** setsockopt with a `struct sock_fprog` (the filter pointer is marshalled by koffi). */
  attachFilter(fd: number, program: Uint8Array, count: number): number;
  getsockopt(fd: number, level: number, name: number, value: Uint8Array, len: Uint32Array): number;
  send(fd: number, buf: Uint8Array, len: number, flags: number): number;
  close(fd: number): number;
  ifNameToIndex(name: string): number;
  /** mmap(NULL, len, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0) as a view, or undefined on failure. */
  mapShared(fd: number, len: number): { view: ArrayBuffer; unmap(): void } | undefined;
  errno(): number;
  poll(fd: number, onReadable: () => void): KoffiPollHandle;
  /** Host byte order, for `struct sock_filter`. */
  readonly littleEndian: boolean;
}

let libc: Libc | undefined;

const HOW_TO_FIX =
  '@ironlb/raw-link opens raw links through koffi, an optional dependency with prebuilt binaries ' +
  'for Linux x64, arm64, arm, ia32, riscv64, loong64 (glibc and musl). Fix: `npm install koffi` ' +
  '(npm skips optional dependencies with --omit=optional or when their install fails), or ' +
  '`npm rebuild koffi` after a Node.js upgrade. Where no prebuilt binary exists koffi compiles ' +
  'itself, which needs a C/C++ compiler and CMake (Debian: `apt-get install build-essential cmake`). ' +
  'No libpcap is needed. Codecs, machines and the ./testing fakes work without koffi.';

const requireFromHere = createRequire(import.meta.url);

/**
 * Binds libc through koffi once. Throws RawLinkError NATIVE_UNAVAILABLE. `load` is how koffi is
 * loaded (tests pass one that fails as a broken install would).
 */
export function loadLibc(load: (id: string) => unknown = requireFromHere): Libc {
  if (libc) return libc;
  if (process.platform !== 'linux')
    throw new RawLinkError(
      RawLinkErrorCode.NativeUnavailable,
      `raw links need Linux AF_PACKET sockets; this is ${process.platform}`,
      { platform: process.platform },
    );
  let koffi: Koffi;
  try {
    koffi = load('koffi') as Koffi;
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    throw new RawLinkError(
      RawLinkErrorCode.NativeUnavailable,
      `cannot load koffi (${code ?? 'error'}: ${(cause as Error).message}). ${HOW_TO_FIX}`,
      { module: 'koffi', causeCode: code },
      { cause },
    );
  }
  try {
    libc = bind(koffi);
  } catch (cause) {
    throw new RawLinkError(
      RawLinkErrorCode.NativeUnavailable,
      `cannot bind libc through koffi: ${(cause as Error).message}. ${HOW_TO_FIX}`,
      { module: 'koffi' },
      { cause },
    );
  }
  return libc;
}

function bind(koffi: Koffi): Libc {
  const c = koffi.load('libc.so.6');
  const fprog = koffi.struct('ironlb_sock_fprog', { len: 'uint16_t', filter: 'void *' });
  const socket = c.func('int socket(int, int, int)');
  const bindFn = c.func('int bind(int, const void *, uint32_t)');
  const setsockopt = c.func('int setsockopt(int, int, int, const void *, uint32_t)');
  const setsockoptProg = (
    c.func as unknown as (...a: unknown[]) => (...args: unknown[]) => unknown
  )('setsockopt', 'int', ['int', 'int', 'int', koffi.pointer(fprog), 'uint32_t']);
  const getsockopt = c.func('int getsockopt(int, int, int, _Inout_ void *, _Inout_ uint32_t *)');
  const send = c.func('intptr_t send(int, const void *, size_t, int)');
  const close = c.func('int close(int)');
  const ifIndex = c.func('unsigned int if_nametoindex(const char *)');
  const mmap = c.func('void *mmap(void *, size_t, int, int, int, intptr_t)');
  const munmap = c.func('int munmap(void *, size_t)');
  const MAP_FAILED = 0xffffffffffffffffn;
  return {
    socket: (d, t, p) => socket(d, t, p) as number,
    bind: (fd, addr, len) => bindFn(fd, addr, len) as number,
    setsockopt: (fd, level, name, value, len) => setsockopt(fd, level, name, value, len) as number,
    attachFilter: (fd, program, count) =>
      setsockoptProg(
        fd,
        1 /* SOL_SOCKET */,
        26 /* SO_ATTACH_FILTER */,
        {
          len: count,
          filter: program,
        },
        16,
      ) as number,
    getsockopt: (fd, level, name, value, len) => getsockopt(fd, level, name, value, len) as number,
    send: (fd, buf, len, flags) => Number(send(fd, buf, len, flags)),
    close: (fd) => close(fd) as number,
    ifNameToIndex: (name) => ifIndex(name) as number,
    mapShared(fd, len) {
      const ptr = mmap(null, len, 3 /* PROT_READ|PROT_WRITE */, 1 /* MAP_SHARED */, fd, 0);
      if (ptr === null || koffi.address(ptr) === MAP_FAILED) return undefined;
      return { view: koffi.view(ptr, len), unmap: () => void munmap(ptr, len) };
    },
    errno: () => koffi.errno(),
    poll: (fd, onReadable) => koffi.node.poll(fd, { readable: true }, () => onReadable()),
    littleEndian: endianness() === 'LE',
  };
}
