/**
 * The clientOrderId of an intraday exit (strategy-semantics.md §12): from the account, the UTC hour of
 * the pass time τ, the symbol, the reason and the number of the day's earlier passes (so a SELL rejected
 * by one pass can be sent again by the next). A crashed pass never sells twice: its PENDING order is
 * looked up by this id and its fill booked before the next pass decides anything.
 * Format `mi-<YYYYMMDDHH>-<21 hex>` (35 characters, Binance's `^[a-zA-Z0-9-_]{1,36}$`).
 */
import { createHash } from 'node:crypto';

/**
 * @param account ledger account name; @param nowMs τ (UTC ms); @param symbol; @param reason §10 reason;
 * @param attempt intraday runs of the account earlier that UTC day.
 */
export function exitOrderId(
  account: string,
  nowMs: number,
  symbol: string,
  reason: string,
  attempt: number,
): string {
  const hour = new Date(nowMs).toISOString().slice(0, 13).replace(/[-T]/g, '');
  const key = ['intraday', account, hour, symbol, 'SELL', reason, String(attempt)].join('|');
  return `mi-${hour}-${createHash('sha256').update(key).digest('hex').slice(0, 21)}`;
}
