/** The kit's one error type: a command inside (or about) a namespace failed. */
export class KitError extends Error {
  readonly code: 'command-failed' | 'timeout' | 'exited' | 'invalid-argument';
  readonly command: readonly string[];
  readonly exitCode: number | null;
  readonly stderr: string;

  constructor(
    code: KitError['code'],
    message: string,
    fields: { command?: readonly string[]; exitCode?: number | null; stderr?: string } = {},
  ) {
    super(message);
    this.name = 'KitError';
    this.code = code;
    this.command = fields.command ?? [];
    this.exitCode = fields.exitCode ?? null;
    this.stderr = fields.stderr ?? '';
  }
}
