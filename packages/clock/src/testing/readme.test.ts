// The README example, as written.
import { expect, it } from 'vitest';
import type { Clock, Metrics } from '../index.js';
import { ManualClock, MemoryMetrics, seededRandom } from './index.js';

it('README example: retries with jitter on a manual clock, counted', () => {
  function retryWithJitter(
    clock: Clock,
    random: () => number,
    metrics: Metrics,
    attempt: () => boolean,
  ): void {
    const retries = metrics.counter({ name: 'retries_total', help: 'Retries after a failure' });
    const tick = () => {
      if (attempt()) return;
      retries.inc();
      clock.setTimeout(tick, 1000 + random() * 500);
    };
    tick();
  }

  const clock = new ManualClock();
  const metrics = new MemoryMetrics();
  let tries = 0;
  retryWithJitter(clock, seededRandom(1), metrics, () => ++tries === 3);
  clock.advance(10_000);
  expect([tries, clock.pending(), metrics.value('retries_total')]).toEqual([3, 0, 2]);
});
