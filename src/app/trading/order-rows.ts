/**
 * Conversions between an order's plan, the exchange's outcome, the run's report rows and the ledger's
 * rows (one place, used by the order executor and the recovery of earlier orders).
 */
import { type Decimal, dec, decStr } from '../../domain/decimal.ts';
import type { PlannedOrder } from '../../domain/planning/plan.ts';
import type { Side } from '../../domain/types.ts';
import type { OrderFill, OrderOutcome } from '../../ports/exchange.ts';
import type { FillRow, OrderOutcomeRow, OrderRowOut } from '../../ports/ledger.ts';
import type { OrderReport } from '../rebalance-result.ts';

/**
 * The ledger row of one exchange fill.
 * @param commissionQuote the commission valued in the quote asset; `filledAt` UTC ms.
 */
export function fillRow(
  symbol: string,
  side: Side,
  f: OrderFill,
  commissionQuote: Decimal,
  filledAt: number,
): FillRow {
  return {
    tradeId: f.tradeId,
    symbol,
    side,
    price: f.price,
    quantity: f.quantity,
    quoteQuantity: f.quoteQuantity,
    commission: f.commission,
    commissionAsset: f.commissionAsset,
    commissionQuote: decStr(commissionQuote),
    filledAt,
  };
}

/** The ledger row of an order's outcome; `latency` in ms or null. */
export function outcomeRow(
  report: OrderReport,
  outcome: OrderOutcome,
  latency: number | null,
): OrderOutcomeRow {
  return {
    status: outcome.status,
    exchangeOrderId: outcome.status === 'REJECTED' ? null : outcome.exchangeOrderId,
    executedQty: report.executed_qty,
    cummulativeQuoteQty: report.cummulative_quote_qty,
    avgPrice: report.avg_price,
    slippageBps: report.slippage_bps,
    rejectCode: report.reject_code,
    rejectReason: report.reject_reason,
    rejectMessage: report.reject_message,
    transactTime: outcome.status === 'REJECTED' ? null : outcome.transactTime,
    latencyMs: latency,
  };
}

/** A recorded order as the plan it came from (for the report of a recovered order). */
export function plannedOf(o: OrderRowOut): PlannedOrder {
  return {
    symbol: o.symbol,
    asset: o.symbol,
    side: o.side,
    leg: o.leg as PlannedOrder['leg'],
    why: 'recovered: order of an earlier unfinished run',
    quantity: o.quantity === null ? null : dec(o.quantity),
    quoteOrderQty: o.quoteOrderQty === null ? null : dec(o.quoteOrderQty),
    decisionPrice: dec(o.decisionPrice),
  };
}

/**
 * The ledger outcome of an order that never reached the exchange or is unknown to it: nothing executed,
 * no exchange id, no price or time, `status` with our reason and message (no Binance code).
 */
export function unfilledOutcome(
  status: OrderOutcomeRow['status'],
  rejectReason: string | null,
  rejectMessage: string | null,
): OrderOutcomeRow {
  return {
    status,
    exchangeOrderId: null,
    executedQty: '0',
    cummulativeQuoteQty: '0',
    avgPrice: null,
    slippageBps: null,
    rejectCode: null,
    rejectReason,
    rejectMessage,
    transactTime: null,
    latencyMs: null,
  };
}

/** The report fields of planned order `o` sent (or not) as `id`: what was asked, before any outcome. */
export function plannedReport(o: PlannedOrder, id: string, latency: number | null) {
  return {
    client_order_id: id,
    symbol: o.symbol,
    side: o.side,
    leg: o.leg,
    why: o.why,
    quantity: o.quantity ? decStr(o.quantity) : null,
    quote_order_qty: o.quoteOrderQty ? decStr(o.quoteOrderQty) : null,
    decision_price: o.decisionPrice ? decStr(o.decisionPrice) : null,
    latency_ms: latency,
  };
}

/**
 * The report row of an order: its plan and outcome, average fill price and slippage in bps (signed so
 * that positive = worse for us, against the decision price).
 */
export function orderReport(
  o: PlannedOrder,
  id: string,
  outcome: OrderOutcome,
  latency: number | null,
): OrderReport {
  const common = plannedReport(o, id, latency);
  if (outcome.status === 'REJECTED') {
    return {
      ...common,
      status: 'REJECTED',
      executed_qty: '0',
      cummulative_quote_qty: '0',
      avg_price: null,
      slippage_bps: null,
      reject_code: outcome.code,
      reject_reason: outcome.reason,
      reject_message: outcome.message,
    };
  }
  const qty = dec(outcome.executedQty);
  const avg = qty.isZero() ? null : dec(outcome.cummulativeQuoteQty).div(qty);
  let slippage: number | null = null;
  if (avg && o.decisionPrice && !o.decisionPrice.isZero()) {
    const diff = avg.minus(o.decisionPrice).div(o.decisionPrice).times(10_000);
    slippage = Number((o.side === 'BUY' ? diff : diff.neg()).toFixed(6));
  }
  return {
    ...common,
    status: outcome.status,
    executed_qty: outcome.executedQty,
    cummulative_quote_qty: outcome.cummulativeQuoteQty,
    avg_price: avg ? decStr(avg.toDecimalPlaces(18)) : null,
    slippage_bps: slippage,
    reject_code: null,
    reject_reason: null,
    reject_message: null,
  };
}
