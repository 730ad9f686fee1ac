// client-go's event correlation: identical events patch a count instead of piling up, similar
// ones aggregate, and a spam filter bounds what one object can produce.
import { describe, expect, it } from 'vitest';
import { EventCorrelator, type EventRequest } from '../../src/reconcile/event-correlator.js';

const obj = { kind: 'Service', apiVersion: 'v1', namespace: 'ns', name: 'web', uid: 'u1' };
const e = (message: string, reason = 'AllocationFailed'): EventRequest => ({
  object: obj,
  type: 'Warning',
  reason,
  message,
});

describe('EventCorrelator', () => {
  it('creates an event once, then patches its count for every identical one', () => {
    const c = new EventCorrelator();
    const first = c.observe(e('no available IPs'), 0, 1000);
    expect(first.action).toBe('create');
    // A duplicate while the create is in flight is counted and patched once it returns.
    expect(c.observe(e('no available IPs'), 1, 1001).action).toBe('pending');
    expect(c.created(first.key, 'web.1')).toEqual({ count: 2, firstTimestampMs: 1000 });
    const d = c.observe(e('no available IPs'), 2, 1002);
    expect(d).toMatchObject({ action: 'patch', name: 'web.1', count: 3, firstTimestampMs: 1000 });
    // A different message is a different event.
    expect(c.observe(e('unknown pool "x"'), 3, 1003).action).toBe('create');
  });

  it('aggregates more than 10 distinct messages of one reason into one event', () => {
    const c = new EventCorrelator();
    const decisions = Array.from({ length: 12 }, (_, i) => c.observe(e(`m${i}`), i, i));
    expect(decisions.slice(0, 10).every((d) => d.action === 'create')).toBe(true);
    expect(decisions[10]).toMatchObject({
      action: 'create',
      message: '(combined from similar events): m10',
    });
    c.created(decisions[10]!.key, 'web.agg');
    expect(decisions[11]).toMatchObject({ action: 'pending' });
    expect(c.observe(e('m12'), 12, 12)).toMatchObject({ action: 'patch', name: 'web.agg' });
  });

  it('drops what exceeds 25 events per object, refilling one per 5 minutes', () => {
    const c = new EventCorrelator({ maxSimilar: 1000 });
    const out = Array.from({ length: 30 }, (_, i) => c.observe(e(`m${i}`, `R${i}`), 0, 0).action);
    expect(out.filter((a) => a === 'drop')).toHaveLength(5);
    expect(c.observe(e('later', 'R99'), 299_999, 0).action).toBe('drop');
    expect(c.observe(e('later', 'R99'), 300_000, 0).action).toBe('create');
  });

  it('forgets a key whose write failed, so the next occurrence creates a fresh event', () => {
    const c = new EventCorrelator();
    const d = c.observe(e('x'), 0, 0);
    c.failed(d.key);
    expect(c.observe(e('x'), 1, 1).action).toBe('create');
  });
});
