// Messages between the speaker's main thread and its memberlist worker (membership-worker.ts).
import type { MemberChange } from '@ironlb/k8s-glue/kube';
import type { LogRecord } from './worker-telemetry.js';

export interface WorkerInit {
  readonly logLevel: string;
  /** Leave memberlist when the main thread has not pinged for this long; 0 = never. */
  readonly watchdogMs: number;
}

export type ToWorker =
  | { readonly op: 'ping' }
  | { readonly op: 'start'; readonly id: number; readonly options: unknown }
  | { readonly op: 'join'; readonly id: number; readonly seeds: readonly string[] }
  | { readonly op: 'leave'; readonly id: number }
  | { readonly op: 'close'; readonly id: number }
  | { readonly op: 'metrics'; readonly id: number }
  | { readonly op: 'stats'; readonly id: number };

export type FromWorker =
  | {
      readonly type: 'change';
      readonly change: MemberChange;
      readonly member: string;
      readonly live: readonly string[];
      readonly liveAddresses: readonly string[];
    }
  | {
      readonly type: 'reply';
      readonly id: number;
      readonly ok: boolean;
      readonly value?: unknown;
      readonly error?: { readonly message: string; readonly code?: string };
    }
  | { readonly type: 'wedged' }
  | { readonly type: 'log'; readonly record: LogRecord };
