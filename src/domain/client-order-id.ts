/**
 * Deterministic clientOrderIds, so that a re-run of the same rebalance can never place an order twice:
 * the exchange (and our ledger's UNIQUE constraint) refuse a clientOrderId it has already seen.
 *
 * Format: `mr-<YYYYMMDD>-<22 hex chars>` (33 characters), matching Binance's
 * `newClientOrderId` rule `^[a-zA-Z0-9-_]{1,36}$` (rest-api.md, "New order").
 */
import { createHash } from 'node:crypto';

/** The inputs that identify one order of one rebalance. */
export interface ClientOrderIdParts {
  /** Ledger account name. */
  readonly account: string;
  /** Period key: the UTC decision day `YYYY-MM-DD`. */
  readonly period: string;
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  /** Leg within the rebalance: `sell`, `trim` or `buy`. */
  readonly leg: string;
  /** 0 for the period's first run; n for the n-th run forced with `--force`. */
  readonly attempt: number;
}

/** The Binance rule for client order ids. */
export const CLIENT_ORDER_ID_RE = /^[a-zA-Z0-9-_]{1,36}$/;

/**
 * Builds the deterministic clientOrderId of an order: a SHA-256 of the parts, truncated to 88 bits.
 * @throws Error when the period is not `YYYY-MM-DD`.
 */
export function clientOrderId(parts: ClientOrderIdParts): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(parts.period)) throw new Error(`bad period ${parts.period}`);
  const key = [parts.account, parts.period, parts.symbol, parts.side, parts.leg, String(parts.attempt)].join(
    '|',
  );
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 22);
  return `mr-${parts.period.replaceAll('-', '')}-${hash}`;
}
