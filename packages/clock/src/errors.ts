/** Errors of @ironlb/clock: a metric declared twice with different shapes, a bad option. */
export type ClockErrorCode = 'metric-conflict' | 'invalid-option';

export class ClockError extends Error {
  override readonly name = 'ClockError';
  constructor(
    readonly code: ClockErrorCode,
    message: string,
  ) {
    super(message);
  }
}
