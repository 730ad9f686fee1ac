// A client's request loop, run inside a client host of the lab: a new TCP connection and one HTTP
// GET every `--interval-ms`, each with its own deadline, one JSON line per request
// ({ t: ms since start, at: epoch ms, ok, node, pod, ms } or { t, ok: false, error }). The kernel's neighbour
// cache and routes decide where each request goes, exactly as for a real client, so failover and
// handover are measured from the client's side. Stops after --duration-ms, after --count requests
// (the bench's 1,000 connections for the ECMP spread) or on SIGTERM.
//   node prober.ts --url http://198.51.100.200:8080/ [--interval-ms 20] [--timeout-ms 250] [--duration-ms 10000] [--count N]
import { request } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    'interval-ms': { type: 'string', default: '20' },
    'timeout-ms': { type: 'string', default: '250' },
    'duration-ms': { type: 'string', default: '10000' },
    count: { type: 'string' },
  },
});
const url = new URL(values.url as string);
const intervalMs = Number(values['interval-ms']);
const timeoutMs = Number(values['timeout-ms']);
const durationMs = Math.min(Number(values['duration-ms']), 600_000);
const count = Math.min(Number(values.count ?? 100_000), 100_000);
let sent = 0;
const t0 = performance.now();
let stopping = false;
let inflight = 0;

function once(): void {
  const start = performance.now();
  // Wall clock too: whoever started the prober compares with its own clock, not with ours (node
  // takes a few hundred ms to start, so `t` alone is offset by that much).
  const startedAt = Date.now();
  inflight++;
  let done = false;
  const finish = (rec: Record<string, unknown>) => {
    if (done) return;
    done = true;
    inflight--;
    process.stdout.write(
      JSON.stringify({
        t: Math.round(start - t0),
        at: startedAt,
        ...rec,
        ms: +(performance.now() - start).toFixed(1),
      }) + '\n',
    );
  };
  const req = request(
    {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || 80,
      path: url.pathname,
      agent: false,
      timeout: timeoutMs,
    },
    (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        const m = /pod=(\S+) node=(\S+)/.exec(body);
        finish({ ok: res.statusCode === 200, node: m?.[2], pod: m?.[1] });
      });
    },
  );
  const timer = setTimeout(() => {
    req.destroy(new Error('timeout'));
  }, timeoutMs);
  req.on('error', (e) => {
    clearTimeout(timer);
    finish({ ok: false, error: (e as NodeJS.ErrnoException).code ?? e.message });
  });
  req.on('close', () => clearTimeout(timer));
  req.end();
}

const tick = setInterval(() => {
  if (stopping || sent >= count || performance.now() - t0 > durationMs) {
    clearInterval(tick);
    const wait = setInterval(() => {
      if (inflight === 0) {
        clearInterval(wait);
        process.exit(0);
      }
    }, 10);
    return;
  }
  // Bounded: never more than a few requests in flight (timeouts are short).
  if (inflight < Math.ceil(timeoutMs / intervalMs) + 2) {
    sent++;
    once();
  }
}, intervalMs);

process.on('SIGTERM', () => {
  stopping = true;
});
