// Keeps a running webhook server on a valid certificate: re-runs CertManager.ensure() on a
// fixed interval (another replica, a restart or an operator may also rotate the Secret) and
// swaps the server's certificate when the material changed. Timers are injected so tests can
// drive it without waiting.
import type { CertBundle } from './certs.js';
import type { CertManager } from './cert-manager.js';

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface CertRotationOptions {
  /** How often to check the Secret and expiry (default 1 hour). */
  readonly checkIntervalMs?: number;
}

export interface CertRotationDeps {
  readonly manager: CertManager;
  /** Called with the new bundle whenever the serving certificate changed. */
  readonly onCertificate: (bundle: CertBundle) => void;
  readonly timers?: Timers;
  readonly onError?: (error: unknown) => void;
}

export interface CertRotation {
  /** Runs one check now (also what the timer runs). */
  check(): Promise<void>;
  stop(): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export function startCertRotation(
  deps: CertRotationDeps,
  options: CertRotationOptions = {},
): CertRotation {
  const timers = deps.timers ?? realTimers;
  const interval = options.checkIntervalMs ?? 3_600_000;
  let current: string | undefined;
  let handle: unknown;
  let stopped = false;

  async function check(): Promise<void> {
    try {
      const { bundle } = await deps.manager.ensure();
      // Compare with what is being served, not with `rotated`: another writer may have changed
      // the Secret since the last check.
      if (bundle.serving.certPem !== current) {
        current = bundle.serving.certPem;
        deps.onCertificate(bundle);
      }
    } catch (e) {
      deps.onError?.(e);
    }
  }

  const schedule = () => {
    if (stopped) return;
    handle = timers.setTimeout(() => {
      void check().then(schedule);
    }, interval);
  };
  schedule();
  return {
    check,
    stop() {
      stopped = true;
      if (handle !== undefined) timers.clearTimeout(handle);
    },
  };
}
