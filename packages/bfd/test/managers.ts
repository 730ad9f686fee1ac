// Shared setup of the manager tests: managers on one in-memory network and manual clock.
import { ManualClock, MemoryMetrics, seededRandom } from '@ironlb/clock/testing';
import { expect } from 'vitest';
import { BfdError, createBfdManager } from '../src/index.js';
import type { BfdEvent, BfdManager, BfdManagerOptions } from '../src/index.js';
import { MemoryBfdNetwork } from '../src/testing/index.js';

export const A = '198.51.100.1';
export const B = '198.51.100.2';
export const C = '198.51.100.3';

export interface Node {
  m: BfdManager;
  events: BfdEvent[];
  metrics: MemoryMetrics;
}

const open: BfdManager[] = [];
/** Closes every manager the tests made; call from afterEach. */
export async function closeAll(): Promise<void> {
  await Promise.all(open.splice(0).map((m) => m.close()));
}

/** Registers a manager made outside setup() for closeAll. */
export function track(m: BfdManager): BfdManager {
  open.push(m);
  return m;
}

export function setup(seed = 1) {
  const clock = new ManualClock(1_000);
  const net = new MemoryBfdNetwork(clock, { latencyMs: 1 });
  const random = seededRandom(seed);
  const node = (addresses: string[], o: BfdManagerOptions = {}): Node => {
    const events: BfdEvent[] = [];
    const metrics = new MemoryMetrics();
    const m = createBfdManager({ clock, random, metrics, transport: net.transport(addresses) }, o);
    m.onEvent((e) => events.push(e));
    open.push(m);
    return { m, events, metrics };
  };
  return { clock, net, node };
}

export async function errorOf(p: Promise<unknown> | (() => unknown)): Promise<BfdError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    expect(err).toBeInstanceOf(BfdError);
    return err as BfdError;
  }
  throw new Error('expected a BfdError');
}

export const ofType = <T extends BfdEvent['type']>(
  events: BfdEvent[],
  type: T,
): Extract<BfdEvent, { type: T }>[] =>
  events.filter((e): e is Extract<BfdEvent, { type: T }> => e.type === type);
