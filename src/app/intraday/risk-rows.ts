/**
 * The stored §10 position state (`RiskStateRow`, migration 006) ↔ the domain's `PositionState`, and the
 * state kept right when a rebalance changes the book (strategy-semantics.md §10 "Position state"): a BUY
 * that opens a position resets entry and peak (`P := e`), a delta top-up raises the peak
 * (`P := max(P, p)`), a SELL removes cost pro rata, a token swap (§2) keeps the cost and scales the peak
 * by `open_after / close_before`; every pending exit is cancelled by the rebalance (§10 timeline step 2).
 */
import { type Decimal, dec, decStr } from '../../domain/decimal.ts';
import { isPosition } from '../../domain/risk/is-position.ts';
import {
  applyBuyFill,
  applySellFill,
  buyOpensPosition,
  FLAT,
  type PositionState,
} from '../../domain/risk/position-state.ts';
import type { SymbolRules } from '../../domain/types.ts';
import type { RiskStateRow } from '../../ports/intraday-journal.ts';

/** A stored row as the domain state. */
export function stateOfRow(r: RiskStateRow): PositionState {
  return { costBasis: dec(r.costBasis), holding: dec(r.holding), peak: r.peak === null ? null : dec(r.peak) };
}

/** The domain state as a stored row. */
export function rowOfState(
  symbol: string,
  s: PositionState,
  lastCandleOpenMs: number | null,
  pending: RiskStateRow['pending'],
): RiskStateRow {
  return {
    symbol,
    costBasis: decStr(s.costBasis),
    holding: decStr(s.holding),
    peak: s.peak === null ? null : decStr(s.peak),
    lastCandleOpenMs,
    pending,
  };
}

/** One fill of a rebalance, as the state needs it. */
export interface RebalanceFill {
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  /** Base units executed. */
  readonly quantity: string;
  readonly price: string;
  /** Quote spent or received. */
  readonly quoteQuantity: string;
  /** Commission in `commissionAsset`. */
  readonly commission: string;
  readonly commissionAsset: string;
  /** The order's leg (`sell` = the whole holding, `trim`, `buy`). */
  readonly leg: string;
}

/** What a rebalance tells the risk state. */
export interface RebalanceBookChange {
  /** The stored rows before the rebalance. */
  readonly rows: readonly RiskStateRow[];
  /** §2 conversions of the opening book (asset, quantities before/after, `ratio = close_before / open_after`). */
  readonly adjustments: readonly { readonly asset: string; readonly ratio: string }[];
  /** Holding of each held symbol before the orders (base units, after §2). */
  readonly holdingBefore: (symbol: string) => Decimal;
  /** Decision price of a symbol (open of D / last price), to tell a position from dust (§10). */
  readonly decisionPrice: (symbol: string) => Decimal | null;
  readonly rules: (symbol: string) => SymbolRules;
  /** Base asset of a symbol. */
  readonly baseAssetOf: (symbol: string) => string;
  /** Symbol of a held asset. */
  readonly symbolOfAsset: (asset: string) => string;
  /** The fills in execution order (SELLs before BUYs). */
  readonly fills: readonly RebalanceFill[];
  /** The book's holding of each symbol after the rebalance. */
  readonly holdingAfter: (symbol: string) => Decimal;
  /** Open time of the interval's candle containing the rebalance's fills, UTC ms. */
  readonly fillCandleOpenMs: number;
}

/**
 * The rows after a rebalance (see the module docstring). A new position's last evaluated candle is the
 * one before its fills, so the next pass evaluates the candle it was bought in (§10 timeline).
 * @returns every row with a non-zero holding, pending exits cleared.
 */
export function riskRowsAfterRebalance(c: RebalanceBookChange, intervalMs: number): RiskStateRow[] {
  const states = new Map<string, { s: PositionState; last: number | null }>();
  for (const r of c.rows) states.set(r.symbol, { s: stateOfRow(r), last: r.lastCandleOpenMs });
  for (const a of c.adjustments) {
    const sym = c.symbolOfAsset(a.asset);
    const x = states.get(sym);
    if (!x) continue;
    // §10: C kept, P := P · open_after / close_before = P / ratio; h follows the book below
    const peak = x.s.peak === null ? null : x.s.peak.div(dec(a.ratio));
    states.set(sym, { s: { ...x.s, peak, holding: c.holdingBefore(sym) }, last: x.last });
  }
  const wasPosition = new Map<string, boolean>();
  const soldWhole = new Set<string>();
  for (const f of c.fills) {
    if (!wasPosition.has(f.symbol)) {
      const p = c.decisionPrice(f.symbol);
      const h = c.holdingBefore(f.symbol);
      wasPosition.set(f.symbol, p !== null && !h.isZero() && isPosition(h, p, c.rules(f.symbol)));
    }
    const x = states.get(f.symbol) ?? { s: { ...FLAT, holding: c.holdingBefore(f.symbol) }, last: null };
    const q = dec(f.quantity);
    if (f.side === 'SELL') {
      if (f.leg === 'sell') soldWhole.add(f.symbol);
      const s = x.s.holding.isZero() ? x.s : applySellFill(x.s, q.gt(x.s.holding) ? x.s.holding : q);
      states.set(f.symbol, { s, last: x.last });
      continue;
    }
    const fee = f.commissionAsset === c.baseAssetOf(f.symbol) ? dec(f.commission) : dec(0);
    const opens = buyOpensPosition(wasPosition.get(f.symbol) ?? false, soldWhole.has(f.symbol));
    const s = applyBuyFill(
      x.s,
      { price: dec(f.price), quoteQuantity: dec(f.quoteQuantity), baseDelta: q.minus(fee) },
      opens,
    );
    states.set(f.symbol, { s, last: opens ? c.fillCandleOpenMs - intervalMs : x.last });
  }
  const out: RiskStateRow[] = [];
  for (const [symbol, x] of [...states].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const h = c.holdingAfter(symbol);
    if (h.isZero()) continue;
    // the book is the truth for the holding (e.g. a commission paid in BNB); the cost basis is kept
    const s = h.eq(x.s.holding) ? x.s : { ...x.s, holding: h };
    out.push(rowOfState(symbol, s, x.last, null));
  }
  return out;
}
