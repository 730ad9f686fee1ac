// The CLI's argument errors, run as a child process from source (no network, no root): each bad
// argument gives one stderr line starting "ironlb-memberlist: error:" and exit status 2.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectUsageError(args: string[], pattern: RegExp): void {
  const r = run(args);
  expect(r.status).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^ironlb-memberlist: error: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stdout).toBe('');
}

describe('ironlb-memberlist arguments', () => {
  it('--help lists every flag and an example, exit 0', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    for (const flag of [
      '--name',
      '--bind',
      '--join',
      '--secret-file',
      '--profile',
      '--meta',
      '--log-level',
      '--help',
      'Example',
    ])
      expect(r.stdout).toContain(flag);
  });

  it('malformed addresses', () => {
    expectUsageError(
      ['agent', '--name', 'a', '--bind', '198.51.100.1'],
      /--bind: malformed address/,
    );
    expectUsageError(
      ['agent', '--name', 'a', '--bind', 'example.com:7946'],
      /--bind: malformed address/,
    );
    expectUsageError(
      ['agent', '--name', 'a', '--bind', '198.51.100.1:7946', '--join', '198.51.100.2:99999'],
      /--join: malformed address/,
    );
  });

  it('unreadable or empty secret file', () => {
    expectUsageError(
      [
        'agent',
        '--name',
        'a',
        '--bind',
        '198.51.100.1:7946',
        '--secret-file',
        '/nonexistent/secret',
      ],
      /--secret-file: cannot read .*ENOENT/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'ml-cli-'));
    writeFileSync(join(dir, 'empty'), '\n');
    expectUsageError(
      ['agent', '--name', 'a', '--bind', '198.51.100.1:7946', '--secret-file', join(dir, 'empty')],
      /is empty/,
    );
  });

  it('missing or unknown flags, commands and values', () => {
    expectUsageError(['agent', '--bind', '198.51.100.1:7946'], /--name is required/);
    expectUsageError(['agent', '--name', 'a'], /--bind is required/);
    expectUsageError(
      ['agent', '--name', 'a', '--bind', '198.51.100.1:7946', '--profile', 'wan'],
      /--profile/,
    );
    expectUsageError(
      ['agent', '--name', 'a', '--bind', '198.51.100.1:7946', '--meta', 'novalue'],
      /--meta/,
    );
    expectUsageError(
      ['agent', '--name', 'a', '--bind', '198.51.100.1:7946', '--frobnicate'],
      /frobnicate/,
    );
    expectUsageError(['serve'], /unknown command/);
  });
});
