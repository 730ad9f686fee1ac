import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Netns } from './netns.ts';
import type { NsProcess } from './process.ts';
import { parsePcap, type CapturedPacket } from './pcap.ts';
import { KIT_PREFIX } from './sweep.ts';

/** A tcpdump capture inside a namespace, written to a pcap file and parsed on stop. */
export class Tcpdump {
  private readonly proc: NsProcess;
  private readonly dir: string;
  readonly file: string;

  private constructor(proc: NsProcess, dir: string, file: string) {
    this.proc = proc;
    this.dir = dir;
    this.file = file;
  }

  /**
   * Starts capturing on `iface` with a BPF `filter` ('' for everything) and resolves once tcpdump
   * is listening, so nothing sent after this returns is missed.
   */
  static async start(ns: Netns, iface: string, filter = ''): Promise<Tcpdump> {
    const dir = mkdtempSync(join(tmpdir(), `${KIT_PREFIX}-${process.pid}-pcap-`));
    const file = join(dir, 'capture.pcap');
    const argv = ['tcpdump', '-i', iface, '-n', '-U', '--immediate-mode', '-s', '0', '-w', file];
    if (filter) argv.push(...filter.split(/\s+/).filter(Boolean));
    const proc = ns.spawn(argv);
    await proc.waitForLine(/listening on/, 10_000, { stderr: true });
    return new Tcpdump(proc, dir, file);
  }

  /** Stops the capture and returns every packet in order. */
  async stop(): Promise<CapturedPacket[]> {
    this.proc.kill('SIGINT');
    await this.proc.waitForExit(10_000).catch(() => this.proc.kill('SIGKILL'));
    let packets: CapturedPacket[] = [];
    try {
      packets = parsePcap(readFileSync(this.file)).packets;
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
    return packets;
  }
}
