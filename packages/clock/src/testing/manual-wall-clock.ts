import type { WallClock } from '../clock.js';

/**
 * A wall clock for tests. The start date is required: a default of 0 would quietly date things
 * 1970 (the trap that made WallClock a separate interface from Clock).
 */
export class ManualWallClock implements WallClock {
  private t: number;

  constructor(startEpochMs: number | Date) {
    this.t = typeof startEpochMs === 'number' ? startEpochMs : startEpochMs.getTime();
  }

  epochMs(): number {
    return this.t;
  }

  /** Moves the date forward (or back, for clock-skew tests). */
  advance(ms: number): void {
    this.t += ms;
  }

  set(epochMs: number): void {
    this.t = epochMs;
  }
}
