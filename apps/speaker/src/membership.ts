// The speaker's memberlist (metallb-behaviour.md §6): one member per node, named after it, bound
// to the node's address (METALLB_ML_BIND_ADDR:METALLB_ML_BIND_PORT), AES-GCM with the key in
// <METALLB_ML_SECRET_KEY_PATH>/secretkey. The key file is watched: when the Secret changes the
// kubelet swaps the file, and the new key is taken without a restart (DESIGN.md §7) in three
// steps, so that nodes whose kubelet updates the file later never lose a packet: accepted at once,
// used to send after `keyRotationGraceMs`, the old one forgotten after `keyRetireMs`.
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import type { Clock, Logger, Metrics, TimerHandle } from '@ironlb/clock';
import {
  Keyring,
  MemberlistError,
  createMemberlist,
  createNetTransport,
  deriveKey,
  formatAddress,
  keyId,
  type Memberlist,
  type MemberlistOptions,
  type Transport,
} from '@ironlb/memberlist';
import { memberlistPortTakenMessage } from '@ironlb/k8s-glue';
import type { MemberChange, MembershipPort } from '@ironlb/k8s-glue/kube';

/** The file in the memberlist Secret's mount (MetalLB's k8s.MLSecretKeyName). */
export const SECRET_KEY_FILE = 'secretkey';

export type MembershipProfile = 'fast' | 'lan' | 'wan';

/**
 * hashicorp/memberlist's DefaultWANConfig timers (config.go), what MetalLB's --ml-wan-config
 * selects, on top of the `lan` profile.
 */
export const WAN_TIMERS: Partial<MemberlistOptions> = {
  tcpTimeoutMs: 30_000,
  suspicionMult: 6,
  pushPullIntervalMs: 60_000,
  probeTimeoutMs: 3_000,
  probeIntervalMs: 5_000,
  gossipNodes: 4,
  gossipIntervalMs: 500,
  gossipToTheDeadTimeMs: 60_000,
};

export interface MembershipDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly random?: () => number;
  /** Reads the key file (default readFileSync). */
  readonly readFile?: (path: string) => Uint8Array;
  /** Watches the key folder (default fs.watch); the poll catches what a watch misses. */
  readonly watchDir?: (dir: string, onChange: () => void) => { close(): void };
  /** Binds the transport (default UDP + TCP through createNetTransport; tests: in memory). */
  readonly transport?: (bindAddr: string) => Promise<Transport>;
}

export interface MembershipOptions {
  /** Member name: the node name. */
  readonly nodeName: string;
  /** IPv4 or IPv6 address to bind and advertise (the node's, METALLB_ML_BIND_ADDR). */
  readonly bindAddr: string;
  readonly bindPort: number;
  /** Folder of the `secretkey` file ('' = plaintext, with a warning, as MetalLB). */
  readonly secretKeyPath: string;
  /** Default fast. */
  readonly profile?: MembershipProfile;
  /** A new key is used to send this long after it was first read (default 120 000 ms). */
  readonly keyRotationGraceMs?: number;
  /** A replaced key still opens packets this long after the new one is first read (default 600 000 ms). */
  readonly keyRetireMs?: number;
  /** The key file is re-read this often besides the watch (default 10 000 ms). */
  readonly keyPollMs?: number;
}

export interface Membership extends MembershipPort {
  readonly memberlist: Memberlist;
  readonly encrypted: boolean;
  /** Key rotations taken from the file so far. */
  readonly keyChanges: number;
  /** Fingerprint of the key sealing now, and how many keys open ('' / 0 without a key). */
  readonly primaryKeyId: string;
  readonly keyCount: number;
}

/** Raised when the memberlist port is taken (another speaker — MetalLB's? — on this node). */
export class MemberlistPortTakenError extends Error {
  readonly code = 'MEMBERLIST_PORT_TAKEN';
  constructor(bindAddr: string, port: number, cause: unknown) {
    // The install contract (deploy/README.md): the coexistence guard's message.
    super(memberlistPortTakenMessage(bindAddr, port), { cause });
    this.name = 'MemberlistPortTakenError';
  }
}

function readSecret(read: (p: string) => Uint8Array, file: string): string {
  // MetalLB reads the file as it is; a trailing newline from `kubectl create secret
  // --from-file` or an editor is not part of the key.
  return Buffer.from(read(file))
    .toString('utf8')
    .replace(/[\r\n]+$/, '');
}

export async function startMembership(
  deps: MembershipDeps,
  options: MembershipOptions,
): Promise<Membership> {
  const { clock, logger } = deps;
  const read = deps.readFile ?? ((p: string) => readFileSync(p));
  const keyFile = options.secretKeyPath ? join(options.secretKeyPath, SECRET_KEY_FILE) : '';
  let secret = '';
  let keyring: Keyring | null = null;
  if (keyFile) {
    try {
      secret = readSecret(read, keyFile);
    } catch (e) {
      throw new Error(`failed to read memberlist secret key file ${keyFile}: ${String(e)}`, {
        cause: e,
      });
    }
    if (secret === '') throw new Error(`memberlist secret key file ${keyFile} is empty`);
    keyring = Keyring.fromSecrets([secret]);
  } else {
    logger.warn(
      { op: 'memberlist' },
      'no memberlist secret key path: memberlist traffic is neither authenticated nor encrypted',
    );
  }
  const bind = formatAddress({ host: options.bindAddr, port: options.bindPort });
  const bindTransport =
    deps.transport ??
    ((bindAddr: string) =>
      createNetTransport({ clock, logger, metrics: deps.metrics }, { bindAddr }));
  const transport = await bindTransport(bind).catch((e: unknown) => {
    if (e instanceof MemberlistError && (e.details as { errno?: string }).errno === 'EADDRINUSE')
      throw new MemberlistPortTakenError(options.bindAddr, options.bindPort, e);
    throw e;
  });
  const profile = options.profile ?? 'fast';
  const ml = createMemberlist(
    {
      transport,
      clock,
      logger,
      metrics: deps.metrics,
      ...(deps.random ? { random: deps.random } : {}),
      keyring,
    },
    {
      name: options.nodeName,
      profile: profile === 'wan' ? 'lan' : profile,
      ...(profile === 'wan' ? WAN_TIMERS : {}),
    },
  );
  const listeners = new Set<(c: MemberChange, member: string) => void>();
  let live = new Set<string>();
  let liveAddrs = new Set<string>();
  const refresh = () => {
    const members = ml.members();
    live = new Set(
      members.filter((m) => m.status === 'alive' || m.status === 'suspect').map((m) => m.name),
    );
    live.add(options.nodeName);
    liveAddrs = new Set(
      members.filter((m) => m.status === 'alive' || m.status === 'suspect').map((m) => m.addr),
    );
  };
  ml.onEvent((e) => {
    refresh();
    logger.info(
      { op: 'memberlist', event: e.type, node: e.member.name, addr: e.member.addr },
      `memberlist: ${e.member.name} ${e.type}`,
    );
    for (const l of listeners) l(e.type, e.member.name);
  });
  ml.start();
  refresh();

  // ---- key rotation
  let keyChanges = 0;
  let timers: TimerHandle[] = [];
  let watcher: { close(): void } | undefined;
  let pollTimer: TimerHandle | undefined;
  let closed = false;
  const grace = options.keyRotationGraceMs ?? 120_000;
  const retire = options.keyRetireMs ?? 600_000;
  const checkKey = () => {
    if (!keyring || closed) return;
    let next: string;
    try {
      next = readSecret(read, keyFile);
    } catch (e) {
      // The kubelet swaps the folder's ..data link: a read can race it; the next poll sees it.
      logger.debug({ op: 'memberlist', error: String(e) }, 'memberlist key file not readable');
      return;
    }
    if (next === '' || next === secret) return;
    const oldKey = deriveKey(secret);
    const newKey = deriveKey(next);
    secret = next;
    keyChanges++;
    keyring.add(newKey);
    logger.info(
      { op: 'memberlist', graceMs: grace },
      'memberlist secret key changed: accepting the new key now, sending with it after the grace period',
    );
    const kr = keyring;
    timers.push(
      clock.setTimeout(() => {
        if (closed || !Buffer.from(deriveKey(secret)).equals(newKey)) return;
        kr.use(newKey);
        logger.info({ op: 'memberlist' }, 'memberlist now sends with the new key');
      }, grace),
      clock.setTimeout(
        () => {
          if (closed) return;
          try {
            kr.remove(oldKey);
          } catch {
            // Still primary (the file went back to the old key): keep it.
          }
        },
        Math.max(retire, grace + 1),
      ),
    );
  };
  if (keyFile) {
    const poll = () => {
      checkKey();
      if (!closed) pollTimer = clock.setTimeout(poll, options.keyPollMs ?? 10_000);
    };
    pollTimer = clock.setTimeout(poll, options.keyPollMs ?? 10_000);
    const watchDir =
      deps.watchDir ??
      ((dir: string, onChange: () => void) => {
        let w: FSWatcher | undefined;
        try {
          w = watch(dir, { persistent: false }, () => onChange());
          w.on('error', () => undefined);
        } catch {
          // No inotify (or the folder vanished): the poll still works.
        }
        return { close: () => w?.close() };
      });
    watcher = watchDir(options.secretKeyPath, checkKey);
  }

  return {
    memberlist: ml,
    encrypted: keyring !== null,
    get keyChanges() {
      return keyChanges;
    },
    get primaryKeyId() {
      return keyring ? keyId(keyring.primary) : '';
    },
    get keyCount() {
      return keyring?.all().length ?? 0;
    },
    live: () => live,
    liveAddresses: () => liveAddrs,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    join: (seeds) => ml.join(seeds),
    async leave() {
      await ml.leave();
    },
    async close() {
      if (closed) return;
      closed = true;
      watcher?.close();
      if (pollTimer) clock.clearTimeout(pollTimer);
      for (const t of timers) clock.clearTimeout(t);
      timers = [];
      await ml.shutdown().catch(() => undefined);
    },
  };
}
