/**
 * The exchange error taxonomy: every failure of a Binance request is translated at the adapter boundary
 * into one {@link ExchangeError} with a kind that says what may be done about it.
 *
 * Sources: ../shared/spec/binance/errors.md (codes), rest-api.md "HTTP Return Codes" (4XX client error,
 * 403 WAF, 409 cancelReplace, 418 IP ban, 429 rate limit, 5XX "the execution status is UNKNOWN").
 */

/**
 * - `retryable`: nothing happened on the exchange (or a read failed); safe to retry after a backoff
 *   (network errors before sending, 5XX on reads, -1003/429, -1021, -1001).
 * - `unknown_outcome`: a write may or may not have been executed (timeout, connection lost after sending,
 *   5XX, -1007, -1006, -1000): look the order up by its clientOrderId before anything is retried.
 * - `rejected`: the exchange refused the request for a business reason (-1013 filter failure, -2010
 *   insufficient balance, -1121 bad symbol, parameter errors); retrying the same request fails again.
 * - `auth`: keys, signature or permissions (-2014, -2015, -1022): stop, a person must act.
 * - `banned`: HTTP 418 / IP ban: stop.
 * - `invalid_response`: the response failed validation (missing fields, NaN, negative numbers, HTML):
 *   stop, no further order.
 */
export type ExchangeErrorKind =
  | 'retryable'
  | 'unknown_outcome'
  | 'rejected'
  | 'auth'
  | 'banned'
  | 'invalid_response';

/** A Binance request that failed, classified. Its message never holds keys, signatures or signed URLs. */
export class ExchangeError extends Error {
  override readonly name = 'ExchangeError';
  /** Exit code when it ends the process (69 = service unavailable, 77 = permission denied). */
  readonly exitCode: number;
  /**
   * For an `unknown_outcome` order: the exchange-clock time (UTC ms) from which "the exchange does not
   * know the order" is final — the request's `timestamp + recvWindow` plus a margin; a request arriving
   * later is rejected with -1021 (rest-api.md "Timing security"). Null when not known.
   */
  lookupNotBefore: number | null = null;
  /**
   * For a rate-limit answer (HTTP 429 / -1003): how long to wait before the next request, ms — from the
   * answer's `Retry-After`, else from `X-MBX-USED-WEIGHT-1M` (rest-api.md "IP Limits"). Null otherwise.
   */
  retryAfterMs: number | null = null;
  constructor(
    message: string,
    readonly kind: ExchangeErrorKind,
    /** e.g. `POST /api/v3/order`. */
    readonly endpoint: string,
    /** Binance error code (`-1013`), or null. */
    readonly code: number | null,
    /** The symbol the request was about, where there is one. */
    readonly symbol: string | null = null,
    /** HTTP status where it is known (binance-api-node does not expose it for JSON errors). */
    readonly httpStatus: number | null = null,
  ) {
    super(message);
    this.exitCode = kind === 'auth' ? 77 : 69;
  }
}

/**
 * The error to end with after `attempts` tries of a request that kept failing for a retryable reason:
 * `<endpoint> <symbol>: gave up after 3 attempts: <the last failure>` (same kind, code and status).
 */
export function gaveUp(last: ExchangeError, attempts: number): ExchangeError {
  const where = `${last.endpoint}${last.symbol ? ` ${last.symbol}` : ''}`;
  const what = last.message.startsWith(`${where}: `) ? last.message.slice(where.length + 2) : last.message;
  const e = new ExchangeError(
    `${where}: gave up after ${attempts} attempts: ${what}`,
    last.kind,
    last.endpoint,
    last.code,
    last.symbol,
    last.httpStatus,
  );
  e.lookupNotBefore = last.lookupNotBefore;
  return e;
}

/** Codes that mean "the request was understood and refused": retrying the same request is pointless. */
const REJECTED_CODES = new Set([
  -1013, -2010, -1121, -1100, -1101, -1102, -1103, -1104, -1105, -1106, -1111, -1112, -1114, -1115, -1116,
  -1117, -1118, -1119, -1120, -1125, -1127, -1128, -1130, -2011, -2013, -2026,
]);
const AUTH_CODES = new Set([-2014, -2015, -1022, -1002]);
/** "Send status unknown; execution status unknown" (errors.md -1007), -1006 unexpected response, -1000 unknown. */
const UNKNOWN_OUTCOME_CODES = new Set([-1007, -1006, -1000]);
/** Network error codes of Node that prove the request never reached the server. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ERR_INVALID_URL']);

/** Strips anything that could carry a secret (signature, apiKey, signed query) from a message. */
export function sanitize(text: string, secrets: readonly string[] = []): string {
  let out = text
    .replace(/signature=[0-9a-zA-Z%+/=_-]+/g, 'signature=<redacted>')
    .replace(/https?:\/\/\S+\?\S*/g, (u) => u.replace(/\?.*$/, '?<query redacted>'));
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('<redacted>');
  return out.replace(/\s+/g, ' ').trim().slice(0, 300);
}

/**
 * Classifies whatever binance-api-node (node-fetch) threw for `endpoint`.
 * @param write true for requests that change state (orders): then a failure after sending is
 *   `unknown_outcome` rather than `retryable`.
 * @param secrets strings to redact from messages (API key, secret).
 */
export function classifyError(
  err: unknown,
  endpoint: string,
  opts: { write: boolean; symbol?: string | null; secrets?: readonly string[] },
): ExchangeError {
  if (err instanceof ExchangeError) return err;
  const e = (err ?? {}) as { code?: unknown; message?: unknown; type?: unknown; errno?: unknown };
  const symbol = opts.symbol ?? null;
  const rawMessage = typeof e.message === 'string' ? e.message : String(err);
  const message = sanitize(rawMessage, opts.secrets);
  const where = `${endpoint}${symbol ? ` ${symbol}` : ''}`;
  /** A failure that may have reached the exchange: `unknown_outcome` for a write, else `retryable`. */
  const mayHaveReached = (text: string, code: number | null = null) =>
    new ExchangeError(text, opts.write ? 'unknown_outcome' : 'retryable', endpoint, code, symbol);
  if (typeof e.code === 'number') {
    const code = e.code;
    if (code === -1003) {
      const banned = /banned/i.test(rawMessage);
      return new ExchangeError(
        `${where}: Binance ${code} ${message} (${banned ? 'IP banned: stopping' : 'rate limit'})`,
        banned ? 'banned' : 'retryable',
        endpoint,
        code,
        symbol,
        banned ? 418 : 429,
      );
    }
    if (code === -1021)
      return new ExchangeError(`${where}: Binance -1021 ${message}`, 'retryable', endpoint, code, symbol);
    if (AUTH_CODES.has(code))
      return new ExchangeError(
        `${where}: Binance ${code} ${message} (check BINANCE_API_KEY / BINANCE_API_SECRET or the key's permissions; nothing was retried)`,
        'auth',
        endpoint,
        code,
        symbol,
      );
    if (REJECTED_CODES.has(code))
      return new ExchangeError(`${where}: Binance ${code} ${message}`, 'rejected', endpoint, code, symbol);
    if (UNKNOWN_OUTCOME_CODES.has(code) || code === -1001)
      return mayHaveReached(`${where}: Binance ${code} ${message}`, code);
    return new ExchangeError(`${where}: Binance ${code} ${message}`, 'rejected', endpoint, code, symbol);
  }
  // No Binance code: our timeout, a network error, or a non-JSON (HTML / proxy) error body.
  if (typeof e.code === 'string' && e.code === 'ETIMEDOUT_OURS')
    return mayHaveReached(`${where}: ${message}`);
  if (e.type === 'system' || typeof e.code === 'string' || typeof e.errno === 'string') {
    const netCode = typeof e.code === 'string' ? e.code : String(e.errno);
    const notSent = NOT_SENT_CODES.has(netCode);
    return new ExchangeError(
      `${where}: network error ${netCode}: ${message}`,
      opts.write && !notSent ? 'unknown_outcome' : 'retryable',
      endpoint,
      null,
      symbol,
    );
  }
  const status = /^(\d{3}) /.exec(rawMessage);
  if (status) {
    const s = Number(status[1]);
    const kind: ExchangeErrorKind =
      s === 418
        ? 'banned'
        : s === 429
          ? 'retryable'
          : s >= 500
            ? opts.write
              ? 'unknown_outcome'
              : 'retryable'
            : s === 401 || s === 403
              ? 'auth'
              : 'invalid_response';
    return new ExchangeError(
      `${where}: HTTP ${s} with a non-JSON body: ${message.slice(4, 160)}`,
      kind,
      endpoint,
      null,
      symbol,
      s,
    );
  }
  // json-bigint throws a plain `{ name: 'SyntaxError', message, at, text }` for a body that is not JSON.
  if (err instanceof SyntaxError || (err as { name?: unknown } | null)?.name === 'SyntaxError') {
    return new ExchangeError(
      `${where}: response is not JSON (${message.slice(0, 120)})`,
      'invalid_response',
      endpoint,
      null,
      symbol,
    );
  }
  return mayHaveReached(`${where}: ${message}`);
}
