/**
 * Exchange-side stops in the intraday pass (`[intraday] stop_on_exchange = true`; issue 10 items 4 and 7):
 * a stop whose level and quantity are unchanged stays resting on the exchange; only a stop that triggered
 * is booked, only a position that exits at the market has its stop cancelled first, and only a stop whose
 * trailed level or quantity changed is cancelled and placed again. Requests per pass with `n` stops
 * resting and none moved: one (`GET /api/v3/openOrders`, or `GET /api/v3/order` for a single stop)
 * instead of `2n` (a cancel and a new order each) — README "Exchange-side stops".
 */
import { dec } from '../../domain/decimal.ts';
import type { RiskSettings } from '../../domain/risk/risk-settings.ts';
import type { SymbolRules } from '../../domain/types.ts';
import type { OrderOutcome } from '../../ports/exchange.ts';
import type { RiskStateRow } from '../../ports/intraday-journal.ts';
import type { OpenStopRow } from '../../ports/stop-journal.ts';
import {
  afterStopFills,
  cancelStop,
  completeStop,
  type ExchangeStopsDeps,
  type PlaceStopsContext,
  placeStop,
  type SettleStopsContext,
  soldFrom,
  stopOrdersOf,
  stopTarget,
} from '../trading/exchange-stops.ts';

/** The stops resting on the exchange (and `NEW` in the ledger), by symbol. */
export type RestingStops = Map<string, OpenStopRow>;

/**
 * At the start of a pass (after crash recovery, before the positions are read): which of the stops the
 * ledger has `NEW` still rest on the exchange. One stop: looked up by clientOrderId; several: one
 * `openOrders` request for the account, then a lookup of each one not listed. A stop no longer open is
 * completed — triggered → booked as an intraday exit ({@link completeStop}), exactly once; cancelled
 * elsewhere → `CANCELED` (a new one is placed at the end of the pass).
 * @returns the resting stops by symbol and the symbols whose stop had filled.
 * @throws what the exchange or the ledger throws (the stops then stay `NEW`: the next pass checks again).
 */
export async function checkRestingStops(
  deps: ExchangeStopsDeps,
  ctx: SettleStopsContext,
): Promise<{ resting: RestingStops; filled: string[] }> {
  const resting: RestingStops = new Map();
  const stops = stopOrdersOf(deps.exchange);
  if (stops === null || ctx.dryRun) return { resting, filled: [] };
  const open = await deps.ledger.openStops(ctx.accountId);
  if (open.length === 0) return { resting, filled: [] };
  const listed = open.length === 1 ? null : new Set((await stops.openOrders()).map((o) => o.clientOrderId));
  const filled: string[] = [];
  // one stop per symbol: an older one still resting beside a newer one is cancelled (it would lock units)
  const keep = async (stop: OpenStopRow) => {
    const older = resting.get(stop.symbol);
    resting.set(stop.symbol, stop);
    if (older && (await cancelStop(deps, ctx, stops, older))) filled.push(older.symbol);
  };
  for (const stop of open) {
    if (listed?.has(stop.clientOrderId)) {
      await keep(stop);
      continue;
    }
    const outcome = await deps.exchange.queryOrder(stop.symbol, stop.clientOrderId);
    if (stillResting(outcome)) {
      await keep(stop);
      continue;
    }
    if (await completeStop(deps, ctx, stop, outcome)) filled.push(stop.symbol);
  }
  if (filled.length > 0) afterStopFills(ctx);
  return { resting, filled };
}

/**
 * Right before the pass's market SELLs (after the exchange's balances were read and reconciled): the
 * resting stop of each symbol about to be sold is cancelled (it locks the units); one that triggered in
 * between is booked instead — its fills then count in the run's exchange delta, so the reconciliation
 * after the SELLs still adds up — and that symbol is not sold again.
 * @returns the symbols whose stop had filled (drop their SELL).
 * @throws what the exchange or the ledger throws.
 */
export async function cancelBeforeSells(
  deps: ExchangeStopsDeps,
  ctx: SettleStopsContext,
  resting: RestingStops,
  symbols: readonly string[],
): Promise<string[]> {
  const stops = stopOrdersOf(deps.exchange);
  if (stops === null) return [];
  const filled: string[] = [];
  for (const sym of symbols) {
    const stop = resting.get(sym);
    if (!stop) continue;
    resting.delete(sym);
    if (await cancelStop(deps, ctx, stops, stop)) filled.push(sym);
  }
  if (filled.length > 0) afterStopFills(ctx);
  return filled;
}

/** What {@link syncStops} runs with. */
export interface SyncStopsContext extends SettleStopsContext, PlaceStopsContext {
  readonly risk: RiskSettings;
  readonly rules: (symbol: string) => SymbolRules;
}

/**
 * At the end of the pass, with the positions' next §10 states: each position's stop (stopTarget) is
 * kept when one rests at the same stopPrice and quantity; otherwise the resting one is cancelled (booked
 * if it had triggered: the state follows) and the new one placed. A resting stop of a symbol no longer
 * held is cancelled.
 * @returns the next states, with the sales of stops found filled here applied (§10: `C -= C·q/h`).
 * @throws what the exchange or the ledger throws.
 */
export async function syncStops(
  deps: ExchangeStopsDeps,
  ctx: SyncStopsContext,
  resting: RestingStops,
  rows: readonly RiskStateRow[],
): Promise<{ rows: RiskStateRow[]; kept: number; replaced: number; placed: number }> {
  const stops = stopOrdersOf(deps.exchange);
  const next = [...rows];
  const count = { kept: 0, replaced: 0, placed: 0 };
  if (stops === null || ctx.run === null || ctx.dryRun) return { rows: next, ...count };
  const held = new Set(rows.map((r) => r.symbol));
  for (const [sym, stop] of resting) {
    if (held.has(sym)) continue;
    resting.delete(sym);
    await cancelStop(deps, ctx, stops, stop); // a fill is booked; the symbol has no state to follow
  }
  for (let i = 0; i < next.length; i++) {
    const row = next[i] as RiskStateRow;
    const target = ctx.risk.stopOnExchange ? stopTarget(row, ctx.risk, ctx.rules(row.symbol)) : null;
    const old = resting.get(row.symbol);
    if (old && target && dec(old.stopPrice).eq(target.stopPrice) && dec(old.quantity).eq(target.quantity)) {
      count.kept += 1;
      continue;
    }
    if (old) {
      resting.delete(row.symbol);
      const before = ctx.book.get(ctx.baseAssetOf(row.symbol) ?? '');
      if (await cancelStop(deps, ctx, stops, old)) {
        const sold = before.minus(ctx.book.get(ctx.baseAssetOf(row.symbol) ?? ''));
        next[i] = soldFrom(row, sold);
        continue; // sold by its stop: a remainder gets its stop at the next pass
      }
      if (target) count.replaced += 1;
    } else if (target) count.placed += 1;
    if (target) await placeStop(deps, ctx, stops, target);
  }
  return { rows: next, ...count };
}

/**
 * The exchange held less than the book right before the pass's SELLs: a resting stop of one of those
 * assets may have triggered since {@link checkRestingStops}. Each such stop (`suspects`) is looked up by
 * clientOrderId; one no longer open is completed (a filled one booked) and leaves `resting`. When any
 * filled, the caller reads the exchange's balances again and reconciles once more.
 * @returns the symbols whose stop had filled.
 * @throws what the exchange or the ledger throws.
 */
export async function recheckStops(
  deps: ExchangeStopsDeps,
  ctx: SettleStopsContext,
  resting: RestingStops,
  suspects: readonly OpenStopRow[],
): Promise<string[]> {
  const filled: string[] = [];
  for (const stop of suspects) {
    const outcome = await deps.exchange.queryOrder(stop.symbol, stop.clientOrderId);
    if (stillResting(outcome)) continue;
    resting.delete(stop.symbol);
    if (await completeStop(deps, ctx, stop, outcome)) filled.push(stop.symbol);
  }
  if (filled.length > 0) afterStopFills(ctx);
  return filled;
}

/** A stop order the exchange still holds untouched: NEW with nothing executed (null: the order is unknown). */
function stillResting(outcome: OrderOutcome | null): boolean {
  return outcome !== null && outcome.status === 'NEW' && dec(outcome.executedQty).isZero();
}
