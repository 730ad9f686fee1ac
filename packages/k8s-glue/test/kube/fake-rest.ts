// A scripted KubeRest for unit tests of the harness's I/O classes: requests are answered by a
// test-supplied function (on a microtask, like real I/O), watches are handles the test feeds.
import { KubeApiError } from '../../src/kube/errors.js';
import { LINE_HEAD_BYTES } from '../../src/kube/lines.js';
import type { KubeRequest, KubeRest, WatchEvent, WatchHandle } from '../../src/kube/rest.js';

export interface FakeWatch {
  path: string;
  query: Readonly<Record<string, string | number | boolean | undefined>>;
  closed: boolean;
  emit(type: WatchEvent<unknown>['type'], object: unknown): void;
  /** Ends the stream (undefined = cleanly, as a server timeout does). */
  end(error?: unknown): void;
}

export class FakeRest implements KubeRest {
  readonly requests: KubeRequest[] = [];
  readonly watches: FakeWatch[] = [];
  handler: (req: KubeRequest) => unknown = () => ({});

  request<T>(req: KubeRequest): Promise<T> {
    this.requests.push(req);
    return Promise.resolve().then(() => {
      const out = this.handler(req);
      // As the real client: a successful answer's first bytes are shown before it is parsed.
      if (req.onHead && out !== undefined) req.onHead(JSON.stringify(out).slice(0, 4096));
      return out as T;
    });
  }

  watch<T>(
    path: string,
    query: Readonly<Record<string, string | number | boolean | undefined>>,
    onEvent: (e: WatchEvent<T>) => void,
    onEnd: (error?: unknown) => void,
    skipLine?: (head: string) => boolean,
  ): WatchHandle {
    let ended = false;
    const w: FakeWatch = {
      path,
      query,
      closed: false,
      emit: (type, object) => {
        if (ended) return;
        // As the real client: the line's first bytes go through skipLine before it is parsed.
        if (skipLine?.(JSON.stringify({ type, object }).slice(0, LINE_HEAD_BYTES))) return;
        onEvent({ type, object } as WatchEvent<T>);
      },
      end: (error) => {
        if (ended) return;
        ended = true;
        w.closed = true;
        onEnd(error);
      },
    };
    this.watches.push(w);
    return {
      close() {
        w.closed = true;
        w.end();
      },
    };
  }

  close(): void {}

  /** The newest watch that is still open. */
  get open(): FakeWatch | undefined {
    return [...this.watches].reverse().find((w) => !w.closed);
  }
}

export const apiError = (status: number, reason: string) =>
  new KubeApiError(`${status} ${reason}`, status, reason);

/** Lets queued microtasks and promise chains run. */
export async function flush(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}
