/**
 * The parts of an intraday pass that need no port: the §10 state of a held symbol aligned with the book,
 * the daily mark of a symbol without a last price, and the exits as reported and recorded.
 */
import type { Position } from '../../domain/accounting/average-cost.ts';
import { type Decimal, dec, decStr, ZERO } from '../../domain/decimal.ts';
import { FLAT, type PositionState } from '../../domain/risk/position-state.ts';
import { DAY_MS } from '../../domain/time.ts';
import type { IntradayExitRow, RiskStateRow } from '../../ports/intraday-journal.ts';
import type { MarketData } from '../../ports/market-data.ts';
import type { OrderReport } from '../rebalance-result.ts';
import type { PositionExit } from './evaluate-position.ts';
import type { IntradayExitReport } from './intraday-result.ts';
import { stateOfRow } from './risk-rows.ts';

/**
 * The §10 state of a held symbol, following the book's holding: the stored row, else (a holding bought
 * before the intraday worker existed) the ledger's average cost with the peak at the entry; a holding
 * below the row's (a SELL the pass did not see, e.g. recovered after a crash) removes cost pro rata.
 */
export function alignedState(
  row: RiskStateRow | undefined,
  holding: Decimal,
  pos: Position | undefined,
): PositionState {
  if (!row) {
    const cost = pos?.costBasis ?? ZERO;
    if (holding.isZero()) return FLAT;
    return { costBasis: cost, holding, peak: cost.isZero() ? null : cost.div(holding) };
  }
  const st = stateOfRow(row);
  if (holding.eq(st.holding) || st.holding.isZero()) return { ...st, holding };
  return { ...st, costBasis: st.costBasis.times(holding).div(st.holding), holding };
}

/**
 * The mark of a symbol without a last price (no candle of the interval, no ticker): the open of its daily
 * candle of τ's day, else its last daily close before (null when none in the last 30 days).
 */
export async function dailyMark(market: MarketData, symbol: string, nowMs: number): Promise<Decimal | null> {
  const day = nowMs - (nowMs % DAY_MS);
  const daily = await market.dailyCandles(symbol, day - 30 * DAY_MS, day);
  const today = daily.find((c) => c.openTime === day);
  const last = today ? today.open : daily.filter((c) => c.openTime < day).at(-1)?.close;
  return last === undefined ? null : dec(last);
}

export function exitRow(x: IntradayExitReport): IntradayExitRow {
  return {
    at: Date.parse(x.time),
    symbol: x.symbol,
    reason: x.reason,
    level: x.level,
    decisionPrice: x.decision_price,
    quantity: x.quantity,
    price: x.price,
    slippageBps: x.slippage_bps,
    clientOrderId: x.client_order_id,
  };
}

/**
 * The exits as reported: each with its order's outcome (`orders[i]` is the order of `exits[i]`); the fill
 * price is the order's average, its slippage against the level (or the decision price) in bps, positive =
 * worse for a SELL.
 */
export function exitReportsOf(
  exits: readonly { readonly sym: string; readonly exit: PositionExit }[],
  orders: readonly OrderReport[],
): IntradayExitReport[] {
  return exits.map((e, i) => {
    const o = orders[i];
    const filled = o && dec(o.executed_qty).gt(0);
    const avg = filled ? dec(o.cummulative_quote_qty).div(dec(o.executed_qty)) : null;
    const ref = e.exit.level ?? e.exit.price;
    return {
      time: new Date(e.exit.atMs).toISOString(),
      symbol: e.sym,
      reason: e.exit.reason,
      level: e.exit.level === null ? null : decStr(e.exit.level),
      decision_price: decStr(e.exit.price),
      quantity: o ? decStr(dec(o.executed_qty)) : '0',
      price: avg === null ? null : decStr(avg),
      slippage_bps: avg === null ? null : ref.minus(avg).div(ref).times(1e4).toNumber(),
      client_order_id: o?.client_order_id ?? '',
      status: o?.status ?? 'NOT_SENT',
    };
  });
}
