// The CLI's argument handling: parsed in process (cli-args.ts), and run as a child process from
// source for the process contract (no network, no root): --help exits 0 and lists every flag;
// each bad argument gives one stderr line "ironlb-bfd: error: ..." and exit status 2.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UsageError, parseArgs, parseCommand, tokenize } from '../src/cli-args.js';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function usageError(args: string[]): string {
  try {
    parseArgs(args);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`accepted: ${args.join(' ')}`);
}

describe('ironlb-bfd as a process', () => {
  it('--help lists every flag, the stdin commands and an example; exit 0', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    for (const s of [
      '--peer',
      '--local-address',
      '--multihop',
      '--receive-interval-ms',
      '--transmit-interval-ms',
      '--detect-multiplier',
      '--passive',
      '--minimum-ttl',
      '--max-sessions',
      '--send-ttl',
      '--log-level',
      'receiveInterval',
      'passiveMode',
      'admin-down',
      'Example',
    ])
      expect(r.stdout).toContain(s);
  });

  it.each([
    [['run'], /--peer is required/],
    [['run', '--peer', '198.51.100.2', '--detect-multiplier', '0'], /--detect-multiplier/],
    [['run', '--peer', 'router.example'], /--peer: not an IP address/],
    [['bogus'], /unknown command "bogus"/],
    [['run', '--peer', '198.51.100.2', '--nope'], /Unknown option '--nope'/],
  ])('%j → one line on stderr, exit 2', (args, pattern) => {
    const r = run(args);
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ironlb-bfd: error: /);
    expect(lines[0]).toMatch(pattern);
    expect(r.stdout).toBe('');
  });
});

describe('parseArgs', () => {
  it('maps flags to session options (MetalLB BFDProfile fields with units)', () => {
    const a = parseArgs([
      'run',
      '--peer',
      '198.51.100.2',
      '--peer',
      '2001:db8::2',
      '--local-address',
      '198.51.100.1',
      '--local-address',
      '2001:db8::1',
      '--receive-interval-ms',
      '100',
      '--transmit-interval-ms',
      '200',
      '--detect-multiplier',
      '5',
      '--passive',
      '--multihop',
      '--minimum-ttl',
      '250',
    ]);
    expect(a).toEqual({
      command: 'run',
      maxSessions: 1000,
      sendTtl: 255,
      logLevel: 'info',
      sessions: [
        {
          peerAddress: '198.51.100.2',
          localAddress: '198.51.100.1',
          multihop: true,
          passiveMode: true,
          receiveIntervalMs: 100,
          transmitIntervalMs: 200,
          detectMultiplier: 5,
          minimumTtl: 250,
        },
        {
          peerAddress: '2001:db8::2',
          localAddress: '2001:db8::1',
          multihop: true,
          passiveMode: true,
          receiveIntervalMs: 100,
          transmitIntervalMs: 200,
          detectMultiplier: 5,
          minimumTtl: 250,
        },
      ],
    });
  });

  it('rejects what addSession would reject, and more', () => {
    expect(usageError(['run', '--peer', '198.51.100.2', '--receive-interval-ms', '5'])).toMatch(
      /^--receive-interval-ms: must be an integer in 10–60000 ms/,
    );
    expect(usageError(['run', '--peer', '198.51.100.2', '--minimum-ttl', 'x'])).toMatch(
      /^--minimum-ttl: expected a whole number/,
    );
    expect(usageError(['run', '--peer', '198.51.100.2', '--peer', '198.51.100.2'])).toMatch(
      /given twice/,
    );
    expect(
      usageError([
        'run',
        '--peer',
        '198.51.100.2',
        '--local-address',
        '198.51.100.1',
        '--local-address',
        '198.51.100.3',
      ]),
    ).toMatch(/one per address family/);
    expect(usageError(['run', '--peer', '198.51.100.2', '--max-sessions', '0'])).toMatch(
      /--max-sessions/,
    );
    expect(
      usageError([
        'run',
        '--peer',
        '198.51.100.2',
        '--peer',
        '198.51.100.3',
        '--max-sessions',
        '1',
      ]),
    ).toMatch(/cap is 1/);
    expect(usageError(['run', '--peer', '198.51.100.2', '--send-ttl', '256'])).toMatch(
      /--send-ttl/,
    );
    expect(usageError(['run', '--peer', '198.51.100.2', '--log-level', 'loud'])).toMatch(
      /--log-level/,
    );
    expect(usageError(['run', 'extra', '--peer', '198.51.100.2'])).toMatch(/unexpected argument/);
  });

  it('help wins', () => {
    expect(parseArgs(['-h'])).toEqual({ command: 'help' });
  });
});

describe('stdin commands', () => {
  it('parses add / remove / admin-down / admin-up / status / stats', () => {
    expect(parseCommand(tokenize('  add 198.51.100.9 --passive --detect-multiplier 4 '))).toEqual({
      cmd: 'add',
      session: { peerAddress: '198.51.100.9', passiveMode: true, detectMultiplier: 4 },
    });
    expect(parseCommand(tokenize('remove 2001:db8::9 --multihop'))).toEqual({
      cmd: 'remove',
      key: { peerAddress: '2001:db8::9', multihop: true },
    });
    expect(parseCommand(['admin-down', '198.51.100.9'])).toEqual({
      cmd: 'admin-down',
      key: { peerAddress: '198.51.100.9', multihop: false },
    });
    expect(parseCommand(['status'])).toEqual({ cmd: 'status' });
    expect(parseCommand(['stats'])).toEqual({ cmd: 'stats' });
  });

  it.each([
    [['nope']],
    [['status', 'x']],
    [['add']],
    [['remove', 'x']],
    [['admin-up', '198.51.100.9', '--passive']],
  ])('%j is a UsageError', (words) => {
    expect(() => parseCommand(words)).toThrow(UsageError);
  });
});
