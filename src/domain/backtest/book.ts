/**
 * What a backtest engine's book does and reports, shared by the fast book (exact bigint arithmetic,
 * `fast-book.ts`) and the reference book over the domain modules and the simulated exchange
 * (`src/app/backtest-reference.ts`). Both produce identical events, so the simulation loop and the
 * results do not depend on which one ran.
 */
import type { Side } from '../types.ts';
import type { EligibleSet } from './eligible-set.ts';
import type { RankedTarget } from './fast-universe.ts';

/**
 * One fill, exactly as the results file lists it (`BacktestTrade` of src/app/backtest-result.ts; decimal
 * strings, strategy-semantics.md §7).
 */
export interface BookFill {
  /** UTC day of the fill (at the open), `YYYY-MM-DD`. */
  readonly date: string;
  readonly symbol: string;
  readonly side: Side;
  /** Base quantity q. */
  readonly quantity: string;
  /** Fill price p (slippage included), quote per base. */
  readonly price: string;
  /** q × p, quote. */
  readonly quote_quantity: string;
  /** Commission, in `commission_asset` (base for a BUY, quote for a SELL). */
  readonly commission: string;
  readonly commission_asset: string;
}

/** One rejected order (§7), as the results file lists it (`BacktestRejection`). */
export interface BookRejection {
  readonly date: string;
  readonly symbol: string;
  readonly side: Side;
  /** `zero_quantity`, `min_qty`, `min_notional`, `no_price` or `insufficient_balance`. */
  readonly reason: string;
}

/** Close-of-day marks of a book. */
export interface BookMark {
  /** Equity `cash + Σ h × close` (last known close where no candle), exact decimal string, quote. */
  readonly equity: string;
  /**
   * Market value per held symbol index (float, quote; within a few ulps of the exact value), only when asked
   * for and only of holdings worth at least `minShare` of the equity: `[symbolIndex, value]` in symbol order.
   */
  readonly values?: readonly (readonly [number, number])[];
  /** Cash (float, quote), only with `values`. */
  readonly cash?: number;
}

/** The rejected orders of a book, tallied (what a terminal summary needs, without the list itself). */
export interface RejectionTally {
  /** Number of rejected orders by reason (`zero_quantity`, `no_price`, …). */
  readonly byReason: ReadonlyMap<string, number>;
  /** Per symbol, the day (`YYYY-MM-DD`) of its first `no_price` rejection, in the order they happened. */
  readonly firstNoPrice: ReadonlyMap<string, string>;
}

/** {@link RejectionTally} of a list of rejections. */
export function tallyRejections(list: readonly BookRejection[]): RejectionTally {
  const byReason = new Map<string, number>();
  const firstNoPrice = new Map<string, string>();
  for (const r of list) {
    byReason.set(r.reason, (byReason.get(r.reason) ?? 0) + 1);
    if (r.reason === 'no_price' && !firstNoPrice.has(r.symbol)) firstNoPrice.set(r.symbol, r.date);
  }
  return { byReason, firstNoPrice };
}

/** What a book collects while it runs. */
export interface BookLedger {
  /**
   * Every fill's `q × p` as a float (quote), in order (for `computeMetrics`; within a few ulps of the exact
   * decimal, which is in {@link fills}).
   */
  readonly notionals: number[];
  /** Every fill's commission valued in quote at its fill price, float (same precision), in order. */
  readonly fees: number[];
  /** Number of fills recorded with details. */
  fillCount(): number;
  /** Number of rejected orders recorded with details. */
  rejectionCount(): number;
  /**
   * The fills with their decimal strings (only when the book was asked for details), in order. Built on
   * first call and cached: a book may keep them compact while it runs.
   */
  fills(): readonly BookFill[];
  /** The rejected orders (only with details), in order; built on first call and cached. */
  rejections(): readonly BookRejection[];
  /**
   * Optional: `tallyRejections(rejections())` from a compact form, without building the rejections (the
   * strategy of a long backtest has hundreds of thousands, mostly its dust's zero-quantity SELLs).
   */
  rejectionTally?(): RejectionTally;
}

/** A {@link BookLedger} over plain arrays (for books that have the decimal strings at hand). */
export class ArrayLedger implements BookLedger {
  readonly notionals: number[] = [];
  readonly fees: number[] = [];
  /** The fills, appended by the book. */
  readonly fillList: BookFill[] = [];
  /** The rejected orders, appended by the book. */
  readonly rejectionList: BookRejection[] = [];
  /** See {@link BookLedger.fillCount}. */
  fillCount(): number {
    return this.fillList.length;
  }
  /** See {@link BookLedger.rejectionCount}. */
  rejectionCount(): number {
    return this.rejectionList.length;
  }
  /** See {@link BookLedger.fills} (the array itself). */
  fills(): readonly BookFill[] {
    return this.fillList;
  }
  /** See {@link BookLedger.rejections} (the array itself). */
  rejections(): readonly BookRejection[] {
    return this.rejectionList;
  }
}

/** A portfolio that a simulation drives day by day (strategy-semantics.md §2, §7–§9). */
export interface Book {
  readonly ledger: BookLedger;
  /**
   * §2: converts every holding whose symbol starts a new segment on day `d`:
   * `h := round_down_8(h × close_before / open_after)`. Called first thing every day.
   */
  convertSplits(d: number): void;
  /** One rebalance at the open of day `d` towards `targets` (rank order): SELLs, then BUYs (§7, §8). */
  rebalance(d: number, targets: readonly RankedTarget[]): void;
  /**
   * Optional: the same as {@link rebalance} towards every symbol of `eligible` in rank order, for a book
   * that can do it without sorting them all (the simulation then asks the ranker for the set only).
   */
  rebalanceAll?(d: number, eligible: EligibleSet): void;
  /** A MARKET BUY of `symbolIndex` spending at most `quoteOrderQty` (decimal string) at the open of `d`. */
  buy(d: number, symbolIndex: number, quoteOrderQty: string): void;
  /**
   * Equity at the close of day `d` (§9); with `values`, the cash and the market value of each holding worth
   * at least `minShare × equity` (the rest is dust).
   */
  mark(d: number, values: boolean, minShare?: number): BookMark;
  /**
   * Optional: the intraday hours of day `d` (strategy-semantics.md §10 timeline step 3), after the day's
   * rebalance and before {@link mark}. Books without intraday rules leave it out.
   */
  intraday?(d: number): void;
}
