// The README example, as written.
import { expect, it } from 'vitest';
import type { Clock } from '../index.js';
import { ManualClock, seededRandom } from './index.js';

it('README example: retries with jitter on a manual clock', () => {
  function retryWithJitter(clock: Clock, random: () => number, attempt: () => boolean): void {
    const tick = () => {
      if (!attempt()) clock.setTimeout(tick, 1000 + random() * 500);
    };
    tick();
  }

  const clock = new ManualClock();
  let tries = 0;
  retryWithJitter(clock, seededRandom(1), () => ++tries === 3);
  clock.advance(10_000);
  expect([tries, clock.pending()]).toEqual([3, 0]);
});
