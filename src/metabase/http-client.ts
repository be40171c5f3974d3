/**
 * A small JSON client for Metabase's REST API over Node's fetch (undici), with a per-request timeout
 * (AbortSignal.timeout), bounded retries (p-retry) and errors a person can act on.
 *
 * Retries: GET and PUT (idempotent) are retried on a network error, a timeout or a 5xx; POST only when
 * the connection was refused (nothing reached the server), so a create is never sent twice.
 * Auth: `X-Metabase-Session` (session from `POST /api/session` or `POST /api/setup`) or `X-API-KEY`
 * (Metabase docs "API keys"). The secret is held here and never appears in an error or a log line.
 */
import pRetry, { AbortError } from 'p-retry';
import {
  MetabaseAuthError,
  MetabaseEndpointMissingError,
  MetabaseRequestError,
  MetabaseUnreachableError,
} from './errors.ts';

/** How requests are authenticated. `none` before login / setup. */
export type MetabaseAuth =
  | { readonly kind: 'none' }
  | { readonly kind: 'session'; readonly sessionId: string; readonly user: string }
  | { readonly kind: 'api-key'; readonly apiKey: string; readonly envVar: string };

/** Options of {@link MetabaseClient}. */
export interface MetabaseClientOptions {
  /** Metabase's root URL, e.g. `http://localhost:3000` (a trailing slash is ignored). */
  readonly baseUrl: string;
  /** Per-attempt timeout in ms (default 15 000). */
  readonly timeoutMs?: number;
  /** Retries after the first attempt (default 3). */
  readonly retries?: number;
  /** First back-off in ms, doubled per retry (default 250). */
  readonly minBackoffMs?: number;
}

/** One request as sent, for the plan / debugging (no headers, so no secret). */
export interface SentRequest {
  readonly method: string;
  readonly path: string;
}

/** A transport failure worth retrying (kept apart from HTTP answers). */
class TransientError extends Error {
  constructor(
    message: string,
    readonly refused: boolean,
  ) {
    super(message);
  }
}

/**
 * Metabase REST client. `request` returns the parsed JSON body (or `null` for an empty body).
 * @throws MetabaseUnreachableError (exit 69) unreachable / timeout / 5xx after the retries, naming the URL;
 * MetabaseAuthError (77) on 401/403 naming the auth method; MetabaseEndpointMissingError (69) on a 404 of
 * an endpoint (`endpoint` given); MetabaseRequestError (1) on other 4xx, with Metabase's message.
 */
export class MetabaseClient {
  readonly baseUrl: string;
  private auth: MetabaseAuth = { kind: 'none' };
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly minBackoffMs: number;
  /** Every request sent, in order (method and path only). */
  readonly sent: SentRequest[] = [];
  /** Secret values scrubbed from every error message (passwords, keys, session ids). */
  private readonly secrets: string[] = [];

  constructor(opts: MetabaseClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    this.retries = opts.retries ?? 3;
    this.minBackoffMs = opts.minBackoffMs ?? 250;
  }

  /** Sets how the following requests authenticate. */
  setAuth(auth: MetabaseAuth): void {
    this.auth = auth;
    if (auth.kind === 'session') this.addSecret(auth.sessionId);
    if (auth.kind === 'api-key') this.addSecret(auth.apiKey);
  }

  /** Registers a value that must never appear in an error message (e.g. a password sent in a body). */
  addSecret(value: string | undefined): void {
    if (value !== undefined && value.length > 0) this.secrets.push(value);
  }

  private scrub(message: string): string {
    return this.secrets.reduce((m, secret) => m.split(secret).join('***'), message);
  }

  /** The auth method in words, for messages: never the secret itself. */
  describeAuth(): string {
    switch (this.auth.kind) {
      case 'none':
        return 'no credentials (not logged in)';
      case 'session':
        return `session login as ${this.auth.user} (X-Metabase-Session)`;
      case 'api-key':
        return `API key from $${this.auth.envVar} (X-API-KEY)`;
    }
  }

  /**
   * Sends `method path` with an optional JSON `body`.
   * @param endpoint the endpoint as documented (`POST /api/card/`), named in a 404 error; when omitted a
   * 404 is a {@link MetabaseRequestError} (an object id that does not exist).
   */
  async request<T = unknown>(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    body?: unknown,
    endpoint?: string,
  ): Promise<T> {
    const url = `${this.baseUrl}${path}`;
    const attempt = async (): Promise<T> => {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (this.auth.kind === 'session') headers['x-metabase-session'] = this.auth.sessionId;
      if (this.auth.kind === 'api-key') headers['x-api-key'] = this.auth.apiKey;
      let res: Response;
      this.sent.push({ method, path });
      try {
        res = await fetch(url, {
          method,
          headers,
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (err) {
        const refused = causeCode(err) === 'ECONNREFUSED';
        const why =
          (err as Error).name === 'TimeoutError'
            ? `no answer within ${this.timeoutMs} ms`
            : (causeCode(err) ?? (err as Error).message);
        throw new TransientError(`${method} ${url}: ${why}`, refused);
      }
      const text = await res.text();
      if (res.status >= 500) throw new TransientError(`${method} ${url}: HTTP ${res.status}`, false);
      if (res.status === 401 || res.status === 403) {
        throw new AbortError(
          new MetabaseAuthError(
            `Metabase at ${this.baseUrl} refused ${method} ${path} with HTTP ${res.status}: auth by ${this.describeAuth()} — check the user and password (or the API key) and that the user is an admin`,
          ),
        );
      }
      if (res.status === 404 && endpoint !== undefined) {
        throw new AbortError(new MetabaseEndpointMissingError(endpoint, url));
      }
      if (res.status >= 400) {
        throw new AbortError(
          new MetabaseRequestError(
            this.scrub(
              `Metabase refused ${method} ${path} with HTTP ${res.status}: ${metabaseMessage(text)}`,
            ),
            res.status,
          ),
        );
      }
      if (text.trim() === '') return null as T;
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new AbortError(
          new MetabaseRequestError(
            `${method} ${url} answered HTTP ${res.status} with a body that is not JSON (is --url Metabase's root?)`,
            res.status,
          ),
        );
      }
    };
    try {
      return await pRetry(attempt, {
        retries: this.retries,
        minTimeout: this.minBackoffMs,
        factor: 2,
        randomize: false,
        shouldRetry: ({ error }) => error instanceof TransientError && (method !== 'POST' || error.refused),
      });
    } catch (err) {
      if (err instanceof TransientError) {
        throw new MetabaseUnreachableError(
          `Metabase at ${this.baseUrl} is unreachable: ${err.message} (gave up after ${this.attemptsFor(method, err)} attempt(s))`,
        );
      }
      throw err;
    }
  }

  private attemptsFor(method: string, err: TransientError): number {
    return method !== 'POST' || err.refused ? this.retries + 1 : 1;
  }
}

function causeCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: unknown; errors?: { code?: unknown }[] } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  const inner = cause?.errors?.[0]?.code;
  return typeof inner === 'string' ? inner : undefined;
}

/** Metabase's error text from a 4xx body (`{message}`, `{errors:{field:msg}}` or plain text), one line, bounded. */
function metabaseMessage(text: string): string {
  let msg = text;
  try {
    const j = JSON.parse(text) as { message?: unknown; errors?: unknown };
    if (typeof j.message === 'string') msg = j.message;
    else if (j.errors !== undefined) msg = JSON.stringify(j.errors);
  } catch {
    // plain text
  }
  msg = msg.replace(/\s+/g, ' ').trim();
  return msg.length > 300 ? `${msg.slice(0, 300)}…` : msg || '(empty body)';
}
