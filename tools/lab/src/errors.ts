export type LabErrorCode =
  | 'invalid-scenario'
  | 'invalid-argument'
  | 'unknown-host'
  | 'not-running'
  | 'already-running'
  | 'pods-exhausted'
  | 'command-failed'
  | 'timeout';

/** Every error the lab raises on purpose: a code for tests, a message for people. */
export class LabError extends Error {
  override readonly name = 'LabError';
  readonly code: LabErrorCode;
  constructor(code: LabErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
