// Polling until the lab reaches a state (the demo, the bench and the tests all wait this way): on
// timeout the error names what was awaited and the last value seen.

export async function waitFor<T>(
  what: string,
  fn: () => T | Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 60_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await fn();
  while (!ok(last)) {
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}; last: ${String(JSON.stringify(last)).slice(0, 500)}`,
      );
    await new Promise((r) => setTimeout(r, intervalMs));
    last = await fn();
  }
  return last;
}
