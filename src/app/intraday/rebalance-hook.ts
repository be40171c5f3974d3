/**
 * The rebalance's hook for the intraday state (issue 10 item 4): after its orders, the §10 position
 * states follow the book (`riskRowsAfterRebalance`) and are stored in the rebalance's run. Not for a dry
 * run (nothing is written).
 */
import { type Decimal, ZERO } from '../../domain/decimal.ts';
import type { SymbolRules } from '../../domain/types.ts';
import type { IntradayJournal } from '../../ports/intraday-journal.ts';
import type { FillReport, OrderReport, RebalanceResult } from '../rebalance-result.ts';
import type { TradingSession } from '../trading/trading-session.ts';
import { intervalMs } from './interval.ts';
import { riskRowsAfterRebalance } from './risk-rows.ts';

/** What the rebalance passes to {@link syncRiskAfterRebalance}. */
export interface RebalanceRiskContext {
  readonly ledger: IntradayJournal;
  readonly session: TradingSession;
  readonly accountId: string;
  /** `[intraday] interval`. */
  readonly interval: string;
  /** The opening book's balances (after §2) and its §2 adjustments. */
  readonly balancesBefore: ReadonlyMap<string, Decimal>;
  readonly adjustments: RebalanceResult['adjustments'];
  /** The book's balances after the orders. */
  readonly balancesAfter: ReadonlyMap<string, Decimal>;
  readonly orders: readonly OrderReport[];
  readonly fills: readonly FillReport[];
  readonly baseAssetOf: (symbol: string) => string | undefined;
  readonly symbolOfAsset: (asset: string) => string;
  readonly decisionPrice: (symbol: string) => Decimal | null;
  readonly rules: (symbol: string) => SymbolRules;
  /** When the fills happened (open of D in replay, now live), UTC ms. */
  readonly filledAtMs: number;
}

/** Updates and stores the account's §10 position states after a rebalance's orders. */
export async function syncRiskAfterRebalance(c: RebalanceRiskContext): Promise<void> {
  if (c.session.run === null) return;
  const step = intervalMs(c.interval);
  const legOf = new Map(c.orders.map((o) => [o.client_order_id, o.leg]));
  const base = (sym: string) => c.baseAssetOf(sym) ?? sym;
  const rows = await c.ledger.riskStates(c.accountId);
  const next = riskRowsAfterRebalance(
    {
      rows,
      adjustments: c.adjustments,
      holdingBefore: (sym) => c.balancesBefore.get(base(sym)) ?? ZERO,
      holdingAfter: (sym) => c.balancesAfter.get(base(sym)) ?? ZERO,
      decisionPrice: c.decisionPrice,
      rules: c.rules,
      baseAssetOf: base,
      symbolOfAsset: c.symbolOfAsset,
      fills: c.fills.map((f) => ({
        symbol: f.symbol,
        side: f.side,
        quantity: f.quantity,
        price: f.price,
        quoteQuantity: f.quote_quantity,
        commission: f.commission,
        commissionAsset: f.commission_asset,
        leg: legOf.get(f.client_order_id) ?? 'buy',
      })),
      fillCandleOpenMs: c.filledAtMs - (c.filledAtMs % step),
    },
    step,
  );
  await c.session.write((runId) => c.ledger.saveRiskStates(c.accountId, next, runId, c.filledAtMs));
}
