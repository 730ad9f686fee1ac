// Bench harness: an ARP responder inside a namespace. --no-filter opens the capture without the
// BPF filter (the anchor for "what the filter saves"). Prints {"event":"ready","pid":N}.
import { parseArgs } from 'node:util';
import { openCapLink } from '@ironlb/raw-link';
import { createArpResponder } from '../src/index.js';

const { values } = parseArgs({
  options: {
    interface: { type: 'string' },
    address: { type: 'string', multiple: true },
    'no-filter': { type: 'boolean' },
    'buffer-bytes': { type: 'string' },
  },
});
const r = createArpResponder(
  {
    openLink: values['no-filter']
      ? (iface, o) => openCapLink(iface, { ...o, filter: '' })
      : openCapLink,
  },
  {
    iface: values.interface ?? 'eth0',
    burstDurationMs: 0,
    ...(values['buffer-bytes'] ? { bufferSizeBytes: Number(values['buffer-bytes']) } : {}),
  },
);
for (const a of values.address ?? []) r.announce(a);
process.stdout.write(`${JSON.stringify({ event: 'ready', pid: process.pid })}\n`);
const keepAlive = setInterval(() => {}, 1 << 30);
process.on('SIGTERM', () => {
  const c = r.counters();
  process.stdout.write(
    `${JSON.stringify({ event: 'counters', counters: Object.fromEntries(c) })}\n`,
  );
  r.close();
  clearInterval(keepAlive);
  process.exit(0);
});
