// Readiness and liveness probes as the kubelet runs them: httpGet (2xx/3xx is success), tcpSocket
// (a connection), exec (exit 0, run in the container's network namespace). The stand-in runs in
// the API server's namespace, which routes to every pod and node address.
import { request } from 'node:http';
import { request as requestHttps } from 'node:https';
import { connect } from 'node:net';
import { spawn } from 'node:child_process';
import type { V1ContainerPort, V1Probe } from '@kubernetes/client-node';

export interface ProbeTarget {
  podIP: string;
  ports: V1ContainerPort[];
  /** The node's network namespace: the kubelet probes from there (a `host: 127.0.0.1` probe of a
   * host-network speaker means the node's own loopback). */
  nodeNetns: string;
}

const LOOPBACK = /^(127\.|::1$|localhost$)/;

/** A loopback probe runs inside the node's namespace, where the kubelet would make it. */
function inNode(netns: string, argv: string[], timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('ip', ['netns', 'exec', netns, ...argv], { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 500);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
    child.on('error', () => resolve(false));
  });
}

function portOf(port: number | string | undefined, target: ProbeTarget): number | undefined {
  if (typeof port === 'number') return port;
  if (port === undefined) return undefined;
  if (/^\d+$/.test(port)) return Number(port);
  return target.ports.find((p) => p.name === port)?.containerPort;
}

export async function probeOnce(
  probe: V1Probe,
  target: ProbeTarget,
  netns: string,
): Promise<boolean> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.httpGet) {
    const port = portOf(probe.httpGet.port as number | string, target);
    if (port === undefined) return false;
    const host = probe.httpGet.host ?? target.podIP;
    const https = probe.httpGet.scheme === 'HTTPS';
    if (LOOPBACK.test(host)) {
      const url = `${https ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}${probe.httpGet.path ?? '/'}`;
      // curl -f: 2xx/3xx only (--max-redirs 0 keeps 3xx a success, as the kubelet counts it).
      return inNode(
        target.nodeNetns,
        [
          'curl',
          '-sf',
          '-k',
          '--max-redirs',
          '0',
          '-o',
          '/dev/null',
          '-m',
          String(timeoutMs / 1000),
          url,
        ],
        timeoutMs,
      );
    }
    return new Promise((resolve) => {
      const req = (https ? requestHttps : request)(
        {
          host,
          port,
          path: probe.httpGet?.path ?? '/',
          method: 'GET',
          timeout: timeoutMs,
          rejectUnauthorized: false,
          headers: Object.fromEntries(
            (probe.httpGet?.httpHeaders ?? []).map((h) => [h.name, h.value]),
          ),
        },
        (res) => {
          res.resume();
          resolve((res.statusCode ?? 500) >= 200 && (res.statusCode ?? 500) < 400);
        },
      );
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(false));
      req.end();
    });
  }
  if (probe.tcpSocket) {
    const port = portOf(probe.tcpSocket.port as number | string, target);
    if (port === undefined) return false;
    const tcpHost = probe.tcpSocket.host ?? target.podIP;
    if (LOOPBACK.test(tcpHost)) {
      return inNode(
        target.nodeNetns,
        ['bash', '-c', `exec 3<>/dev/tcp/${tcpHost}/${port}`],
        timeoutMs,
      );
    }
    return new Promise((resolve) => {
      const s = connect({ host: probe.tcpSocket?.host ?? target.podIP, port, timeout: timeoutMs });
      s.on('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.on('timeout', () => {
        s.destroy();
        resolve(false);
      });
      s.on('error', () => resolve(false));
    });
  }
  if (probe.exec?.command?.length) {
    return new Promise((resolve) => {
      const child = spawn('ip', ['netns', 'exec', netns, ...(probe.exec?.command ?? [])], {
        stdio: 'ignore',
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve(code === 0);
      });
      child.on('error', () => resolve(false));
    });
  }
  return true;
}
