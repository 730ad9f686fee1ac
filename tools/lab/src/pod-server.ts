// What an application pod runs in the lab (nginx, httpd, any image that is not IronLB's): a small
// server on every container port and every targetPort of the Services that select the pod, TCP
// (HTTP) and UDP, answering with its pod and node names and the client address it saw — so a test
// can tell which pod and node served a request and whether the source address was kept.
//   node pod-server.ts --pod NAME --node NODE --ports-file FILE   (SIGHUP re-reads FILE)
import { createServer, type Server } from 'node:http';
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { pod: { type: 'string' }, node: { type: 'string' }, 'ports-file': { type: 'string' } },
});
const pod = values.pod ?? 'pod';
const node = values.node ?? 'node';
const portsFile = values['ports-file'];

interface PortSpec {
  port: number;
  protocol: 'TCP' | 'UDP';
}

const open = new Map<string, Server | Socket>();

function answer(client: string | undefined): string {
  return `pod=${pod} node=${node} client=${(client ?? '').replace(/^::ffff:/, '')}\n`;
}

function wanted(): PortSpec[] {
  if (!portsFile) return [{ port: 80, protocol: 'TCP' }];
  const list = JSON.parse(readFileSync(portsFile, 'utf8')) as PortSpec[];
  return list.filter((p) => Number.isInteger(p.port) && p.port > 0 && p.port < 65536);
}

async function listenTcp(port: number): Promise<Server> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' });
    res.end(answer(req.socket.remoteAddress));
  });
  // One dual-stack socket (:: without ipv6Only) takes IPv4 and IPv6.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: '::' }, () => resolve());
  });
  return server;
}

async function listenUdp(port: number): Promise<Socket> {
  const sock = createSocket({ type: 'udp6', ipv6Only: false });
  sock.on('message', (_msg, rinfo) => sock.send(answer(rinfo.address), rinfo.port, rinfo.address));
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(port, '::', () => resolve());
  });
  return sock;
}

async function sync(): Promise<void> {
  const want = new Map(wanted().map((p) => [`${p.protocol}/${p.port}`, p]));
  for (const [key, s] of open) {
    if (!want.has(key)) {
      s.close();
      open.delete(key);
    }
  }
  for (const [key, p] of want) {
    if (open.has(key)) continue;
    try {
      open.set(key, p.protocol === 'UDP' ? await listenUdp(p.port) : await listenTcp(p.port));
    } catch (e) {
      console.error(`cannot listen on ${key}: ${(e as Error).message}`);
    }
  }
  console.log(`ready ${[...open.keys()].sort().join(' ')}`);
}

process.on('SIGHUP', () => void sync());
// SIGTERM as a well-behaved server takes it (nginx's graceful SIGQUIT): stop accepting, let the
// connections in flight finish, then exit — at most 5 s. The kubelet's preStop pause has already
// let every node's proxy rules drop this pod, so nothing new arrives; a request in flight is not
// reset by a planned move.
process.on('SIGTERM', () => {
  let left = open.size;
  const done = () => {
    if (--left <= 0) process.exit(0);
  };
  if (left === 0) process.exit(0);
  // An HTTP server calls back once its last connection ended; a UDP socket once it is closed.
  for (const s of open.values()) (s as { close(cb: () => void): unknown }).close(done);
  setTimeout(() => process.exit(0), 5000).unref();
});
await sync();
