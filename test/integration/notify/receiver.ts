/** A local HTTP receiver (node:http on 127.0.0.1) for the notification tests. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a receiver got. */
export interface Received {
  readonly method: string;
  readonly url: string;
  readonly contentType: string | undefined;
  readonly body: string;
}

/**
 * A receiver: `answer(i, res)` answers the i-th request (0-based); when it returns `'hang'` the request
 * is left unanswered (until {@link Receiver.close}). `onRequest` resolves waiters as requests arrive.
 */
export class Receiver {
  readonly requests: Received[] = [];
  private readonly server: Server;
  private readonly hanging: ServerResponse[] = [];
  private waiters: (() => void)[] = [];

  constructor(private readonly answer: (i: number, res: ServerResponse) => unknown) {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d;
      });
      req.on('end', () => {
        const i = this.requests.length;
        this.requests.push({
          method: req.method ?? '',
          url: req.url ?? '',
          contentType: req.headers['content-type'],
          body,
        });
        if (this.answer(i, res) === 'hang') this.hanging.push(res);
        for (const w of this.waiters.splice(0)) w();
      });
    });
  }

  /** Starts listening on 127.0.0.1 (a free port); returns the base URL. */
  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves once `n` requests have arrived. */
  async waitFor(n: number): Promise<void> {
    while (this.requests.length < n) await new Promise<void>((r) => this.waiters.push(r));
  }

  /** The hanging requests, to answer them later. */
  held(): ServerResponse[] {
    return this.hanging;
  }

  bodies(): Record<string, unknown>[] {
    return this.requests.map((r) => JSON.parse(r.body) as Record<string, unknown>);
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** Answers `res` with `status` and a JSON body. */
export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
