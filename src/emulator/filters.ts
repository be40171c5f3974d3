/**
 * Symbol filter checks of an order's parameters, exactly as filters.md defines them (each rule disabled
 * when its limit is 0, where filters.md says so or where the value cannot be a bound: a step of 0). A
 * failure is `-1013 Filter failure: <filterType>` (errors.md "Filter failures"). The quantity a MARKET
 * order by `quoteOrderQty` executes, its notional against NOTIONAL/MIN_NOTIONAL and the balance are the
 * fill model's (strategy-semantics.md §7, via SimExchange); these checks cover what Binance checks on the
 * sent parameters before matching.
 */
import type { ExchangeFilter } from '../adapters/data/exchange-info.ts';
import { type Decimal, dec, ZERO } from '../domain/decimal.ts';
import type { Side } from '../domain/types.ts';
import { Errors } from './errors.ts';

/** A filter's decimal field ("0" when absent or not a decimal string/number). */
export function num(f: ExchangeFilter | undefined, field: string): Decimal {
  const v = f?.[field];
  if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) return dec(v);
  return ZERO;
}

/** The first filter of `type` in `filters`, if any. */
export function filterOf(filters: readonly ExchangeFilter[], type: string): ExchangeFilter | undefined {
  return filters.find((f) => f.filterType === type);
}

const isMultiple = (x: Decimal, step: Decimal) => step.isZero() || x.mod(step).isZero();

/**
 * PRICE_FILTER (filters.md): `price ≥ minPrice`, `price ≤ maxPrice`, `price % tickSize == 0`, each rule
 * disabled when its value is 0. @throws ApiError -1013 `Filter failure: PRICE_FILTER`.
 */
export function checkPriceFilter(filters: readonly ExchangeFilter[], price: Decimal): void {
  const f = filterOf(filters, 'PRICE_FILTER');
  if (!f) return;
  const min = num(f, 'minPrice');
  const max = num(f, 'maxPrice');
  const tick = num(f, 'tickSize');
  if ((min.gt(0) && price.lt(min)) || (max.gt(0) && price.gt(max)) || !isMultiple(price, tick)) {
    throw Errors.filter('PRICE_FILTER');
  }
}

/**
 * LOT_SIZE and, for MARKET orders, MARKET_LOT_SIZE (filters.md): `quantity ≥ minQty`,
 * `quantity ≤ maxQty`, `quantity % stepSize == 0` (a 0 disables the rule).
 * @throws ApiError -1013 `Filter failure: LOT_SIZE` / `MARKET_LOT_SIZE`.
 */
export function checkLotSize(filters: readonly ExchangeFilter[], qty: Decimal, market: boolean): void {
  const types = market ? ['LOT_SIZE', 'MARKET_LOT_SIZE'] : ['LOT_SIZE'];
  for (const type of types) {
    const f = filterOf(filters, type);
    if (!f) continue;
    const min = num(f, 'minQty');
    const max = num(f, 'maxQty');
    const step = num(f, 'stepSize');
    if ((min.gt(0) && qty.lt(min)) || (max.gt(0) && qty.gt(max)) || !isMultiple(qty, step)) {
      throw Errors.filter(type);
    }
  }
}

/**
 * Upper bounds only (LOT_SIZE / MARKET_LOT_SIZE `maxQty`), for the quantity a MARKET order by
 * `quoteOrderQty` executes. @throws ApiError -1013 `Filter failure: LOT_SIZE` / `MARKET_LOT_SIZE`.
 */
export function checkMaxQty(filters: readonly ExchangeFilter[], qty: Decimal): void {
  for (const type of ['LOT_SIZE', 'MARKET_LOT_SIZE']) {
    const max = num(filterOf(filters, type), 'maxQty');
    if (max.gt(0) && qty.gt(max)) throw Errors.filter(type);
  }
}

/**
 * NOTIONAL / MIN_NOTIONAL of a LIMIT order (filters.md): `price × quantity ≥ minNotional` and, for
 * NOTIONAL, `≤ maxNotional` (`applyMinToMarket` etc. only concern MARKET orders).
 * @throws ApiError -1013 `Filter failure: NOTIONAL` / `MIN_NOTIONAL`.
 */
export function checkLimitNotional(filters: readonly ExchangeFilter[], price: Decimal, qty: Decimal): void {
  const notional = price.times(qty);
  const n = filterOf(filters, 'NOTIONAL');
  if (n) {
    const max = num(n, 'maxNotional');
    if (notional.lt(num(n, 'minNotional')) || (max.gt(0) && notional.gt(max)))
      throw Errors.filter('NOTIONAL');
  }
  const m = filterOf(filters, 'MIN_NOTIONAL');
  if (m && notional.lt(num(m, 'minNotional'))) throw Errors.filter('MIN_NOTIONAL');
}

/**
 * NOTIONAL `maxNotional` of a MARKET order when `applyMaxToMarket` (filters.md; the average price is the
 * fill price here). @throws ApiError -1013 `Filter failure: NOTIONAL`.
 */
export function checkMarketMaxNotional(filters: readonly ExchangeFilter[], notional: Decimal): void {
  const n = filterOf(filters, 'NOTIONAL');
  if (n && n.applyMaxToMarket === true) {
    const max = num(n, 'maxNotional');
    if (max.gt(0) && notional.gt(max)) throw Errors.filter('NOTIONAL');
  }
}

/**
 * PERCENT_PRICE and PERCENT_PRICE_BY_SIDE of a LIMIT order (filters.md), with the current price as the
 * average price: `avg × multiplierDown ≤ price ≤ avg × multiplierUp` (bid multipliers for BUY, ask for SELL).
 * @throws ApiError -1013 `Filter failure: PERCENT_PRICE` / `PERCENT_PRICE_BY_SIDE`.
 */
export function checkPercentPrice(
  filters: readonly ExchangeFilter[],
  side: Side,
  price: Decimal,
  avg: Decimal,
): void {
  const pp = filterOf(filters, 'PERCENT_PRICE');
  if (
    pp &&
    (price.gt(avg.times(num(pp, 'multiplierUp'))) || price.lt(avg.times(num(pp, 'multiplierDown'))))
  ) {
    throw Errors.filter('PERCENT_PRICE');
  }
  const ps = filterOf(filters, 'PERCENT_PRICE_BY_SIDE');
  if (ps) {
    const up = num(ps, side === 'BUY' ? 'bidMultiplierUp' : 'askMultiplierUp');
    const down = num(ps, side === 'BUY' ? 'bidMultiplierDown' : 'askMultiplierDown');
    if (price.gt(avg.times(up)) || price.lt(avg.times(down))) throw Errors.filter('PERCENT_PRICE_BY_SIDE');
  }
}

/**
 * MAX_NUM_ORDERS (filters.md): the account may have at most `maxNumOrders` open orders on the symbol.
 * @param open the account's open orders on the symbol before this one.
 * @throws ApiError -1013 `Filter failure: MAX_NUM_ORDERS`.
 */
export function checkMaxNumOrders(filters: readonly ExchangeFilter[], open: number): void {
  const f = filterOf(filters, 'MAX_NUM_ORDERS');
  const max = f ? Number(f.maxNumOrders) : Number.NaN;
  if (Number.isFinite(max) && max > 0 && open >= max) throw Errors.filter('MAX_NUM_ORDERS');
}

/**
 * The filter a §7 model rejection corresponds to for this symbol: `min_notional` → NOTIONAL where the
 * symbol has it, else MIN_NOTIONAL; `zero_quantity` / `min_qty` → MARKET_LOT_SIZE when its step sized
 * the order (step > 0, strategy-semantics.md §6), else LOT_SIZE.
 */
export function modelFilterName(filters: readonly ExchangeFilter[], reason: string): string {
  if (reason === 'min_notional') return filterOf(filters, 'NOTIONAL') ? 'NOTIONAL' : 'MIN_NOTIONAL';
  return num(filterOf(filters, 'MARKET_LOT_SIZE'), 'stepSize').gt(0) ? 'MARKET_LOT_SIZE' : 'LOT_SIZE';
}
