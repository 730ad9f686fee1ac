// Cluster-IP and NodePort allocators (pkg/registry/core/service/ipallocator and portallocator).
// The real ones pick at random; these pick the next free value after the last one (wrapping
// around), so tests are reproducible and freed values are not reused at once.
import ipaddr from 'ipaddr.js';

export type IPFamily = 'IPv4' | 'IPv6';

function toBig(addr: ipaddr.IPv4 | ipaddr.IPv6): bigint {
  let n = 0n;
  for (const b of addr.toByteArray()) n = (n << 8n) | BigInt(b);
  return n;
}

function fromBig(n: bigint, family: IPFamily): string {
  const len = family === 'IPv4' ? 4 : 16;
  const bytes: number[] = [];
  for (let i = 0; i < len; i++) {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  }
  return ipaddr.fromByteArray(bytes).toString();
}

export class CidrAllocator {
  readonly family: IPFamily;
  readonly cidr: string;
  private readonly first: bigint;
  private readonly size: bigint;
  private readonly used = new Set<string>();
  private next = 1n;

  constructor(cidr: string) {
    const [addr, bits] = ipaddr.parseCIDR(cidr);
    this.family = addr.kind() === 'ipv4' ? 'IPv4' : 'IPv6';
    const total = this.family === 'IPv4' ? 32 : 128;
    const base = toBig(addr) & ~((1n << BigInt(total - bits)) - 1n);
    this.first = base;
    this.size = 1n << BigInt(total - bits);
    this.cidr = `${fromBig(base, this.family)}/${bits}`;
  }

  /** Canonical text of an address, or undefined if it is not an address of this family. */
  normalize(ip: string): string | undefined {
    if (!ipaddr.isValid(ip)) return undefined;
    const a = ipaddr.parse(ip);
    if ((a.kind() === 'ipv4') !== (this.family === 'IPv4')) return undefined;
    return a.toString();
  }

  /** Whether `ip` is a usable service address of the range (not network/broadcast). */
  contains(ip: string): boolean {
    const n = toBig(ipaddr.parse(ip));
    const off = n - this.first;
    const lastUsable = this.family === 'IPv4' ? this.size - 2n : this.size - 1n;
    return off >= 1n && off <= lastUsable;
  }

  isAllocated(ip: string): boolean {
    return this.used.has(ip);
  }

  allocate(ip: string): void {
    this.used.add(ip);
  }

  allocateNext(): string | undefined {
    const lastUsable = this.family === 'IPv4' ? this.size - 2n : this.size - 1n;
    for (let tries = 0n; tries < lastUsable; tries++) {
      const off = this.next;
      this.next = this.next >= lastUsable ? 1n : this.next + 1n;
      const ip = fromBig(this.first + off, this.family);
      if (!this.used.has(ip)) {
        this.used.add(ip);
        return ip;
      }
    }
    return undefined;
  }

  release(ip: string): void {
    this.used.delete(ip);
  }
}

export class PortAllocator {
  readonly min: number;
  readonly max: number;
  private readonly used = new Set<number>();
  private next: number;

  constructor(range: string) {
    const m = /^(\d+)-(\d+)$/.exec(range);
    if (!m) throw new Error(`invalid port range ${range}`);
    this.min = Number(m[1]);
    this.max = Number(m[2]);
    this.next = this.min;
  }

  inRange(p: number): boolean {
    return p >= this.min && p <= this.max;
  }

  isAllocated(p: number): boolean {
    return this.used.has(p);
  }

  allocate(p: number): void {
    this.used.add(p);
  }

  allocateNext(): number | undefined {
    for (let i = 0; i <= this.max - this.min; i++) {
      const p = this.next;
      this.next = this.next >= this.max ? this.min : this.next + 1;
      if (!this.used.has(p)) {
        this.used.add(p);
        return p;
      }
    }
    return undefined;
  }

  release(p: number): void {
    this.used.delete(p);
  }
}
