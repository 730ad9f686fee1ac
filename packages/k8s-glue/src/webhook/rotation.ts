// Keeps a running webhook server on a valid certificate: re-runs CertManager.ensure() on a
// fixed interval (another replica, a restart or an operator may also rotate the Secret) and
// swaps the server's certificate when the material changed. The timer comes from the injected
// @ironlb/clock Clock, so tests drive it with ManualClock without waiting.
import { backgroundClock, type Clock, type TimerHandle } from '@ironlb/clock';
import type { CertBundle } from './certs.js';
import type { CertManager } from './cert-manager.js';

export interface CertRotationOptions {
  /** How often to check the Secret and expiry (default 1 hour). */
  readonly checkIntervalMs?: number;
}

export interface CertRotationDeps {
  readonly manager: CertManager;
  /** Called with the new bundle whenever the serving certificate changed. */
  readonly onCertificate: (bundle: CertBundle) => void;
  /**
   * Runs the check timer. Default backgroundClock (unref'd: a pending check never keeps a
   * process alive on its own; the server it rotates for does).
   */
  readonly clock?: Clock;
  readonly onError?: (error: unknown) => void;
}

export interface CertRotation {
  /** Runs one check now (also what the timer runs). */
  check(): Promise<void>;
  stop(): void;
}

export function startCertRotation(
  deps: CertRotationDeps,
  options: CertRotationOptions = {},
): CertRotation {
  const clock = deps.clock ?? backgroundClock;
  const interval = options.checkIntervalMs ?? 3_600_000;
  let current: string | undefined;
  let handle: TimerHandle | undefined;
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
    handle = clock.setTimeout(() => {
      void check().then(schedule);
    }, interval);
  };
  schedule();
  return {
    check,
    stop() {
      stopped = true;
      if (handle !== undefined) clock.clearTimeout(handle);
    },
  };
}
