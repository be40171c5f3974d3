/**
 * The book a rebalance starts from: the ledger's balances and average-cost positions, with the holdings
 * of a token swap or redenomination since the last run converted (strategy-semantics.md §2).
 */
import type { Logger } from 'pino';
import type { Position } from '../../domain/accounting/average-cost.ts';
import { convertHoldings } from '../../domain/accounting/token-swap.ts';
import { type Decimal, dec, decStr } from '../../domain/decimal.ts';
import { DAY_MS, dayToMs, msToDay } from '../../domain/time.ts';
import type { Balance } from '../../domain/types.ts';
import type { SymbolHistory } from '../../domain/universe/eligibility.ts';
import type { PositionRow, RunRow } from '../../ports/ledger-rows.ts';
import type { RebalanceResult } from '../rebalance-result.ts';
import type { MarketSnapshot } from '../trading/market-snapshot.ts';
import { totals } from '../trading/reconciler.ts';

/** Balances (asset → quantity, incl. the quote asset) and positions by asset, after §2 conversions. */
export interface OpeningBook {
  readonly balances: Map<string, Decimal>;
  readonly positions: Map<string, Position>;
  readonly adjustments: RebalanceResult['adjustments'];
}

/**
 * The ledger's saved state as the book's maps: balance totals (free + locked, asset units, incl. the
 * quote asset) and average-cost positions by asset, all exact decimals. No conversion (see
 * {@link openingBook} for §2).
 */
export function bookOfState(state: {
  readonly balances: readonly Balance[];
  readonly positions: readonly PositionRow[];
}): { balances: Map<string, Decimal>; positions: Map<string, Position> } {
  const positions = new Map<string, Position>(
    state.positions.map((p) => [
      p.asset,
      {
        asset: p.asset,
        symbol: p.symbol,
        quantity: dec(p.quantity),
        costBasis: dec(p.costBasis),
        realizedPnl: dec(p.realizedPnl),
        feesQuote: dec(p.feesQuote),
      },
    ]),
  );
  return { balances: totals(state.balances), positions };
}

/** A book position as the ledger's row (exact decimal strings; the reverse of {@link bookOfState}'s positions). */
export function positionRowOf(p: Position): PositionRow {
  return {
    asset: p.asset,
    symbol: p.symbol,
    quantity: decStr(p.quantity),
    costBasis: decStr(p.costBasis),
    realizedPnl: decStr(p.realizedPnl),
    feesQuote: decStr(p.feesQuote),
  };
}

/**
 * Builds the opening book from the ledger state; converts holdings whose segment split between
 * `sinceMs` (the last run's day, −∞ for none) and `dayMs`, logging each conversion.
 */
export function openingBook(
  state: { readonly balances: readonly Balance[]; readonly positions: readonly PositionRow[] },
  quoteAsset: string,
  historyOf: ReadonlyMap<string, SymbolHistory>,
  sinceMs: number,
  dayMs: number,
  log: Logger,
): OpeningBook {
  const { balances, positions } = bookOfState(state);
  const swap = convertHoldings(
    balances,
    quoteAsset,
    (asset) => historyOf.get(positions.get(asset)?.symbol ?? asset + quoteAsset)?.splits ?? [],
    sinceMs,
    dayMs,
  );
  const adjustments = swap.adjustments.map(({ dayMs: day, ...a }) => {
    log.warn(
      { asset: a.asset, day: msToDay(day), before: a.quantity_before, after: a.quantity_after },
      'token swap / redenomination: holding converted (§2)',
    );
    return a;
  });
  for (const [asset, h] of swap.changed) {
    balances.set(asset, h);
    const pos = positions.get(asset);
    if (pos) positions.set(asset, { ...pos, quantity: h });
  }
  return { balances, positions, adjustments };
}

/**
 * Loads the candles of the held symbols into `snap` — replay: the whole history up to D; a real exchange:
 * from the day before the last run (splits since then, §2), at least the lookback window (marks use the
 * live prices) — and builds the {@link openingBook} with the conversions since the last run.
 */
export async function loadOpeningBook(
  state: { readonly balances: readonly Balance[]; readonly positions: readonly PositionRow[] },
  snap: MarketSnapshot,
  quoteAsset: string,
  last: RunRow | null,
  log: Logger,
): Promise<OpeningBook> {
  const sinceLastRun = last ? dayToMs(last.period) - DAY_MS : snap.windowFromMs;
  const heldFrom = snap.live ? Math.min(snap.windowFromMs, sinceLastRun) : 0;
  const held = state.positions.filter((p) => !dec(p.quantity).isZero()).map((p) => p.symbol);
  await snap.loadHeld(held, heldFrom);
  const sinceMs = last ? dayToMs(last.period) : Number.NEGATIVE_INFINITY;
  return openingBook(state, quoteAsset, snap.historyOf, sinceMs, snap.day.dayMs, log);
}
