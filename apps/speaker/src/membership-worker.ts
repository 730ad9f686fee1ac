// memberlist in its own thread. The `fast` profile declares a member dead ~200 ms after it stops
// answering; the speaker's main thread parses API lists, runs the decisions over every Service and
// opens packet sockets, and any of these can hold it for that long — in the first lab runs, a node
// taking over an address (two responders opened) stalled ~200 ms and was declared dead by its
// peer, which then announced too. Here the probes are answered whatever the main thread does. A
// watchdog covers the other side: when the main thread stops pinging (wedged: it answers no
// ARP/NDP either), this member leaves so that the others take its addresses.
import { parentPort, workerData } from 'node:worker_threads';
import { backgroundClock } from '@ironlb/clock';
import { startMembership, type Membership, type MembershipOptions } from './membership.js';
import type { FromWorker, ToWorker, WorkerInit } from './membership-protocol.js';
import { SnapshotMetrics, postingLogger } from './worker-telemetry.js';

const port = parentPort;
if (!port) throw new Error('membership-worker must run in a worker thread');
const init = workerData as WorkerInit;
const post = (m: FromWorker) => port.postMessage(m);
// Logs and metrics go to the main thread (worker-telemetry.ts says why).
const logger = postingLogger((record) => post({ type: 'log', record }), init.logLevel);
const metrics = new SnapshotMetrics();

let membership: Membership | undefined;
let lastPing = Date.now();
let wedged = false;

function snapshot(): Pick<Extract<FromWorker, { type: 'change' }>, 'live' | 'liveAddresses'> {
  return {
    live: [...(membership?.live() ?? [])],
    liveAddresses: [...(membership?.liveAddresses() ?? [])],
  };
}

const watchdog = setInterval(() => {
  if (!membership || wedged || init.watchdogMs <= 0) return;
  if (Date.now() - lastPing < init.watchdogMs) return;
  wedged = true;
  logger.error(
    { op: 'memberlist', silentMs: Date.now() - lastPing },
    'the speaker main thread stopped responding: leaving memberlist so other nodes take over',
  );
  void membership.leave().finally(() => post({ type: 'wedged' }));
}, 250);
watchdog.unref();

port.on('message', (m: ToWorker) => {
  lastPing = Date.now();
  void handle(m);
});

async function handle(m: ToWorker): Promise<void> {
  switch (m.op) {
    case 'ping':
      return;
    case 'start':
      try {
        membership = await startMembership(
          { clock: backgroundClock, logger, metrics },
          m.options as MembershipOptions,
        );
        membership.onChange((change, member) =>
          post({ type: 'change', change, member, ...snapshot() }),
        );
        post({
          type: 'reply',
          id: m.id,
          ok: true,
          value: { encrypted: membership.encrypted, ...snapshot() },
        });
      } catch (e) {
        post({
          type: 'reply',
          id: m.id,
          ok: false,
          error: { message: (e as Error).message, code: (e as { code?: string }).code },
        });
      }
      return;
    case 'join':
      try {
        const n = await membership!.join(m.seeds);
        post({ type: 'reply', id: m.id, ok: true, value: n });
      } catch (e) {
        post({
          type: 'reply',
          id: m.id,
          ok: false,
          error: { message: (e as Error).message, code: (e as { code?: string }).code },
        });
      }
      return;
    case 'leave':
      await membership?.leave().catch(() => undefined);
      post({ type: 'reply', id: m.id, ok: true });
      return;
    case 'close':
      await membership?.close().catch(() => undefined);
      clearInterval(watchdog);
      post({ type: 'reply', id: m.id, ok: true });
      return;
    case 'metrics':
      post({ type: 'reply', id: m.id, ok: true, value: metrics.snapshot() });
      return;
    case 'stats':
      post({
        type: 'reply',
        id: m.id,
        ok: true,
        value: {
          keyChanges: membership?.keyChanges ?? 0,
          stats: membership?.memberlist.stats() ?? null,
        },
      });
      return;
  }
}
