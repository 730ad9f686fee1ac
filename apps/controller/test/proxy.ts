// An HTTP proxy between one controller replica and the API server that can cut the replica off
// while it keeps running (a network partition): requests are held instead of forwarded, and
// responses in flight (watches too) stop flowing. On heal, held requests whose client is still
// waiting are forwarded — as TCP would deliver bytes still in a socket's send queue — and those
// the client gave up on (the controller resets timed-out requests) are dropped. Every forwarded
// request is logged with the time it reached the API server.
import {
  Agent,
  createServer,
  request,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ForwardedRequest {
  /** Date.now() when the request was sent on to the API server. */
  readonly at: number;
  readonly method: string;
  readonly path: string;
}

interface Held {
  req: IncomingMessage;
  res: ServerResponse;
  body: Buffer;
  gone: boolean;
}

export class PartitionProxy {
  readonly forwarded: ForwardedRequest[] = [];
  private partitioned = false;
  private held: Held[] = [];
  private readonly streams = new Set<{ up: IncomingMessage; res: ServerResponse }>();
  private readonly agent = new Agent({ keepAlive: true });
  private server: Server | undefined;
  port = 0;

  constructor(private readonly upstream: URL) {}

  async start(): Promise<number> {
    this.server = createServer((req, res) => this.onRequest(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  partition(): void {
    this.partitioned = true;
    for (const s of this.streams) {
      s.up.unpipe(s.res);
      s.up.pause();
    }
  }

  heal(): void {
    this.partitioned = false;
    for (const s of this.streams) {
      s.up.pipe(s.res);
      s.up.resume();
    }
    const held = this.held;
    this.held = [];
    for (const h of held) if (!h.gone) this.forward(h);
  }

  /** Requests held right now (not yet given up by their client). */
  get heldCount(): number {
    return this.held.filter((h) => !h.gone).length;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const h: Held = { req, res, body: Buffer.concat(chunks), gone: false };
      // A client that resets or closes its connection has given up on the request.
      res.on('close', () => (h.gone = !res.writableFinished || h.gone));
      req.socket.on('close', () => (h.gone = true));
      if (this.partitioned) this.held.push(h);
      else this.forward(h);
    });
  }

  private forward(h: Held): void {
    const { req, res } = h;
    this.forwarded.push({ at: Date.now(), method: req.method ?? '', path: req.url ?? '' });
    const up = request(
      {
        ...urlParts(this.upstream),
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: this.upstream.host },
        agent: this.agent,
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        const s = { up: upRes, res };
        this.streams.add(s);
        upRes.on('end', () => this.streams.delete(s));
        upRes.on('close', () => this.streams.delete(s));
        if (this.partitioned) upRes.pause();
        else upRes.pipe(res);
        res.on('close', () => upRes.destroy());
      },
    );
    up.on('error', () => res.destroy());
    up.end(h.body);
  }

  async stop(): Promise<void> {
    for (const s of this.streams) s.up.destroy();
    this.agent.destroy();
    if (this.server) {
      this.server.closeAllConnections();
      await new Promise<void>((r) => this.server!.close(() => r()));
    }
  }
}

function urlParts(u: URL) {
  return { hostname: u.hostname, port: Number(u.port) };
}
