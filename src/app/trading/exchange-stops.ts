/**
 * Exchange-side stops (`[intraday] stop_on_exchange = true`, issue 10 item 7; strategy-semantics.md §10):
 * after a rebalance's BUYs a STOP_LOSS SELL rests on the exchange at each position's stop level `S`; before
 * the next rebalance reconciles (and trades), every stop the ledger has `NEW` is cancelled — one that
 * triggered in between comes back with its fills, which are booked as an intraday exit at the stop, in
 * one ledger transaction. The intraday pass keeps the stops that still fit (src/app/intraday/pass-stops.ts)
 * with the pieces exported here.
 * Real exchanges only (testnet, live); a dry run neither places nor cancels. Gap risk: a triggered stop is
 * a MARKET order and may fill far below `S` (README "Exchange-side stops").
 */
import type { Logger } from 'pino';
import { commissionInQuote, type QuotePriceOf } from '../../domain/accounting/commission.ts';
import { clientOrderId } from '../../domain/client-order-id.ts';
import { type Decimal, dec, decStr, floorStep } from '../../domain/decimal.ts';
import { isPosition } from '../../domain/risk/is-position.ts';
import { computeLevels } from '../../domain/risk/levels.ts';
import { applySellFill } from '../../domain/risk/position-state.ts';
import type { RiskSettings } from '../../domain/risk/risk-settings.ts';
import type { SymbolRules } from '../../domain/types.ts';
import type { AccountBook } from '../../ports/account-book.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Exchange, OrderOutcome } from '../../ports/exchange.ts';
import type { IntradayExitRow, IntradayJournal, RiskStateRow } from '../../ports/intraday-journal.ts';
import type { FillRow, OrderOutcomeRow, RunRow } from '../../ports/ledger-rows.ts';
import type { OrderJournal } from '../../ports/order-journal.ts';
import type { OpenStopRow, StopJournal } from '../../ports/stop-journal.ts';
import type { StopOrders } from '../../ports/stop-orders.ts';
import { bookOfState, positionRowOf } from '../rebalance/opening-book.ts';
import { fillRow } from './order-rows.ts';
import { TradingBook } from './trading-book.ts';

/** What the stops run on. */
export interface ExchangeStopsDeps {
  readonly exchange: Exchange;
  readonly ledger: StopJournal & OrderJournal & IntradayJournal & Pick<AccountBook, 'loadState'>;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** The exchange's stop-order calls, or null for an exchange without resting orders (replay, paper). */
export function stopOrdersOf(exchange: Exchange): StopOrders | null {
  if (exchange.kind !== 'testnet' && exchange.kind !== 'live') return null;
  const s = exchange as Exchange & Partial<StopOrders>;
  return typeof s.placeStopLoss === 'function' && typeof s.cancelStop === 'function'
    ? (s as StopOrders)
    : null;
}

/** What {@link settleExchangeStops} books into. */
export interface SettleStopsContext {
  readonly accountId: string;
  readonly quoteAsset: string;
  /** A dry run: nothing is cancelled. */
  readonly dryRun: boolean;
  /** The run's book: a triggered stop's fills are booked into it (its exchange delta is then cleared). */
  readonly book: TradingBook;
  /** The plan's start balances: set to the book's when a stop filled (the plan never sells it twice). */
  readonly balances: Map<string, Decimal>;
  readonly baseAssetOf: (symbol: string) => string | undefined;
  readonly priceOf: QuotePriceOf;
}

/**
 * Cancels every stop the ledger has `NEW` for the account (whatever `stop_on_exchange` says now: a stop
 * left from before is never kept unseen) and completes it: `CANCELED` when nothing executed; triggered
 * (FILLED, or partly) → its outcome and fills, the fills booked into the book and the plan's balances,
 * an intraday exit (reason and level = the stop's) and the position's §10 state reduced (§10: a SELL of
 * `q` removes `C·q/h`). Exits and states are written under the run that placed the stop.
 * Call before the exchange's balances are read for the reconciliation.
 * @returns the symbols whose stop had filled (in part or in full).
 * @throws what the exchange or the ledger throws (the stop then stays `NEW`: the next run cancels it).
 */
export async function settleExchangeStops(
  deps: ExchangeStopsDeps,
  ctx: SettleStopsContext,
): Promise<string[]> {
  const stops = stopOrdersOf(deps.exchange);
  if (stops === null || ctx.dryRun) return [];
  const open = await deps.ledger.openStops(ctx.accountId);
  const filled: string[] = [];
  for (const stop of open) if (await cancelStop(deps, ctx, stops, stop)) filled.push(stop.symbol);
  if (filled.length > 0) afterStopFills(ctx);
  return filled;
}

/**
 * Cancels one stop the ledger has `NEW` and completes it: `CANCELED` when nothing executed; triggered
 * (FILLED, or partly) → booked ({@link bookTriggeredStop}).
 * @returns true when it had filled (in part or in full) and was booked by this call.
 * @throws what the exchange or the ledger throws (the stop then stays `NEW`).
 */
export async function cancelStop(
  deps: ExchangeStopsDeps,
  ctx: SettleStopsContext,
  stops: StopOrders,
  stop: OpenStopRow,
): Promise<boolean> {
  const outcome = await stops.cancelStop(stop.symbol, stop.clientOrderId);
  return completeStop(deps, ctx, stop, outcome);
}

/**
 * Completes a stop the exchange no longer has open, from its final outcome (a cancel's answer or a
 * lookup by clientOrderId): nothing executed (or unknown) → `CANCELED`; executed → booked.
 * @returns true when it had filled and was booked by this call.
 */
export async function completeStop(
  deps: ExchangeStopsDeps,
  ctx: SettleStopsContext,
  stop: OpenStopRow,
  outcome: OrderOutcome | null,
): Promise<boolean> {
  const executed = outcome && outcome.status !== 'REJECTED' ? dec(outcome.executedQty) : dec(0);
  if (outcome === null || outcome.status === 'REJECTED' || executed.isZero()) {
    await deps.ledger.completeOrder(stop.id, canceledRow(outcome), []);
    deps.logger.info({ symbol: stop.symbol, clientOrderId: stop.clientOrderId }, 'exchange stop cancelled');
    return false;
  }
  return bookTriggeredStop(deps, ctx, stop, outcome);
}

/**
 * After stop fills were booked and before the exchange's balances are read for the reconciliation: the
 * balances will include the fills, so the run's exchange delta starts again, and the plan's balances
 * follow the book (the plan never sells a stopped position twice).
 */
export function afterStopFills(ctx: SettleStopsContext): void {
  ctx.book.exchangeDelta.clear();
  ctx.balances.clear();
  for (const [asset, v] of ctx.book.managed) if (!v.isZero()) ctx.balances.set(asset, v);
}

/**
 * Books a stop that triggered (see {@link settleExchangeStops}): the run's book and the plan's balances in
 * memory, and in the ledger in ONE transaction (StopJournal.bookTriggeredStop) its outcome and fills, its
 * intraday exit, the position's §10 state and the saved book — so a kill at any point leaves either the
 * stop `NEW` (the next run finds it filled and books it) or everything booked (the next run starts from a
 * book that shows the sale: no refusal, no second sale).
 * @returns false when the ledger had it booked already (the run's book is then left as it was).
 */
async function bookTriggeredStop(
  deps: ExchangeStopsDeps,
  ctx: SettleStopsContext,
  stop: OpenStopRow,
  outcome: Exclude<OrderOutcome, { status: 'REJECTED' }>,
): Promise<boolean> {
  const baseAsset = ctx.baseAssetOf(stop.symbol) ?? stop.symbol.slice(0, -ctx.quoteAsset.length);
  // The saved book (the last saved state) after the stop's fills: written with the booking.
  const saved = bookOfState(await deps.ledger.loadState(ctx.accountId));
  const savedBook = new TradingBook(ctx.quoteAsset, ctx.baseAssetOf, saved.balances, saved.positions);
  const fills: FillRow[] = [];
  const fees: Decimal[] = [];
  const moved = new Set([baseAsset, ctx.quoteAsset]);
  for (const f of outcome.fills) {
    const fee = commissionInQuote(
      f.commission,
      f.commissionAsset,
      f.price,
      baseAsset,
      ctx.quoteAsset,
      ctx.priceOf,
    );
    fees.push(fee);
    savedBook.bookFill(baseAsset, stop.symbol, 'SELL', f, fee);
    moved.add(f.commissionAsset);
    fills.push(fillRow(stop.symbol, 'SELL', f, fee, outcome.transactTime));
  }
  const qty = dec(outcome.executedQty);
  const avg = dec(outcome.cummulativeQuoteQty).div(qty);
  const level = dec(stop.stopPrice);
  // Fill against the level, bps, positive = worse (a SELL below the stop): the gap risk, measured.
  const slippage = level.minus(avg).div(level).times(10_000).toNumber();
  const row: OrderOutcomeRow = {
    status: outcome.status,
    exchangeOrderId: outcome.exchangeOrderId,
    executedQty: decStr(qty),
    cummulativeQuoteQty: outcome.cummulativeQuoteQty,
    avgPrice: decStr(avg),
    slippageBps: slippage,
    rejectCode: null,
    rejectReason: null,
    rejectMessage: null,
    transactTime: outcome.transactTime,
    latencyMs: null,
  };
  const exit: IntradayExitRow = {
    at: outcome.transactTime,
    symbol: stop.symbol,
    reason: stop.reason,
    level: stop.stopPrice,
    decisionPrice: stop.stopPrice,
    quantity: decStr(qty),
    price: decStr(avg),
    slippageBps: slippage,
    clientOrderId: stop.clientOrderId,
  };
  const state = (await deps.ledger.riskStates(ctx.accountId)).find((s) => s.symbol === stop.symbol);
  const position = savedBook.positions.get(baseAsset);
  const booked = await deps.ledger.bookTriggeredStop({
    accountId: ctx.accountId,
    stop,
    outcome: row,
    fills,
    exit,
    risk: state ? soldFrom(state, qty) : null,
    book: {
      balances: [...moved].map((asset) => ({ asset, free: decStr(savedBook.get(asset)), locked: '0' })),
      positions: position ? [positionRowOf(position)] : [],
    },
  });
  if (!booked) {
    deps.logger.warn(
      { symbol: stop.symbol, clientOrderId: stop.clientOrderId },
      'exchange stop booked already',
    );
    return false;
  }
  outcome.fills.forEach((f, i) => {
    ctx.book.bookFill(baseAsset, stop.symbol, 'SELL', f, fees[i] as Decimal);
  });
  deps.logger.warn(
    { symbol: stop.symbol, stopPrice: stop.stopPrice, executedQty: decStr(qty), avgPrice: decStr(avg) },
    `exchange stop ${stop.reason} had triggered: its fills are booked as an intraday exit`,
  );
  return true;
}

/** A position state after a SELL of `q` (§10: `C -= C·q/h`); a SELL beyond the holding empties it. */
export function soldFrom(s: RiskStateRow, q: Decimal): RiskStateRow {
  const holding = dec(s.holding);
  if (q.gte(holding)) return { ...s, costBasis: '0', holding: '0' };
  const after = applySellFill({ costBasis: dec(s.costBasis), holding, peak: s.peak ? dec(s.peak) : null }, q);
  return { ...s, costBasis: decStr(after.costBasis), holding: decStr(after.holding) };
}

/** The ledger outcome of a stop cancelled with nothing executed (or unknown to the exchange). */
function canceledRow(outcome: OrderOutcome | null): OrderOutcomeRow {
  const known = outcome !== null && outcome.status !== 'REJECTED';
  return {
    status: 'CANCELED',
    exchangeOrderId: known ? outcome.exchangeOrderId : null,
    executedQty: '0',
    cummulativeQuoteQty: '0',
    avgPrice: null,
    slippageBps: null,
    rejectCode: outcome?.status === 'REJECTED' ? outcome.code : null,
    rejectReason: known ? null : 'unknown_at_cancel',
    rejectMessage: known ? null : 'the exchange did not know the stop when it was cancelled by clientOrderId',
    transactTime: known ? outcome.transactTime : null,
    latencyMs: null,
  };
}

/** What {@link placeExchangeStops} places for. */
export interface PlaceStopsContext {
  /** The intraday settings (`stopOnExchange`, the §10 fractions); null/absent = no stops. */
  readonly risk: RiskSettings | null | undefined;
  /** The run record; null for a dry run (nothing is placed). */
  readonly run: RunRow | null;
  /** Account name, period `YYYY-MM-DD` and attempt (the deterministic clientOrderId, leg `stop`). */
  readonly account: string;
  readonly accountId: string;
  readonly period: string;
  readonly attempt: number;
  /** The symbol's §6 rules (stepSize, minQty, minNotional, tickSize). */
  readonly rules: (symbol: string) => SymbolRules;
  /** The leg part of the clientOrderId (default `stop`; the intraday pass adds its time, UTC ms). */
  readonly idLeg?: string;
}

/**
 * After the rebalance's BUYs and its §10 state update: for each stored position state, `S` = the §10
 * stop (computeLevels with entry `C/h` and the stored peak), floored to tickSize, quantity
 * `floor_step(h)`; skipped when there is no active stop or the holding is dust at `S` (§10 position
 * rule). Each is recorded PENDING (leg `stop`, stopPrice) before it is sent, then completed `NEW` with the
 * exchange id, or `REJECTED` with the reason — `would_trigger_immediately` (Binance -2010) when the price
 * is already at or below `S`: the intraday pass sells it instead.
 * @returns the placed stops (symbol, stopPrice, status).
 * @throws what the exchange or the ledger throws (an unanswered stop stays PENDING: the next run's
 *   recovery resolves it by clientOrderId, then cancels it).
 */
export async function placeExchangeStops(
  deps: ExchangeStopsDeps,
  ctx: PlaceStopsContext,
): Promise<{ symbol: string; stopPrice: string; status: string }[]> {
  const stops = stopOrdersOf(deps.exchange);
  const risk = ctx.risk;
  if (stops === null || ctx.run === null || !risk?.stopOnExchange) return [];
  const placed: { symbol: string; stopPrice: string; status: string }[] = [];
  for (const s of await deps.ledger.riskStates(ctx.accountId)) {
    const target = stopTarget(s, risk, ctx.rules(s.symbol));
    if (target === null) {
      if (dec(s.holding).gt(0))
        deps.logger.info(
          { symbol: s.symbol, holding: s.holding },
          'dust at the stop level: no exchange stop',
        );
      continue;
    }
    placed.push(await placeStop(deps, ctx, stops, target));
  }
  return placed;
}

/** The stop a position should have on the exchange (strategy-semantics.md §10 stop level). */
export interface StopTarget {
  readonly symbol: string;
  /** `S` floored to tickSize, decimal string. */
  readonly stopPrice: string;
  /** `floor_step(h)`, decimal string. */
  readonly quantity: string;
  readonly reason: OpenStopRow['reason'];
}

/**
 * The stop of a stored position state: `S` = the §10 stop (computeLevels with entry `C/h` and the stored
 * peak) floored to tickSize, quantity `floor_step(h)`; null when there is no active stop, nothing is
 * held, or the holding is dust at `S` (§10 position rule).
 */
export function stopTarget(s: RiskStateRow, risk: RiskSettings, rules: SymbolRules): StopTarget | null {
  const holding = dec(s.holding);
  if (!holding.gt(0)) return null;
  const entry = dec(s.costBasis).div(holding);
  const levels = computeLevels(entry, s.peak ? dec(s.peak) : entry, risk);
  if (levels.stop === null) return null;
  const stopPrice = dec(rules.tickSize).gt(0)
    ? floorStep(levels.stop.level, rules.tickSize)
    : levels.stop.level;
  if (!stopPrice.gt(0) || !isPosition(holding, stopPrice, rules)) return null;
  return {
    symbol: s.symbol,
    stopPrice: decStr(stopPrice),
    quantity: decStr(floorStep(holding, rules.stepSize)),
    reason: levels.stop.reason,
  };
}

/**
 * Places one STOP_LOSS: recorded PENDING (leg `stop`, stopPrice) before it is sent, then completed `NEW`
 * with the exchange id, or `REJECTED` with the reason (`would_trigger_immediately`, Binance -2010).
 * @throws what the exchange or the ledger throws.
 */
export async function placeStop(
  deps: ExchangeStopsDeps,
  ctx: PlaceStopsContext,
  stops: StopOrders,
  t: StopTarget,
): Promise<{ symbol: string; stopPrice: string; status: string }> {
  const run = ctx.run;
  if (run === null) throw new Error('placeStop: a stop is placed by a recorded run');
  const id = clientOrderId({
    account: ctx.account,
    period: ctx.period,
    symbol: t.symbol,
    side: 'SELL',
    leg: ctx.idLeg ?? 'stop',
    attempt: ctx.attempt,
  });
  const order = {
    runId: run.id,
    accountId: ctx.accountId,
    clientOrderId: id,
    symbol: t.symbol,
    side: 'SELL' as const,
    leg: 'stop',
    quantity: t.quantity,
    quoteOrderQty: null,
    decisionPrice: t.stopPrice,
    decidedAt: deps.clock.now(),
  };
  const orderId = await deps.ledger.recordStopOrder(order, t.stopPrice, t.reason);
  const outcome = await stops.placeStopLoss({
    symbol: t.symbol,
    clientOrderId: id,
    quantity: t.quantity,
    stopPrice: t.stopPrice,
  });
  await deps.ledger.completeOrder(orderId, placedRow(outcome), []);
  if (outcome.status === 'REJECTED') {
    deps.logger.warn(
      { symbol: t.symbol, stopPrice: t.stopPrice, code: outcome.code, reason: outcome.reason },
      `exchange stop refused: ${outcome.message}; the intraday pass sells at the stop instead`,
    );
  }
  return { symbol: t.symbol, stopPrice: t.stopPrice, status: outcome.status };
}

/** The ledger outcome of a stop placement: `NEW` with the exchange id, or `REJECTED` with the reason. */
function placedRow(outcome: OrderOutcome): OrderOutcomeRow {
  const rejected = outcome.status === 'REJECTED';
  return {
    status: outcome.status,
    exchangeOrderId: rejected ? null : outcome.exchangeOrderId,
    executedQty: rejected ? '0' : outcome.executedQty,
    cummulativeQuoteQty: rejected ? '0' : outcome.cummulativeQuoteQty,
    avgPrice: null,
    slippageBps: null,
    rejectCode: rejected ? outcome.code : null,
    rejectReason: rejected ? outcome.reason : null,
    rejectMessage: rejected ? outcome.message : null,
    transactTime: rejected ? null : outcome.transactTime,
    latencyMs: null,
  };
}
