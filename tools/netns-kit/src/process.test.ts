// NsProcess line waiting, against a real child process (no namespace, no root). These pin down
// the two ways a line wait used to "miss" a line: a stateful RegExp, and matching JSON by text.
import { describe, expect, it } from 'vitest';
import { KitError } from './errors.ts';
import { NsProcess } from './process.ts';

/** A Node child that prints `lines` on stdout, `errLines` on stderr, then waits for stdin to close. */
function child(lines: string[], errLines: string[] = []): NsProcess {
  const script = [
    `for (const l of ${JSON.stringify(lines)}) process.stdout.write(l + '\\n');`,
    `for (const l of ${JSON.stringify(errLines)}) process.stderr.write(l + '\\n');`,
    `process.stdin.resume(); process.stdin.on('end', () => process.exit(0));`,
  ].join('\n');
  return new NsProcess([process.execPath, '-e', script], { stdin: true });
}

describe('NsProcess.waitForLine', () => {
  it('matches with a global RegExp reused across waits (lastIndex would skip the second line)', async () => {
    const p = child(['                    tick 1', 'tick 2']);
    try {
      const tick = /tick \d/g;
      expect(await p.waitForLine(tick, 5_000)).toBe('                    tick 1');
      // The trap: a /g RegExp that matched at index 20 keeps lastIndex = 26, and its next test()
      // starts past the end of 'tick 2' and fails. Leave it in that state, as an earlier wait
      // with the old helper (or the test's own code) would.
      expect(tick.test('                    tick 1')).toBe(true);
      expect(tick.lastIndex).toBe(26);
      expect(await p.waitForLine(tick, 5_000, { from: 1 })).toBe('tick 2');
    } finally {
      p.child.stdin?.end();
      await p.waitForExit(5_000);
    }
  });

  it('counts `from` in the stream it searches', async () => {
    const p = child(['out 1', 'out 2', 'out 3'], ['err 1', 'err 2']);
    try {
      await p.waitForLine('out 3', 5_000);
      await p.waitForLine('err 2', 5_000, { stderr: true });
      expect([p.lineCount(), p.lineCount('stderr')]).toEqual([3, 2]);
      expect(await p.waitForLine(/err/, 5_000, { stderr: true, from: 1 })).toBe('err 2');
    } finally {
      p.child.stdin?.end();
      await p.waitForExit(5_000);
    }
  });

  it('rejects with KitError exited when the process ends without the line', async () => {
    const p = new NsProcess([process.execPath, '-e', 'console.log("only")']);
    const err = await p.waitForLine('never', 5_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KitError);
    expect((err as KitError).code).toBe('exited');
  });
});

describe('NsProcess.waitForJson', () => {
  it('finds an event that carries more than the text a regex would expect', async () => {
    // The interface watcher reports everything that changed in one scan: a bridge whose link-local
    // address appeared in the same scan as the removal of eth5 rides along.
    const p = child([
      'not json',
      JSON.stringify({ event: 'change', added: ['eth5'], removed: [] }),
      JSON.stringify({ event: 'change', added: ['br0'], removed: ['br0', 'eth5'] }),
    ]);
    try {
      await p.waitForLine(/br0/, 5_000);
      // The old text match never finds it...
      await expect(p.waitForLine(/"removed":\["eth5"\]/, 300, { from: 1 })).rejects.toMatchObject({
        code: 'timeout',
      });
      // ...the event predicate does.
      const e = await p.waitForJson<{ removed: string[] }>(
        (o) => o.removed?.includes('eth5'),
        5_000,
      );
      expect(e.removed).toEqual(['br0', 'eth5']);
      expect(p.jsonLines()).toHaveLength(2);
    } finally {
      p.child.stdin?.end();
      await p.waitForExit(5_000);
    }
  });
});
