/**
 * One JSON POST with a per-attempt timeout and bounded retries (p-retry), for the notification channels
 * (issue 11 item 4). Retried: network errors, timeouts, HTTP 408, 429 and 5xx; any other answer is final.
 * Every error text is passed through {@link redactSecrets} so a token in the URL (Telegram's
 * `/bot<token>/`) never reaches a log line or an error.
 */
import pRetry, { AbortError } from 'p-retry';

/** Backoff before retry n (1-based): 200 ms, 400 ms, 800 ms, then 1 s each (no jitter, so bounded). */
export const BACKOFF = Object.freeze({ minMs: 200, factor: 2, maxMs: 1000 });

/** Retry policy of one delivery. */
export interface RetryPolicy {
  /** Timeout of one attempt (ms), `[notify] timeout_ms`. */
  readonly timeoutMs: number;
  /** Retries after the first attempt, `[notify] retries`. */
  readonly retries: number;
}

/**
 * The longest one delivery can take under `policy` (ms): every attempt timing out plus the backoff
 * between them, plus 1 s of slack (a busy event loop fires timers late; the slack keeps the total wait
 * from cutting the last attempt short).
 */
export function deliveryCapMs(policy: RetryPolicy): number {
  let backoff = 0;
  for (let i = 0; i < policy.retries; i++)
    backoff += Math.min(BACKOFF.minMs * BACKOFF.factor ** i, BACKOFF.maxMs);
  return (policy.retries + 1) * policy.timeoutMs + backoff + 1000;
}

/** `text` with every secret (non-empty) replaced by `***`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s !== '') out = out.split(s).join('***');
  return out;
}

/** Why a POST failed (message already redacted). */
class PostError extends Error {
  override readonly name = 'PostError';
}

/** What {@link postJson} returns; never thrown. */
export interface PostOutcome {
  readonly ok: boolean;
  /** Attempts made (1 + retries used). */
  readonly attempts: number;
  /** HTTP status of the last answer, null when none came. */
  readonly status: number | null;
  /** The last error, redacted, when not ok. */
  readonly error?: string;
}

/**
 * POSTs `body` as JSON to `url`; resolves (never rejects) when it got a 2xx answer, or gave up.
 * @param what how the target is named in errors (e.g. `webhook example.com`), without secrets.
 * @param secrets strings removed from every error text (the Telegram token).
 * @param signal aborts the whole delivery early (optional: the attempts' timeouts and the finite
 *   backoff already bound it, see {@link deliveryCapMs}).
 * @param describe reads a non-2xx answer's body into a short reason (e.g. Telegram's `description`).
 */
export async function postJson(opts: {
  readonly url: string;
  readonly body: unknown;
  readonly what: string;
  readonly policy: RetryPolicy;
  readonly secrets?: readonly string[];
  readonly signal?: AbortSignal;
  readonly describe?: (status: number, text: string) => string;
}): Promise<PostOutcome> {
  const secrets = opts.secrets ?? [];
  const payload = JSON.stringify(opts.body);
  let attempts = 0;
  let status: number | null = null;
  const fail = (msg: string) => new PostError(redactSecrets(`${opts.what}: ${msg}`, secrets));
  try {
    await pRetry(
      async () => {
        attempts++;
        let res: Response;
        try {
          res = await fetch(opts.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: payload,
            signal:
              opts.signal === undefined
                ? AbortSignal.timeout(opts.policy.timeoutMs)
                : AbortSignal.any([AbortSignal.timeout(opts.policy.timeoutMs), opts.signal]),
          });
        } catch (err) {
          const e = err as Error & { cause?: { code?: string; message?: string } };
          if (opts.signal?.aborted) throw new AbortError(fail('gave up: the delivery was cancelled'));
          const why =
            e.name === 'TimeoutError'
              ? `no answer within ${opts.policy.timeoutMs} ms`
              : (e.cause?.code ?? e.cause?.message ?? e.message);
          throw fail(why);
        }
        status = res.status;
        const text = await res.text().catch(() => '');
        if (res.ok) return;
        const reason = opts.describe?.(res.status, text) ?? '';
        const err = fail(`HTTP ${res.status}${reason ? ` (${reason})` : ''}`);
        if (res.status === 408 || res.status === 429 || res.status >= 500) throw err;
        throw new AbortError(err);
      },
      {
        retries: opts.policy.retries,
        minTimeout: BACKOFF.minMs,
        factor: BACKOFF.factor,
        maxTimeout: BACKOFF.maxMs,
        randomize: false,
        ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
      },
    );
    return { ok: true, attempts, status };
  } catch (err) {
    const e = err as Error;
    const msg = e instanceof PostError ? e.message : redactSecrets(`${opts.what}: ${e.message}`, secrets);
    return { ok: false, attempts, status, error: msg };
  }
}
