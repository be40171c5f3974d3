/**
 * The state after a rebalance's orders: the book's balances checked against the exchange (the simulated
 * one to the last digit; a real one reconciled, 14.3), the book marked (README "Accounting"), and the
 * state saved in the ledger with the §2 adjustments and the equity point.
 */
import type { Logger } from 'pino';
import type { Balance } from '../../domain/types.ts';
import type { AccountBook } from '../../ports/account-book.ts';
import type { Exchange } from '../../ports/exchange.ts';
import type { ExchangeRecords } from '../../ports/exchange-records.ts';
import type { ReconciliationRow } from '../../ports/ledger-rows.ts';
import type { RebalanceResult } from '../rebalance-result.ts';
import type { MarketSnapshot } from '../trading/market-snapshot.ts';
import { reconcileAfter } from '../trading/reconciler.ts';
import type { TradingBook } from '../trading/trading-book.ts';
import type { TradingSession } from '../trading/trading-session.ts';
import { balancesOf, type ClosedBook, closeBook } from './result-parts.ts';

/** The book's balances after the run, the exchange's own (real exchanges), and the marked book. */
export interface ClosedRun {
  readonly after: Balance[];
  readonly exchangeAfter: readonly Balance[];
  readonly closed: ClosedBook;
}

/**
 * Closes the run: checks or reconciles the exchange (appending to `reconciliation`), awaits the session's
 * pending writes, marks the book at D and saves the account's state.
 * @throws Error when the simulated exchange and the book disagree, or the book's accounting is broken.
 */
export async function closeRun(
  deps: {
    readonly ledger: Pick<AccountBook, 'saveState'> & ExchangeRecords;
    readonly exchange: Exchange;
    readonly logger: Logger;
  },
  run: {
    readonly session: TradingSession;
    readonly accountId: string;
    readonly quoteAsset: string;
    readonly initialQuote: string;
    readonly book: TradingBook;
    readonly snap: MarketSnapshot;
    readonly exchangeBefore: readonly Balance[];
    readonly reconciliation: ReconciliationRow[];
    readonly adjustments: RebalanceResult['adjustments'];
  },
): Promise<ClosedRun> {
  const { ledger, exchange, logger: log } = deps;
  const { session, accountId, book, snap, reconciliation } = run;
  const after: Balance[] = balancesOf(book.managed);
  let exchangeAfter: readonly Balance[] = [];
  if (exchange.kind === 'replay') {
    // The simulated exchange must agree with the book to the last digit.
    const sim = await exchange.balances();
    if (JSON.stringify(sim) !== JSON.stringify(after)) {
      throw new Error(
        `simulated exchange and ledger disagree: ${JSON.stringify(sim)} vs ${JSON.stringify(after)}`,
      );
    }
  } else {
    exchangeAfter = await exchange.balances();
    reconciliation.push(...reconcileAfter(run.exchangeBefore, book.exchangeDelta, exchangeAfter));
    for (const r of reconciliation) {
      log.warn(
        { phase: r.phase, asset: r.asset, expected: r.expected, actual: r.actual },
        `reconciliation: ${r.note}`,
      );
    }
    await session.write((id) => ledger.recordExchangeBalances(id, accountId, 'after', exchangeAfter));
    await session.write((id) => ledger.recordReconciliations(id, accountId, reconciliation));
  }
  await session.settle();
  const { dayMs, period } = snap.day;
  const closed = closeBook(after, book.positions, (sym) => snap.openAt(sym) ?? snap.lastCloseAt(sym, dayMs), {
    quoteAsset: run.quoteAsset,
    initialQuote: run.initialQuote,
    period,
    dayMs,
    priceBasis: snap.live ? 'last' : 'open',
  });
  await session.write((id) =>
    ledger.saveState(id, accountId, {
      balances: after,
      positions: closed.snapshots,
      adjustments: run.adjustments.map((a) => ({
        asset: a.asset,
        symbol: book.positions.get(a.asset)?.symbol ?? a.asset + run.quoteAsset,
        kind: a.kind,
        quantityBefore: a.quantity_before,
        quantityAfter: a.quantity_after,
        ratio: a.ratio,
        note: 'token swap / redenomination: value-preserving conversion, strategy-semantics §2',
      })),
      equity: closed.equity,
    }),
  );
  return { after, exchangeAfter, closed };
}
