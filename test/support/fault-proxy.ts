/**
 * An HTTP proxy on 127.0.0.1 for fault injection between a real client and the emulator: it forwards
 * every request unchanged and lets a test delay, replace or corrupt chosen responses (hostile or broken
 * exchange responses, lost answers). Not a mock of our code: the client library, HTTP and the emulator
 * are all real; only the wire is tampered with, as a broken proxy or network would.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

/** What to do with one response. */
export interface Fault {
  /** Wait this long before answering (after the upstream answered: the upstream DID execute). */
  readonly delayMs?: number;
  /** Hold the request this long before forwarding it (a slow way to the exchange: it reads its clock late). */
  readonly holdRequestMs?: number;
  /**
   * Answer with `respond` without forwarding: the upstream never sees the request (as a rate limiter or
   * proxy in front of the exchange would answer). `respond` then gets status 0 and an empty body.
   */
  readonly notForwarded?: boolean;
  /** Replace the response. */
  readonly respond?: (upstream: { status: number; body: string }) => {
    status: number;
    body: string;
    contentType?: string;
    /** Extra response headers (e.g. `Retry-After`). */
    headers?: Record<string, string>;
  };
}

/**
 * A fault that answers with Binance's error body `{"code":…,"msg":"…"}` (rest-api.md "Error codes") at
 * HTTP `status` (e.g. 400 with -2010, 429 with -1003), JSON content type, in place of the exchange's answer.
 */
export function binanceErrorAnswer(status: number, code: number, msg: string): Fault {
  return {
    respond: () => ({
      status,
      body: JSON.stringify({ code, msg }),
      contentType: 'application/json;charset=UTF-8',
    }),
  };
}

/** A running proxy. */
export interface FaultProxy {
  readonly baseUrl: string;
  /** Requests seen, as `METHOD /path`. */
  readonly seen: string[];
  /** Sets the rule (and restarts the per-request counts `nth`): called for every request; return a fault or null to pass through. */
  setRule(rule: ((method: string, path: string, nth: number) => Fault | null) | null): void;
  close(): Promise<void>;
}

/** Starts a proxy to `target` (e.g. the emulator's base URL). */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const seen: string[] = [];
  const counts = new Map<string, number>();
  let rule: ((method: string, path: string, nth: number) => Fault | null) | null = null;
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] as string;
      const key = `${req.method} ${path}`;
      seen.push(key);
      const nth = (counts.get(key) ?? 0) + 1;
      counts.set(key, nth);
      const fault = rule?.(req.method ?? 'GET', path, nth) ?? null;
      if (fault?.notForwarded && fault.respond) {
        const r = fault.respond({ status: 0, body: '' });
        res.writeHead(r.status, {
          'content-type': r.contentType ?? 'application/json;charset=UTF-8',
          ...r.headers,
          'content-length': Buffer.byteLength(r.body),
        });
        res.end(r.body);
        return;
      }
      const headers = { ...req.headers, host: upstream.host };
      const forward = () => {
        const up = http.request(
          { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers, agent },
          (ur) => {
            const body: Buffer[] = [];
            ur.on('data', (c: Buffer) => body.push(c));
            ur.on('end', () => {
              const send = () => {
                let status = ur.statusCode ?? 502;
                let text = Buffer.concat(body).toString('utf8');
                const outHeaders: http.OutgoingHttpHeaders = {};
                for (const [k, v] of Object.entries(ur.headers)) {
                  if (v !== undefined && k !== 'content-length' && k !== 'transfer-encoding')
                    outHeaders[k] = v;
                }
                if (fault?.respond) {
                  const r = fault.respond({ status, body: text });
                  status = r.status;
                  text = r.body;
                  if (r.contentType) outHeaders['content-type'] = r.contentType;
                  for (const [k, v] of Object.entries(r.headers ?? {})) outHeaders[k.toLowerCase()] = v;
                }
                res.writeHead(status, { ...outHeaders, 'content-length': Buffer.byteLength(text) });
                res.end(text);
              };
              if (fault?.delayMs) setTimeout(send, fault.delayMs);
              else send();
            });
          },
        );
        up.on('error', (err) => {
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(`proxy: ${err.message}`);
        });
        up.end(Buffer.concat(chunks));
      };
      if (fault?.holdRequestMs) setTimeout(forward, fault.holdRequestMs);
      else forward();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    seen,
    setRule: (r) => {
      rule = r;
      counts.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        agent.destroy();
      }),
  };
}

/**
 * Starts a proxy to `target()` (e.g. the base URL of the suite's emulator, read once it runs) in a
 * `beforeAll` of the enclosing suite and closes it in its `afterAll`; nothing is started when `skip`.
 * Register it after what `target` reads (vitest runs `afterAll` in reverse: the proxy closes first). Call
 * the returned function from a test (or a later hook) for the running proxy.
 * @throws Error when the returned function is called before the proxy started.
 */
export function useFaultProxy(
  target: () => string,
  { skip = false }: { skip?: boolean } = {},
): () => FaultProxy {
  let proxy: FaultProxy | undefined;
  beforeAll(async () => {
    if (skip) return;
    proxy = await startFaultProxy(target());
  });
  afterAll(() => proxy?.close());
  return () => {
    if (!proxy) throw new Error('the fault proxy is not started yet (useFaultProxy: call it from a test)');
    return proxy;
  };
}
