/**
 * The equal-weight benchmark's set-wise rebalance (FastBook.rebalanceAll, strategy-semantics.md §9 "this
 * strategy with top_n = all eligible") against the ordered one (FastBook.rebalance towards every eligible
 * symbol in rank order, what the simulation did before), on the real bundled data through the real
 * loader and the fast universe: the same books day after day — exact cash and holdings, exact equity — and
 * the same ledger, float notionals and fees in the same order (the metrics sum them as floats, so the order
 * is part of the result).
 *
 * Why they can differ, and what each case pins:
 * - full mode without details buys in symbol order, not in rank order, and skips what cannot change the
 *   book (a SELL of dust, a day where Q = C / K is below every minNotional): the fills must still reach
 *   the ledger in rank order. Each day hands the set over in symbol order while the rank order differs
 *   (checked), so a ledger in symbol order fails the test;
 * - 10,000 USDT over ~2021's ~250 eligible pairs: Q ≈ 40 USDT, most BUYs fill; 600 USDT: Q ≈ 2.4 < 5,
 *   the smallest minNotional of the data, so no BUY can fill (the day's BUY loop is skipped);
 * - delta mode and a book with details take the ordered path inside rebalanceAll: same answers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { BacktestMarket } from '../../../src/app/backtest.ts';
import { type BookParams, FastBook } from '../../../src/domain/backtest/fast-book.ts';
import { FastUniverse } from '../../../src/domain/backtest/fast-universe.ts';
import { MOMENTUM_7D_ALL_PAIRS } from '../../support/backtest-params.ts';
import { bundledMarket } from './bundled-market.ts';

let market: BacktestMarket;

beforeAll(async () => {
  market = await bundledMarket('2020-12-01', '2021-03-31');
});

function params(over: Partial<BookParams>): BookParams {
  return {
    quoteAsset: 'USDT',
    initialQuote: '10000',
    feeRate: '0.001',
    slippageBps: 0,
    rebalanceMode: 'full',
    cashBuffer: 0,
    band: 0,
    details: false,
    ...over,
  };
}

/** Runs both books over `[from, to]`, comparing them every day; returns what was seen. */
function compare(p: BookParams, from: string, to: string) {
  const universe = new FastUniverse(market, MOMENTUM_7D_ALL_PAIRS);
  const setwise = new FastBook(market, p);
  const ordered = new FastBook(market, p);
  let fills = 0;
  let daysOutOfSymbolOrder = 0;
  for (let d = market.dayIndex(Date.parse(`${from}T00:00:00Z`)); market.date(d) <= to; d++) {
    setwise.convertSplits(d);
    ordered.convertSplits(d);
    const ranked = universe.select(d, Number.POSITIVE_INFINITY);
    const set = universe.eligible();
    const bySymbol = [...set.symbols].sort((a, b) => a - b);
    if (bySymbol.some((i, j) => ranked[j]?.symbolIndex !== i)) daysOutOfSymbolOrder++;
    setwise.rebalanceAll(d, { symbols: bySymbol, order: set.order });
    ordered.rebalance(d, ranked);
    expect(setwise.snapshot(), market.date(d)).toEqual(ordered.snapshot());
    expect(setwise.mark(d, false).equity, market.date(d)).toBe(ordered.mark(d, false).equity);
    fills = ordered.ledger.notionals.length;
  }
  expect(setwise.ledger.notionals).toEqual(ordered.ledger.notionals);
  expect(setwise.ledger.fees).toEqual(ordered.ledger.fees);
  expect(setwise.ledger.fillCount()).toBe(ordered.ledger.fillCount());
  expect(setwise.ledger.fills()).toEqual(ordered.ledger.fills());
  expect(setwise.ledger.rejections()).toEqual(ordered.ledger.rejections());
  return { fills, daysOutOfSymbolOrder };
}

describe('FastBook.rebalanceAll equals rebalance towards the whole ranking', () => {
  it('full mode, no details, 10,000 USDT: every fill in rank order in the ledger', () => {
    const seen = compare(params({}), '2021-01-01', '2021-02-15');
    // ~250 eligible pairs, Q ≈ 40 USDT: thousands of fills, on days whose ranking is not symbol order.
    expect(seen.fills).toBeGreaterThan(5000);
    expect(seen.daysOutOfSymbolOrder).toBeGreaterThan(40);
  });

  it('full mode, no details, 600 USDT: Q below every minNotional, nothing bought, same books', () => {
    const seen = compare(params({ initialQuote: '600' }), '2021-01-01', '2021-01-20');
    expect(seen.fills).toBe(0);
  });

  it('full mode with a cash buffer and slippage', () => {
    const seen = compare(params({ cashBuffer: 0.05, slippageBps: 7 }), '2021-02-01', '2021-02-20');
    expect(seen.fills).toBeGreaterThan(1000);
  });

  it('delta mode and a book with details take the ordered path: same books, fills and rejections', () => {
    expect(
      compare(params({ rebalanceMode: 'delta', band: 0.1 }), '2021-01-01', '2021-01-20').fills,
    ).toBeGreaterThan(100);
    expect(compare(params({ details: true }), '2021-01-01', '2021-01-10').fills).toBeGreaterThan(1000);
  });
});
