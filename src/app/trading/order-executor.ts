/**
 * The order executor: records the orders of a phase (PENDING) before they are sent, sends them a few at
 * a time, books their fills into the {@link TradingBook}, and completes them in the ledger; and the
 * recovery of PENDING orders of an earlier run (looked up by clientOrderId, never placed twice).
 *
 * Orders to a real exchange are recorded PENDING in one transaction before any is sent and completed in
 * one after; an order whose outcome is unknown stays PENDING (the next run looks it up). The in-process
 * simulated exchange has no effect outside this process, so its orders are recorded with their outcomes
 * in one transaction per phase, in plan order.
 */
import type { Logger } from 'pino';
import { commissionInQuote, type QuotePriceOf } from '../../domain/accounting/commission.ts';
import { clientOrderId } from '../../domain/client-order-id.ts';
import { dec, decStr } from '../../domain/decimal.ts';
import { dustCheck } from '../../domain/execution/market-fill.ts';
import type { PlannedOrder } from '../../domain/planning/plan.ts';
import type { SymbolRules } from '../../domain/types.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Exchange } from '../../ports/exchange.ts';
import type {
  CompletedOrder,
  FillRow,
  FillRowOut,
  NewOrder,
  OrderOutcomeRow,
  RunRow,
} from '../../ports/ledger.ts';
import type { OrderJournal } from '../../ports/order-journal.ts';
import type { FillReport, OrderReport, PartialFillReport } from '../rebalance-result.ts';
import { fillRow, orderReport, outcomeRow, plannedOf, plannedReport, unfilledOutcome } from './order-rows.ts';
import { checkPeriodStillCurrent } from './period-guard.ts';
import type { TradingBook } from './trading-book.ts';

/** Orders of one phase in flight at once on a real exchange (Binance allows 50 orders per 10 s). */
export const ORDER_CONCURRENCY = 10;

/** What the executor runs on. */
export interface OrderExecutorDeps {
  readonly exchange: Exchange;
  readonly ledger: OrderJournal;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * Real exchanges: the exchange's clock (UTC ms). When given, a phase sends nothing once the exchange's
   * UTC day is no longer the run's period (issue 14.4, {@link checkPeriodStillCurrent}).
   */
  readonly exchangeNow?: () => number;
}

/** The run the orders belong to. */
export interface OrderExecutorContext {
  /** Account name (part of the clientOrderId). */
  readonly account: string;
  readonly accountId: string;
  /** The period key `YYYY-MM-DD` (part of the clientOrderId). */
  readonly period: string;
  /** How many runs of the period came before this one (part of the clientOrderId). */
  readonly attempt: number;
  /** The run record; null for a dry run (nothing is recorded). */
  readonly run: RunRow | null;
  readonly quoteAsset: string;
  /** Base asset of a symbol, undefined when unknown. */
  readonly baseAssetOf: (symbol: string) => string | undefined;
  /** Quote price of a symbol for valuing a third-asset commission (open of D, else last close). */
  readonly priceOf: QuotePriceOf;
  readonly book: TradingBook;
  /**
   * Real exchanges (issue 9.4): the symbol's filters, to keep dust — orders §7 would reject for quantity
   * or notional at the decision price — from being sent; they are recorded `SKIPPED` (reason `dust`).
   * Absent: every planned order is sent (the replay exchange rejects them as Binance would).
   */
  readonly dustRules?: (symbol: string) => SymbolRules;
  /** Another use case's deterministic clientOrderId (the intraday pass: account, hour, symbol, reason). */
  readonly clientOrderIdOf?: (o: PlannedOrder) => string;
}

/** What one phase did: the report rows of its orders and fills, in plan order. */
export interface PhaseResult {
  readonly orders: OrderReport[];
  readonly fills: FillReport[];
  /** Planned orders not sent because they were dust (also in `orders`, status `SKIPPED`). */
  readonly dust: { readonly symbol: string; readonly side: string; readonly notional: string }[];
  /**
   * Orders the exchange filled only in part (EXPIRED or PARTIALLY_FILLED with some executed, 14.2):
   * booked exactly as filled, reported and logged as a warning.
   */
  readonly partial: PartialFillReport[];
}

/** Sends planned orders and books their fills (see the module doc). */
export class OrderExecutor {
  private readonly batch: boolean;

  constructor(
    private readonly deps: OrderExecutorDeps,
    private readonly ctx: OrderExecutorContext,
  ) {
    this.batch = deps.exchange.kind === 'replay';
  }

  /**
   * Executes one phase. Rejections are reported (and logged), never thrown.
   * @throws what the exchange or the ledger throws (transport failures); the known outcomes are recorded
   *   first, the unknown ones stay PENDING.
   */
  async execute(planned: readonly PlannedOrder[]): Promise<PhaseResult> {
    if (planned.length === 0) return { orders: [], fills: [], dust: [], partial: [] };
    const partial: PhaseResult['partial'] = [];
    const { exchange, ledger, clock, logger: log } = this.deps;
    const { run, book, quoteAsset } = this.ctx;
    const batch = this.batch;
    const completed: (CompletedOrder | null)[] = new Array(planned.length).fill(null);
    const reports: OrderReport[] = new Array(planned.length);
    const fillReports: FillReport[][] = planned.map(() => []);
    const decidedAt = clock.now();
    const idOf = this.ctx.clientOrderIdOf;
    const ids = planned.map((o) =>
      idOf
        ? idOf(o)
        : clientOrderId({
            account: this.ctx.account,
            period: this.ctx.period,
            symbol: o.symbol,
            side: o.side,
            leg: o.leg,
            attempt: this.ctx.attempt,
          }),
    );
    const newOrders: NewOrder[] | null =
      run &&
      planned.map((o, i) => ({
        runId: run.id,
        accountId: this.ctx.accountId,
        clientOrderId: ids[i] as string,
        symbol: o.symbol,
        side: o.side,
        leg: o.leg,
        quantity: o.quantity ? decStr(o.quantity) : null,
        quoteOrderQty: o.quoteOrderQty ? decStr(o.quoteOrderQty) : null,
        decisionPrice: o.decisionPrice ? decStr(o.decisionPrice) : '0',
        decidedAt,
      }));
    // Dust (9.4, real exchanges): never sent; recorded as SKIPPED with the reason.
    const dust: PhaseResult['dust'] = [];
    const dustRules = this.ctx.dustRules;
    const isDust: boolean[] = planned.map((o, i) => {
      if (!dustRules) return false;
      const amount = o.side === 'SELL' ? o.quantity : o.quoteOrderQty;
      const d = amount === null ? null : dustCheck(o.side, amount, o.decisionPrice, dustRules(o.symbol));
      if (!d) return false;
      const report = skippedReport(o, ids[i] as string, d.reject.reason, d.reject.message);
      reports[i] = report;
      dust.push({ symbol: o.symbol, side: o.side, notional: decStr(d.notional) });
      if (newOrders) {
        completed[i] = { order: newOrders[i] as NewOrder, outcome: skippedOutcome(report), fills: [] };
      }
      log.info(
        { symbol: o.symbol, side: o.side, reason: d.reject.reason, notional: decStr(d.notional) },
        `dust: ${d.reject.message} at the decision price; not sent (§7)`,
      );
      return true;
    });
    if (newOrders && dust.length > 0) {
      await ledger.recordCompletedOrders(
        completed.filter((c, i): c is CompletedOrder => c !== null && isDust[i] === true),
      );
    }
    const sendIdx = planned.map((_, i) => i).filter((i) => !isDust[i]);
    // 14.4: nothing of period D is recorded PENDING or sent once the exchange's clock is past day D; a
    // recorded paper run too (its simulated exchange fills at the live prices it reads), not a dry run;
    // replay has no exchange clock.
    if (sendIdx.length > 0 && this.deps.exchangeNow && (!batch || newOrders)) {
      checkPeriodStillCurrent(this.ctx.period, this.deps.exchangeNow());
    }
    // A real exchange: every order of the phase is recorded PENDING (one transaction) before any is sent.
    const pendingIds =
      newOrders && !batch ? await ledger.recordOrders(sendIdx.map((i) => newOrders[i] as NewOrder)) : null;
    const ledgerIds: (string | undefined)[] | null = pendingIds && new Array(planned.length);
    if (ledgerIds && pendingIds) {
      sendIdx.forEach((i, k) => {
        ledgerIds[i] = pendingIds[k];
      });
    }
    const one = async (index: number) => {
      const o = planned[index] as PlannedOrder;
      const id = ids[index] as string;
      const outcome = await exchange.placeMarketOrder({
        symbol: o.symbol,
        side: o.side,
        clientOrderId: id,
        ...(o.quantity ? { quantity: decStr(o.quantity) } : {}),
        ...(o.quoteOrderQty ? { quoteOrderQty: decStr(o.quoteOrderQty) } : {}),
      });
      const latency = batch ? null : clock.now() - decidedAt;
      const report = orderReport(o, id, outcome, latency);
      reports[index] = report;
      if (outcome.status === 'REJECTED') {
        log.warn(
          { symbol: o.symbol, side: o.side, code: outcome.code, reason: outcome.reason },
          `order rejected: ${outcome.message}; skipped (§7)`,
        );
      }
      if (
        (outcome.status === 'EXPIRED' || outcome.status === 'PARTIALLY_FILLED') &&
        dec(outcome.executedQty).gt(0)
      ) {
        partial.push({
          client_order_id: id,
          symbol: o.symbol,
          side: o.side,
          status: outcome.status,
          executed_qty: outcome.executedQty,
          cummulative_quote_qty: outcome.cummulativeQuoteQty,
        });
        log.warn(
          {
            symbol: o.symbol,
            side: o.side,
            status: outcome.status,
            executedQty: outcome.executedQty,
            cummulativeQuoteQty: outcome.cummulativeQuoteQty,
          },
          'partial fill: the order was filled only in part; booked as filled',
        );
      }
      const baseAsset = this.ctx.baseAssetOf(o.symbol) ?? o.asset;
      const filledAt = outcome.status === 'REJECTED' ? null : outcome.transactTime;
      const fillRows: FillRow[] = [];
      for (const f of outcome.status === 'REJECTED' ? [] : outcome.fills) {
        const commissionQuote = commissionInQuote(
          f.commission,
          f.commissionAsset,
          f.price,
          baseAsset,
          quoteAsset,
          this.ctx.priceOf,
        );
        book.bookFill(o.asset, o.symbol, o.side, f, commissionQuote);
        (fillReports[index] as FillReport[]).push({
          client_order_id: id,
          symbol: o.symbol,
          side: o.side,
          quantity: f.quantity,
          price: f.price,
          quote_quantity: f.quoteQuantity,
          commission: f.commission,
          commission_asset: f.commissionAsset,
          commission_quote: decStr(commissionQuote),
        });
        fillRows.push(fillRow(o.symbol, o.side, f, commissionQuote, filledAt ?? decidedAt));
      }
      if (newOrders) {
        completed[index] = {
          order: newOrders[index] as NewOrder,
          outcome: outcomeRow(report, outcome, latency),
          fills: fillRows,
        };
      }
    };
    try {
      await forEachLimited(sendIdx, batch ? 1 : ORDER_CONCURRENCY, one);
    } finally {
      // The outcomes that are known are recorded even when the phase failed; an order whose outcome
      // is unknown stays PENDING (the next run looks it up by clientOrderId).
      if (ledgerIds) {
        await ledger.completeOrders(
          completed.flatMap((c, i) =>
            c && !isDust[i] ? [{ orderId: ledgerIds[i] as string, outcome: c.outcome, fills: c.fills }] : [],
          ),
        );
      }
    }
    if (newOrders && !ledgerIds) {
      await ledger.recordCompletedOrders(
        completed.filter((c, i): c is CompletedOrder => c !== null && !isDust[i]),
      );
    }
    return { orders: reports, fills: fillReports.flat(), dust, partial };
  }

  /**
   * Crash recovery (real exchanges): orders of an earlier run that never completed reached the exchange
   * but not the saved state. Resolves the PENDING ones by clientOrderId (unknown to the exchange =
   * REJECTED `not_placed`), then books every fill of those unfinished runs into the book.
   * @returns the resolved orders and the fills booked (empty when there were none).
   */
  async recoverUnsettled(): Promise<{
    recovered: { client_order_id: string; status: string }[];
    fills: readonly FillRowOut[];
  }> {
    const { exchange, ledger, logger: log } = this.deps;
    const { accountId, quoteAsset, book } = this.ctx;
    const recovered: { client_order_id: string; status: string }[] = [];
    const unsettled = await ledger.unsettledOrders(accountId);
    // Never twice, even late (9.4): "not found" is final only once a request signed before this process
    // started (the earlier one had stopped: one instance per account) can no longer execute.
    const notBefore = exchange.finalAfter?.(this.deps.clock.now());
    for (const o of unsettled.orders.filter((x) => x.status === 'PENDING')) {
      const outcome = await exchange.queryOrder(
        o.symbol,
        o.clientOrderId,
        notBefore === undefined ? undefined : { notBefore },
      );
      const fillRows: FillRow[] =
        outcome && outcome.status !== 'REJECTED'
          ? outcome.fills.map((f) =>
              fillRow(
                o.symbol,
                o.side,
                f,
                commissionInQuote(
                  f.commission,
                  f.commissionAsset,
                  f.price,
                  this.ctx.baseAssetOf(o.symbol) ?? '',
                  quoteAsset,
                  this.ctx.priceOf,
                ),
                outcome.transactTime,
              ),
            )
          : [];
      const row: OrderOutcomeRow =
        outcome === null
          ? unfilledOutcome(
              'REJECTED',
              'not_placed',
              'unknown to the exchange when looked up by clientOrderId after an unfinished run',
            )
          : outcomeRow(orderReport(plannedOf(o), o.clientOrderId, outcome, null), outcome, null);
      await ledger.completeOrder(o.id, row, fillRows);
      recovered.push({ client_order_id: o.clientOrderId, status: row.status });
      log.warn(
        { symbol: o.symbol, clientOrderId: o.clientOrderId, status: row.status },
        'unfinished order of an earlier run resolved by clientOrderId',
      );
    }
    const again = recovered.length > 0 ? await ledger.unsettledOrders(accountId) : unsettled;
    for (const f of again.fills) {
      const asset = this.ctx.baseAssetOf(f.symbol) ?? f.symbol.slice(0, -quoteAsset.length);
      book.bookFill(asset, f.symbol, f.side, f, dec(f.commissionQuote));
    }
    if (again.fills.length > 0) {
      log.warn({ fills: again.fills.length }, 'fills of an earlier unfinished run booked before this run');
    }
    return { recovered, fills: again.fills };
  }
}

/** The report row of a planned order that was not sent (status `SKIPPED`, e.g. reason `dust`). */
function skippedReport(o: PlannedOrder, id: string, reason: string, message: string): OrderReport {
  return {
    ...plannedReport(o, id, null),
    status: 'SKIPPED',
    executed_qty: '0',
    cummulative_quote_qty: '0',
    avg_price: null,
    slippage_bps: null,
    reject_code: null,
    reject_reason: 'dust',
    reject_message: `dust (${reason}): ${message} at the decision price; not sent`,
  };
}

/** The ledger outcome of a skipped order. */
function skippedOutcome(r: OrderReport): OrderOutcomeRow {
  return unfilledOutcome('SKIPPED', r.reject_reason, r.reject_message);
}

/** Runs `fn` over `items` with at most `limit` in flight (limit 1 = strictly in order); stops starting new ones after a failure. */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        await fn(items[i] as T, i);
      } catch (err) {
        failed = true; // nothing new is started once one has failed
        throw err;
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
}
