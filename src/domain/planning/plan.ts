/**
 * The order planner (strategy-semantics.md §5, §7, §8): equal-weight targets and the SELL / BUY orders
 * of one rebalance, in `full` or `delta` mode. Pure and exact (decimals).
 *
 * A rebalance runs in two phases because BUY sizes depend on the cash the SELLs actually raised:
 * {@link planSells} → execute the SELLs → {@link planBuys} with the cash after the sells → execute.
 * SELLs are ordered by symbol, BUYs by rank (§7).
 */
import { type Decimal, type DecimalInput, dec, floorStep, roundDown8, ZERO } from '../decimal.ts';
import type { Side, SymbolRules } from '../types.ts';

/** `full`: sell the whole old basket, then equal-weight the new one; `delta`: trade only the difference. */
export type RebalanceMode = 'full' | 'delta';

/** A non-quote holding going into the rebalance. */
export interface PlanHolding {
  readonly asset: string;
  readonly symbol: string;
  /** Free base quantity. */
  readonly quantity: Decimal;
}

/** A symbol selected for the new basket, in rank order. */
export interface PlanTarget {
  readonly symbol: string;
  readonly asset: string;
  readonly rank: number;
}

/** Prices at the decision day, quote per base. */
export interface PlanPrices {
  /** Unslipped open of D, or null when the symbol has no candle at D. */
  open(symbol: string): Decimal | null;
  /** Last known close at or before D-1 (for valuing what cannot be priced at D), or null. */
  lastClose(symbol: string): Decimal | null;
}

/** Planner parameters (from `[portfolio]`). */
export interface PlanParams {
  readonly mode: RebalanceMode;
  /** Fraction of equity kept in cash, 0 ≤ x < 1. */
  readonly cashBuffer: DecimalInput;
  /** No-trade band around the target (delta mode), fraction. */
  readonly band: DecimalInput;
}

/** One order of the plan. */
export interface PlannedOrder {
  readonly symbol: string;
  readonly asset: string;
  readonly side: Side;
  /** `sell` (exit in full), `trim` (delta: sell down to target) or `buy`. */
  readonly leg: 'sell' | 'trim' | 'buy';
  /** SELL: base quantity, already floored to the symbol's step. */
  readonly quantity: Decimal | null;
  /** BUY: quote to spend, rounded down to 8 decimals. */
  readonly quoteOrderQty: Decimal | null;
  /** Price the order was sized at: open of D, else the last close (quote per base). */
  readonly decisionPrice: Decimal | null;
  /** Why the order exists, for people reading the report. */
  readonly why: string;
}

/** What the sell phase decided, carried into the buy phase. */
export interface SellPhase {
  readonly orders: PlannedOrder[];
  /** Equity at the unslipped open before trading (delta mode; null in full mode). */
  readonly equity: Decimal | null;
  /** Target value per selected symbol T (delta mode; null in full mode). */
  readonly targetValue: Decimal | null;
  /** Value V of each selected symbol's holding before trading (delta mode). */
  readonly heldValue: ReadonlyMap<string, Decimal>;
}

/** Value price of a holding: open of D, else the last known close (§8 delta step 1, §9). */
function valuePrice(prices: PlanPrices, symbol: string): Decimal | null {
  return prices.open(symbol) ?? prices.lastClose(symbol);
}

/**
 * Plans the SELL orders (§8 step 1 of both modes).
 * - full: SELL every non-quote holding in full.
 * - delta: `V_a = h_a × open(a, D)` (last close when no candle at D), `E = cash + Σ V_a`,
 *   `T = E × (1 − cash_buffer) / K`; SELL in full every holding not selected; SELL
 *   `(V − T) / open` of a selected holding with `V > T × (1 + band)`.
 * Quantities are floored to the step with `rules` (§6); an order that floors to 0 is still planned (the
 * exchange model rejects it and the rejection is recorded, §7).
 * @param cash free quote balance before trading.
 * @throws Error when a holding has no price at all (no candle at or before D).
 */
export function planSells(
  holdings: readonly PlanHolding[],
  targets: readonly PlanTarget[],
  cash: Decimal,
  prices: PlanPrices,
  rules: (symbol: string) => SymbolRules,
  params: PlanParams,
): SellPhase {
  const held = holdings.filter((h) => h.quantity.gt(0)).sort((a, b) => cmp(a.symbol, b.symbol));
  const selected = new Map(targets.map((t) => [t.symbol, t]));
  const orders: PlannedOrder[] = [];
  if (params.mode === 'full') {
    for (const h of held) {
      orders.push(
        sell(
          h,
          h.quantity,
          'sell',
          prices,
          rules,
          selected.has(h.symbol) ? 'full rebalance: sell all, rebuy' : 'exit: not in the new basket',
        ),
      );
    }
    return { orders, equity: null, targetValue: null, heldValue: new Map() };
  }
  const K = targets.length;
  const values = new Map<string, Decimal>();
  let equity = cash;
  for (const h of held) {
    const p = valuePrice(prices, h.symbol);
    if (p === null)
      throw new Error(`${h.symbol}: no price at or before the decision day to value the holding`);
    const v = h.quantity.times(p);
    values.set(h.symbol, v);
    equity = equity.plus(v);
  }
  const T = K === 0 ? ZERO : equity.times(dec(1).minus(dec(params.cashBuffer))).div(K);
  const upper = T.times(dec(1).plus(dec(params.band)));
  for (const h of held) {
    if (!selected.has(h.symbol)) {
      orders.push(sell(h, h.quantity, 'sell', prices, rules, 'exit: not in the new basket'));
      continue;
    }
    const V = values.get(h.symbol) as Decimal;
    const open = prices.open(h.symbol);
    if (V.gt(upper)) {
      // No candle at D: the SELL cannot trade; plan it at the whole excess so the rejection is recorded.
      const qWanted = open === null ? h.quantity : V.minus(T).div(open);
      orders.push(sell(h, minDecimal(qWanted, h.quantity), 'trim', prices, rules, 'trim to target'));
    }
  }
  const heldValue = new Map<string, Decimal>();
  for (const t of targets) heldValue.set(t.symbol, values.get(t.symbol) ?? ZERO);
  return { orders, equity, targetValue: T, heldValue };
}

/**
 * Plans the BUY orders after the sells (§8), in rank order.
 * - full: `Q = round_down_8(C × (1 − cash_buffer) / K)` for every selected symbol.
 * - delta: for each selected symbol with `V < T × (1 − band)`, `B = T − V`; when `Σ B` exceeds the cash
 *   after the sells, every `B` is scaled by `cash / Σ B`; `quoteOrderQty = round_down_8(B)`.
 * @param cashAfterSells free quote balance after the SELLs were executed.
 */
export function planBuys(
  targets: readonly PlanTarget[],
  cashAfterSells: Decimal,
  sellPhase: SellPhase,
  prices: PlanPrices,
  params: PlanParams,
): PlannedOrder[] {
  const K = targets.length;
  if (K === 0) return [];
  const ordered = [...targets].sort((a, b) => a.rank - b.rank);
  if (params.mode === 'full') {
    const Q = roundDown8(cashAfterSells.times(dec(1).minus(dec(params.cashBuffer))).div(K));
    return ordered.map((t) => buy(t, Q, prices, `equal weight 1/${K}`));
  }
  const T = sellPhase.targetValue as Decimal;
  const lower = T.times(dec(1).minus(dec(params.band)));
  const wants: { t: PlanTarget; B: Decimal }[] = [];
  let sum = ZERO;
  for (const t of ordered) {
    const V = sellPhase.heldValue.get(t.symbol) ?? ZERO;
    if (V.lt(lower)) {
      const B = T.minus(V);
      wants.push({ t, B });
      sum = sum.plus(B);
    }
  }
  const scale = sum.gt(cashAfterSells) && sum.gt(0) ? cashAfterSells.div(sum) : null;
  return wants.map(({ t, B }) =>
    buy(
      t,
      roundDown8(scale ? B.times(scale) : B),
      prices,
      scale ? 'top up to target (scaled to cash)' : 'top up to target',
    ),
  );
}

function sell(
  h: PlanHolding,
  qWanted: Decimal,
  leg: 'sell' | 'trim',
  prices: PlanPrices,
  rules: (symbol: string) => SymbolRules,
  why: string,
): PlannedOrder {
  return {
    symbol: h.symbol,
    asset: h.asset,
    side: 'SELL',
    leg,
    quantity: floorStep(qWanted, rules(h.symbol).stepSize),
    quoteOrderQty: null,
    decisionPrice: valuePrice(prices, h.symbol),
    why,
  };
}

function buy(t: PlanTarget, Q: Decimal, prices: PlanPrices, why: string): PlannedOrder {
  return {
    symbol: t.symbol,
    asset: t.asset,
    side: 'BUY',
    leg: 'buy',
    quantity: null,
    quoteOrderQty: Q,
    decisionPrice: prices.open(t.symbol),
    why: `${why} (rank ${t.rank})`,
  };
}

function minDecimal(a: Decimal, b: Decimal): Decimal {
  return a.lt(b) ? a : b;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
