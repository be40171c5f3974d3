/**
 * Commission booking (pure): what a fill's commission is worth in the quote asset, and which asset of
 * the book pays it. Source: strategy-semantics.md §7 (fees) and Binance commission_faq.md ("pay fees
 * with BNB").
 */
import { Decimal, dec, ZERO } from '../decimal.ts';
import type { Side } from '../types.ts';

/** The fields of a fill the book needs (an exchange fill or a recorded one); decimal strings. */
export interface FillLike {
  /** Base quantity. */
  readonly quantity: string;
  /** Quote quantity (price × quantity). */
  readonly quoteQuantity: string;
  readonly commission: string;
  readonly commissionAsset: string;
}

/** A price lookup in the quote asset (the open of D, else the last close), null when unknown. */
export type QuotePriceOf = (symbol: string) => Decimal | null;

/**
 * Commission valued in quote at fill time: in quote as is; in the base asset × the fill price; in a third
 * asset (BNB) × that asset's price (`<asset><quote>` via `priceOf`), or 0 with no price.
 * @returns the commission in the quote asset (exact decimal).
 */
export function commissionInQuote(
  commission: string,
  asset: string,
  fillPrice: string,
  baseAsset: string,
  quoteAsset: string,
  priceOf: QuotePriceOf,
): Decimal {
  if (asset === quoteAsset) return dec(commission);
  if (asset === baseAsset) return dec(commission).times(dec(fillPrice));
  const p = priceOf(asset + quoteAsset);
  return p ? dec(commission).times(p) : ZERO;
}

/**
 * What the book (the assets the strategy manages) pays for one fill's commission. In the base or quote
 * asset: the commission as charged. In a third asset (BNB, with Binance's "pay fees with BNB" on): out of
 * the book's own BNB when it holds at least the commission; otherwise the BNB was the account's, not the
 * strategy's, and the book is charged the commission's quote value in the asset the fill delivered, as if
 * Binance had taken it there (commission_faq.md) — a BUY receives `round_up_8(commission_quote × q /
 * quote_qty)` fewer base units (at most q), a SELL `commission_quote` less quote. So the book never goes
 * negative and never claims BNB it does not hold, while its P/L is net of the fee at its BNB price.
 * @param managed the book's balances before this fill's commission.
 * @returns the asset and amount (> 0 or 0) to take from the book.
 */
export function bookCommission(
  f: FillLike,
  side: Side,
  baseAsset: string,
  quoteAsset: string,
  commissionQuote: Decimal,
  managed: ReadonlyMap<string, Decimal>,
): { asset: string; amount: Decimal } {
  const commission = dec(f.commission);
  const third = f.commissionAsset !== baseAsset && f.commissionAsset !== quoteAsset;
  if (!third || (managed.get(f.commissionAsset) ?? ZERO).gte(commission)) {
    return { asset: f.commissionAsset, amount: commission };
  }
  if (side === 'SELL') return { asset: quoteAsset, amount: commissionQuote };
  const q = dec(f.quantity);
  const notional = dec(f.quoteQuantity);
  const units = notional.isZero()
    ? ZERO
    : Decimal.min(q, commissionQuote.times(q).div(notional).toDecimalPlaces(8, Decimal.ROUND_UP));
  return { asset: baseAsset, amount: units };
}
