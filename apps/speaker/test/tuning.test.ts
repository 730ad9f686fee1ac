// The launcher's Node settings (src/tuning.ts): applied once, never over the user's own.
import { describe, expect, it } from 'vitest';
import { OLD_SPACE_MIB, SEMI_SPACE_MIB, tuning } from '../src/tuning.js';

describe('tuning', () => {
  it('adds a small young generation, an old-generation cap, V8 optimising for size and two malloc arenas, once', () => {
    const t = tuning({ PATH: '/bin' }, []);
    expect(t).toEqual({
      execArgv: [
        `--max-semi-space-size=${SEMI_SPACE_MIB}`,
        `--max-old-space-size=${OLD_SPACE_MIB}`,
        '--optimize-for-size',
      ],
      env: { PATH: '/bin', IRONLB_NODE_TUNED: '1', MALLOC_ARENA_MAX: '2' },
    });
    expect(tuning(t!.env, t!.execArgv)).toBeUndefined();
  });

  it("keeps the user's settings (flags, NODE_OPTIONS, MALLOC_ARENA_MAX) and can be turned off", () => {
    expect(
      tuning({ NODE_OPTIONS: '--max-old-space-size=2048' }, ['--no-optimize-for-size']),
    ).toEqual({
      execArgv: ['--no-optimize-for-size', `--max-semi-space-size=${SEMI_SPACE_MIB}`],
      env: {
        NODE_OPTIONS: '--max-old-space-size=2048',
        IRONLB_NODE_TUNED: '1',
        MALLOC_ARENA_MAX: '2',
      },
    });
    expect(
      tuning({ MALLOC_ARENA_MAX: '8' }, [
        '--max-semi-space-size=16',
        '--max-old-space-size=300',
        '--optimize-for-size',
      ]),
    ).toBeUndefined();
    expect(tuning({ IRONLB_NODE_TUNING: 'off' }, [])).toBeUndefined();
  });
});
