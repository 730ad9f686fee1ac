// The ordered output of one watch when objects may need a conversion webhook first: events are
// written in store order; one that needs a conversion (ConversionPending) waits, with everything
// after it, until the conversions of all waiting events are done (one review per batch); a failed
// conversion ends the watch with an ERROR event carrying the Status, as kube-apiserver's watch does.
// Never throws into the store's event delivery.
import { ApiError } from '../errors.ts';
import { ConversionPending, type Conversions } from '../conversion/conversions.ts';

export interface WatchQueue {
  /** Queues a line (built lazily: building may need a conversion). */
  push(build: () => string): void;
}

export function watchQueue(
  conversions: Conversions,
  write: (line: string) => void,
  fail: (statusLine: string) => void,
): WatchQueue {
  const queue: (() => string)[] = [];
  let pumping = false;
  let dead = false;

  const errorLine = (e: unknown) => {
    const err =
      e instanceof ApiError
        ? e
        : new ApiError(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`);
    return `{"type":"ERROR","object":${JSON.stringify(err.toStatus())}}\n`;
  };

  const die = (e: unknown) => {
    dead = true;
    queue.length = 0;
    fail(errorLine(e));
  };

  /** Writes what can be written now; returns the conversions the head (and the rest) wait for. */
  const drain = (): ConversionPending | undefined => {
    while (queue.length && !dead) {
      let line: string;
      try {
        line = (queue[0] as () => string)();
      } catch (e) {
        if (!(e instanceof ConversionPending)) {
          die(e);
          return undefined;
        }
        // Batch: whatever else is queued and needs converting goes in the same reviews.
        const requests = [...e.requests];
        for (const b of queue.slice(1))
          try {
            b();
          } catch (x) {
            if (x instanceof ConversionPending) requests.push(...x.requests);
          }
        return new ConversionPending(requests);
      }
      queue.shift();
      write(line);
    }
    return undefined;
  };

  const pump = async (first: ConversionPending) => {
    pumping = true;
    try {
      let pending: ConversionPending | undefined = first;
      while (pending && !dead) pending = await conversions.resolved(pending.requests, drain);
    } catch (e) {
      die(e);
    } finally {
      pumping = false;
    }
  };

  return {
    push(build) {
      if (dead) return;
      if (!pumping && queue.length === 0) {
        // Fast path (no conversion waiting): write now.
        let l: string;
        try {
          l = build();
        } catch (e) {
          if (!(e instanceof ConversionPending)) return die(e);
          queue.push(build);
          void pump(e);
          return;
        }
        write(l);
        return;
      }
      queue.push(build);
      if (pumping) return;
      const pending = drain();
      if (pending) void pump(pending);
    },
  };
}
