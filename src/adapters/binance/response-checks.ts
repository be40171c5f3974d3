/**
 * Consistency checks of what the exchange says, beyond the shape checks of `schemas.ts` (issue 14 item 2):
 * an order whose quantities do not add up, a non-positive price. Each failure is an
 * {@link ExchangeError} of kind `invalid_response` naming the endpoint, the symbol and the field; the
 * caller sends nothing further.
 *
 * Sources: rest-api.md "New order" (Response - FULL: `executedQty`, `cummulativeQuoteQty`, `fills[]`),
 * "Account trade list" (`qty`, `quoteQty`), enums.md "Order status" (FILLED = "The order has been
 * completed", so a FILLED order executed a positive quantity).
 */
import { type Decimal, dec } from '../../domain/decimal.ts';
import { ExchangeError } from './errors.ts';

/**
 * Tolerance of a sum of quote quantities against `cummulativeQuoteQty`: Binance prints each at 8
 * decimals, so each of the n fills and the total may each be off by half a unit of the 8th decimal;
 * we allow 1e-8 per fill plus 1e-8 for the total.
 */
const UNIT8 = dec('0.00000001');

/**
 * An `invalid_response` error: `<endpoint> <symbol>: invalid response: field <field>: <why>; nothing
 * further is sent` (the same form as `parseResponse`).
 */
export function invalidResponse(
  endpoint: string,
  symbol: string | null,
  field: string,
  why: string,
): ExchangeError {
  return new ExchangeError(
    `${endpoint}${symbol ? ` ${symbol}` : ''}: invalid response: field ${field}: ${why}; nothing further is sent`,
    'invalid_response',
    endpoint,
    null,
    symbol,
  );
}

/** One fill as the check sees it: price and base quantity, and the quote quantity where the exchange gives one. */
export interface CheckedFill {
  readonly price: string;
  readonly qty: string;
  readonly quoteQty?: string;
}

/**
 * Checks an order response (`POST /api/v3/order` FULL, or `GET /api/v3/order` with the fills of
 * `GET /api/v3/myTrades`):
 * - status FILLED with `executedQty` 0 → field `executedQty`;
 * - `executedQty` > 0 with `cummulativeQuoteQty` 0 → field `cummulativeQuoteQty`;
 * - with fills: Σ fill qty ≠ `executedQty` (exact decimals) → field `fills[].qty`; Σ quote quantity
 *   (the fill's `quoteQty`, else price × qty, exact) off `cummulativeQuoteQty` by more than 1e-8 per fill
 *   + 1e-8 (8-decimal rounding) → field `cummulativeQuoteQty`.
 * @param fills the order's fills, or undefined when the response carries none to check against.
 * @param fillsField how the fills are named in messages (`fills` or `myTrades`).
 * @throws ExchangeError (`invalid_response`) naming `endpoint`, the order's symbol and the field.
 */
export function checkOrderResponse(
  order: {
    readonly symbol: string;
    readonly status: string;
    readonly executedQty: string;
    readonly cummulativeQuoteQty: string;
  },
  endpoint: string,
  fills: readonly CheckedFill[] | undefined,
  fillsField = 'fills',
): void {
  const executed = dec(order.executedQty);
  const cumQuote = dec(order.cummulativeQuoteQty);
  const symbol = order.symbol;
  if (order.status === 'FILLED' && executed.isZero()) {
    throw invalidResponse(endpoint, symbol, 'executedQty', 'status FILLED with executedQty 0');
  }
  if (!executed.isZero() && cumQuote.isZero()) {
    throw invalidResponse(
      endpoint,
      symbol,
      'cummulativeQuoteQty',
      `0 although executedQty is ${order.executedQty}`,
    );
  }
  if (fills === undefined) return;
  let qty: Decimal = dec(0);
  let quote: Decimal = dec(0);
  for (const f of fills) {
    qty = qty.plus(f.qty);
    quote = quote.plus(f.quoteQty ?? dec(f.price).times(f.qty));
  }
  if (!qty.eq(executed)) {
    throw invalidResponse(
      endpoint,
      symbol,
      `${fillsField}[].qty`,
      `the fills add up to ${qty.toFixed()} but executedQty is ${order.executedQty}`,
    );
  }
  const tolerance = UNIT8.times(fills.length + 1);
  if (quote.minus(cumQuote).abs().gt(tolerance)) {
    throw invalidResponse(
      endpoint,
      symbol,
      'cummulativeQuoteQty',
      `${order.cummulativeQuoteQty} but the fills add up to ${quote.toFixed()} (tolerance ${tolerance.toFixed()})`,
    );
  }
}

/**
 * Checks that a price is positive.
 * @throws ExchangeError (`invalid_response`) naming the endpoint, symbol and field, e.g.
 *   `GET /api/v3/ticker/price BTCUSDT: invalid response: field price: "0" is not a positive price`.
 */
export function checkPositivePrice(price: string, endpoint: string, symbol: string, field: string): void {
  if (!dec(price).gt(0)) {
    throw invalidResponse(endpoint, symbol, field, `${JSON.stringify(price)} is not a positive price`);
  }
}
