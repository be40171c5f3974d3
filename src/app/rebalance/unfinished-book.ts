/**
 * Issue 14: the account's current state (`balances`, `positions`, what `status` and the Metabase views
 * show) holds the fills of a run that failed or died, not the book from before it. The state is derived
 * from the ledger alone — the saved state plus the fills recorded after its fill marker (never the
 * in-memory book, which may hold a fill whose recording failed) — and saved with that marker, so crash
 * recovery books only the fills after it and resolves PENDING orders of every unfinished run: no fill
 * counted twice, none missed. Booking as a run books (README "Accounting", average cost).
 */
import type { Logger } from 'pino';
import { dec } from '../../domain/decimal.ts';
import type { AccountBook } from '../../ports/account-book.ts';
import type { PositionRow } from '../../ports/ledger-rows.ts';
import type { UnfinishedState } from '../../ports/unfinished-state.ts';
import { TradingBook } from '../trading/trading-book.ts';
import { bookOfState, positionRowOf } from './opening-book.ts';
import { balancesOf } from './result-parts.ts';

/**
 * Saves the account's state with every fill of its unfinished runs that the saved state does not hold
 * yet, as the state of run `runId` (the failed run, or a run that found a dead run's fills). Nothing is
 * written when there is no such fill.
 * @param run baseAssetOf: a symbol's base asset (undefined: the symbol minus the quote asset).
 * @returns how many fills were added to the state.
 * @throws whatever the ledger throws (callers on a failure path log it: the next run's recovery books
 *   the same fills, as it did before this state was saved).
 */
export async function saveUnfinishedBook(
  deps: { readonly ledger: Pick<AccountBook, 'loadState'> & Omit<UnfinishedState, 'heldUnsettledFills'> },
  run: {
    readonly runId: string;
    readonly accountId: string;
    readonly quoteAsset: string;
    readonly baseAssetOf: (symbol: string) => string | undefined;
  },
): Promise<number> {
  const { ledger } = deps;
  const { fills, throughFillId } = await ledger.unsettledFills(run.accountId);
  if (throughFillId === null) return 0;
  const { balances, positions } = bookOfState(await ledger.loadState(run.accountId));
  const assetOf = (sym: string) => run.baseAssetOf(sym) ?? sym.slice(0, -run.quoteAsset.length);
  const book = new TradingBook(run.quoteAsset, assetOf, balances, positions);
  for (const f of fills) book.bookFill(assetOf(f.symbol), f.symbol, f.side, f, dec(f.commissionQuote));
  const positionRows: PositionRow[] = [...book.positions.values()]
    .sort((a, b) => (a.asset < b.asset ? -1 : 1))
    .map(positionRowOf);
  await ledger.saveUnfinishedState(
    run.runId,
    run.accountId,
    { balances: balancesOf(book.managed), positions: positionRows },
    throughFillId,
  );
  return fills.length;
}

/**
 * {@link saveUnfinishedBook} on a failure path: a failure to save is logged, not thrown (the run's own
 * error is what the caller reports; the next run's recovery still books the fills).
 */
export async function trySaveUnfinishedBook(
  deps: Parameters<typeof saveUnfinishedBook>[0] & { readonly logger: Logger },
  run: Parameters<typeof saveUnfinishedBook>[1],
): Promise<void> {
  try {
    const n = await saveUnfinishedBook(deps, run);
    if (n > 0) {
      deps.logger.warn(
        { run: run.runId, fills: n },
        'the account state now holds the fills of the unfinished run(s); the re-run resumes from it',
      );
    }
  } catch (e) {
    deps.logger.error({ err: e, run: run.runId }, 'could not save the state of the unfinished run');
  }
}
