/**
 * The guards a rebalance passes before any order (issue 9.1–9.3, 14.1–14.4). A refusal guard returns a
 * {@link Refusal} (the run is recorded `refused` and trades nothing) or null; a guard against bad input or
 * bad data throws the error the CLI maps to its exit code.
 */
import { dec } from '../../domain/decimal.ts';
import { DAY_MS, dayToMs, msToDay } from '../../domain/time.ts';
import type { AccountRow, ReconciliationRow, RunRow } from '../../ports/ledger-rows.ts';
import type { MarketCaps } from '../../ports/market-caps.ts';
import { InvalidMarketDataError, StaleDataError, UserInputError, VenueMismatchError } from '../errors.ts';

/** The local clock may differ from the exchange's by this much near a period boundary (14.4), ms. */
export const CLOCK_TOLERANCE_MS = 5_000;
/** "Near a period boundary": this close to 00:00 UTC of the exchange's clock, either side, ms. */
export const BOUNDARY_WINDOW_MS = 5 * 60_000;
/** Market-cap snapshots older than this are ignored (§4 filter 7), days. */
export const MAX_CAP_AGE_DAYS = 45;

/** Why a guard stopped the run before any order: the guard's name and the reason recorded with the run. */
export interface Refusal {
  readonly guard: 'clock' | 'empty_universe' | 'reconciliation';
  readonly reason: string;
}

/** What the run trades on: the account name, the exchange kind and venue, and the quote asset. */
export interface VenueOfRun {
  readonly account: string;
  readonly exchangeKind: string;
  readonly venue: string;
  readonly quoteAsset: string;
}

/**
 * One book per venue (issue 9.1): the account's book must belong to this run's exchange kind and venue,
 * and be kept in its quote asset. @throws VenueMismatchError (exit 78) naming both venues, or
 * UserInputError for another quote asset — before any request to the exchange.
 */
export function assertVenue(account: AccountRow, run: VenueOfRun): void {
  if (account.exchangeKind !== run.exchangeKind || (account.venue !== null && account.venue !== run.venue)) {
    throw new VenueMismatchError(
      `account "${run.account}" keeps the book of ${account.venue ?? account.exchangeKind}, but this run trades on ${run.venue}; nothing was sent. Use the account of that venue (default: the exchange kind, e.g. --account ${run.exchangeKind === 'replay' ? 'replay' : run.exchangeKind}) or another account name ([paper] account / --account NAME).`,
      account.venue ?? account.exchangeKind,
      run.venue,
    );
  }
  if (account.quoteAsset !== run.quoteAsset) {
    throw new UserInputError(
      `account "${run.account}" keeps its books in ${account.quoteAsset}, but [universe] quote_asset = ${run.quoteAsset}; use another account ([paper] account / --account)`,
    );
  }
}

/**
 * 14.4: the period comes from the exchange's clock; near 00:00 UTC a local clock that disagrees with it
 * by more than {@link CLOCK_TOLERANCE_MS} could name another day (and schedule a second run the same
 * day). @returns the refusal, or null when the clocks agree, the boundary is far, or the exchange's clock
 * is a day or more away (a replayed history, e.g. the emulator, whose day is the period as always).
 * @param exchangeNow the exchange's clock (UTC ms); localNow the local clock; dayMs the decision day.
 */
export function clockGuard(exchangeNow: number, localNow: number, dayMs: number): Refusal | null {
  const skew = localNow - exchangeNow;
  const sinceMidnight = exchangeNow - dayMs;
  const nearBoundary = sinceMidnight < BOUNDARY_WINDOW_MS || DAY_MS - sinceMidnight < BOUNDARY_WINDOW_MS;
  if (Math.abs(skew) <= CLOCK_TOLERANCE_MS || Math.abs(skew) >= DAY_MS || !nearBoundary) return null;
  return {
    guard: 'clock',
    reason: `refused: the local clock is ${(Math.abs(skew) / 1000).toFixed(1)} s ${skew < 0 ? 'behind' : 'ahead of'} the exchange (${new Date(exchangeNow).toISOString()}) within ${BOUNDARY_WINDOW_MS / 60_000} min of a UTC day boundary; nothing was traded. Synchronise the clock (NTP) and run again.`,
  };
}

/**
 * Runs move forward in time. @throws UserInputError when the account's last completed rebalance is of a
 * later period than `period`.
 */
export function assertForward(account: string, last: RunRow | null, period: string): void {
  if (last && last.period > period) {
    throw new UserInputError(
      `account "${account}" was already rebalanced for a later period (${last.period}); runs must move forward in time. Choose the decision day ${last.period} or later, or another paper account (--account NAME).`,
    );
  }
}

/**
 * Why the period needs no run (§1): `already_rebalanced`, `not_due: …`, or null to go ahead (always null
 * when `force`).
 */
export function skipGuard(
  last: RunRow | null,
  period: string,
  everyDays: number,
  force: boolean,
): string | null {
  if (force || !last) return null;
  if (last.period === period) return 'already_rebalanced';
  const days = (dayToMs(period) - dayToMs(last.period)) / DAY_MS;
  if (days < everyDays) return `not_due: last rebalance ${last.period}, rebalance_every_days = ${everyDays}`;
  return null;
}

/**
 * 9.3: on a real run with a market-cap filter, no snapshot within {@link MAX_CAP_AGE_DAYS} of D would
 * make every symbol `no_market_cap` and sell the whole basket silently.
 * @throws StaleDataError naming the source and its latest snapshot day.
 */
export async function assertFreshCaps(
  caps: Pick<MarketCaps, 'capsAt' | 'source'>,
  found: number,
  dayMs: number,
): Promise<void> {
  if (found > 0) return;
  const latest = await caps.capsAt(dayMs, 36_500);
  const lastMs = Math.max(...[...latest.values()].map((c) => c.snapshotMs), Number.NEGATIVE_INFINITY);
  throw new StaleDataError(
    `market caps (${caps.source ?? 'the configured source'}): ${
      Number.isFinite(lastMs) ? `the latest snapshot is of ${msToDay(lastMs)}` : 'no snapshot at all'
    }, older than the ${MAX_CAP_AGE_DAYS} days allowed for decision day ${msToDay(dayMs)} (strategy-semantics.md §4 filter 7); nothing was traded. Update the market-cap data, or set min_market_cap = 0.`,
  );
}

/**
 * 9.3: zero eligible symbols would sell the whole basket into cash (§5); a live or replay run refuses
 * unless `allowEmpty`. @param excluded the exclusion counts for the message (`no_market_cap 12, …`).
 */
export function emptyUniverseGuard(
  selected: number,
  allowEmpty: boolean,
  period: string,
  excluded: string,
): Refusal | null {
  if (selected > 0 || allowEmpty) return null;
  return {
    guard: 'empty_universe',
    reason: `refused: no eligible symbol on ${period} (${excluded}); nothing was traded. Set allow_empty = true in [universe] to sell into cash.`,
  };
}

/**
 * 9.2 / 14.3: an exchange holding LESS of an asset than the book manages trades nothing.
 * @param what the run's own reason when it is refused for this (e.g. the skip reason), or undefined.
 * @returns the refusal naming each asset `held < managed`, or null.
 */
export function reconciliationGuard(rows: readonly ReconciliationRow[], what?: string): Refusal | null {
  const less = rows.filter((r) => dec(r.difference).isNegative());
  if (less.length === 0) return null;
  const list = less.map((r) => `${r.asset} ${r.actual} < ${r.expected}`).join(', ');
  return {
    guard: 'reconciliation',
    reason:
      what === undefined
        ? `refused: the exchange holds less than the ledger manages (${list}); nothing was traded`
        : `refused: ${what}, but the exchange holds less than the ledger manages (${list})`,
  };
}

/**
 * 14.2: the decision price of every symbol we may trade must be a positive decimal. A symbol that must
 * have one (`required`: TRADING on a real exchange) and has none, or any price <= 0 or not a number, is an
 * {@link InvalidMarketDataError} naming the source, the symbol and the field.
 */
export function assertDecisionPrices(
  symbols: readonly string[],
  priceOf: (symbol: string) => string | null,
  required: (symbol: string) => boolean,
  source: string,
  field: string,
): void {
  for (const sym of symbols) {
    const p = priceOf(sym);
    if (p === null) {
      if (required(sym)) {
        throw new InvalidMarketDataError(
          `${source}: no ${field} for ${sym}, a symbol this run may trade (empty or incomplete answer); nothing was sent`,
        );
      }
      continue;
    }
    let ok = false;
    try {
      ok = dec(p).gt(0);
    } catch {
      ok = false;
    }
    if (!ok) {
      throw new InvalidMarketDataError(
        `${source}: ${sym} ${field} = ${JSON.stringify(p)} is not a price > 0; nothing was sent`,
      );
    }
  }
}
