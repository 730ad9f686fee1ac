import type { LogFields, Logger } from '../logger.js';

export type LogLevelName = 'debug' | 'info' | 'warn' | 'error';

export interface LogEntry {
  readonly level: LogLevelName;
  readonly fields: LogFields;
  readonly msg: string | undefined;
}

/** A Logger that keeps every entry in memory, for assertions on what a library logged. */
export class MemoryLogger implements Logger {
  readonly entries: LogEntry[] = [];

  debug(fields: LogFields, msg?: string): void {
    this.entries.push({ level: 'debug', fields, msg });
  }
  info(fields: LogFields, msg?: string): void {
    this.entries.push({ level: 'info', fields, msg });
  }
  warn(fields: LogFields, msg?: string): void {
    this.entries.push({ level: 'warn', fields, msg });
  }
  error(fields: LogFields, msg?: string): void {
    this.entries.push({ level: 'error', fields, msg });
  }

  /** Entries at `level` (all levels when omitted) whose message contains `text`. */
  find(text: string, level?: LogLevelName): LogEntry[] {
    return this.entries.filter(
      (e) => (level === undefined || e.level === level) && (e.msg ?? '').includes(text),
    );
  }
}
