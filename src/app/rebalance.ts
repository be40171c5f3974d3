/**
 * The rebalance use case: rank the universe at decision day D, sell the old basket, equal-weight the
 * top N, and record everything in the ledger (strategy-semantics.md §1–§8). Returns a plain result
 * object; printing it is the CLI's job.
 *
 * A short composition of named parts (issue 9.5), reused by the intraday worker: the guards
 * (`rebalance/guards.ts`), the market snapshot at D (`trading/market-snapshot.ts`), the opening book (§2)
 * and the universe at D; then `rebalance/trade-period.ts`: the trading session (`trading/
 * trading-session.ts`, the run journal; a no-op for dry runs), crash recovery and resume, the order
 * executor and reconciler, and one `rebalanceStep` (SELLs → execute → BUYs with the cash raised,
 * `domain/portfolio/rebalance-step.ts`). The kill switch (`rebalance/halt-gate.ts`, §10): a real run
 * applies its `rebalance` event first; while buying is not allowed it sells what is left and buys nothing
 * (`K = 0`) and ends `halted`. Orders are recorded (PENDING) before they are sent and completed
 * with their fills right after, so the ledger never loses track of an order.
 */
import type { Balance } from '../domain/types.ts';
import { entryFilterHistoryDays } from '../domain/universe/eligibility.ts';
import { UserInputError } from './errors.ts';
import type { RebalanceDeps, RebalanceRequest } from './rebalance/deps.ts';
import { assertForward, assertVenue, clockGuard, emptyUniverseGuard, skipGuard } from './rebalance/guards.ts';
import { previewHalt } from './rebalance/halt-gate.ts';
import { loadOpeningBook } from './rebalance/opening-book.ts';
import { balancesOf, describeExcluded, excludedOf, runRecordsOf } from './rebalance/result-parts.ts';
import {
  recordFailedBeforeSession,
  refuseRun,
  type StoppedRunContext,
  skipRun,
} from './rebalance/stopped-run.ts';
import { tradePeriod } from './rebalance/trade-period.ts';
import { universeAt } from './rebalance/universe-at.ts';
import type { RebalanceResult } from './rebalance-result.ts';
import { decisionDayOf, MarketSnapshot } from './trading/market-snapshot.ts';
import { releaseDeadRuns } from './trading/trading-session.ts';

export { BOUNDARY_WINDOW_MS, CLOCK_TOLERANCE_MS } from './rebalance/guards.ts';
export type { FillReport, OrderReport, PnlRow, RankingRow, RebalanceResult } from './rebalance-result.ts';

/** A `running` run without a sign of life for this long is `abandoned` by the next run (14.1), ms. */
export const RUN_LEASE_MS = 60_000;

export type { ExchangeContext, RebalanceDeps, RebalanceRequest } from './rebalance/deps.ts';

/**
 * Runs one rebalance for decision day `req.dayMs` (default: the latest day of the data).
 * @throws VenueMismatchError for an account of another venue; UserInputError for a decision day outside
 *   the data, an unknown symbol in include/exclude, or a period earlier than the account's last rebalance;
 *   StaleDataError / InvalidMarketDataError for stale caps or bad decision prices; anything the adapters
 *   throw (the run is then recorded as `failed` with the reason, when it had started; on a real exchange
 *   also when the market data at D failed to load, 14.2).
 */
export async function runRebalance(deps: RebalanceDeps, req: RebalanceRequest): Promise<RebalanceResult> {
  const t0 = deps.clock.now();
  const timings: Record<string, number> = {};
  const lap = (name: string, since: number) => {
    timings[name] = deps.clock.now() - since;
    return deps.clock.now();
  };
  const s = req.settings;
  const { logger: log, market, ledger, clock } = deps;
  const live = s.exchangeKind !== 'replay';

  // ---- account (one book per venue, 9.1), dead runs (14.1), decision day, market at D ------------
  const { exchangeKind, quoteAsset, initialQuote, venue } = s;
  const account = await ledger.ensureAccount({
    name: s.account,
    exchangeKind,
    quoteAsset,
    initialQuote,
    venue,
  });
  assertVenue(account, s);
  const accountId = account.id;
  if (!req.dryRun)
    await releaseDeadRuns(
      { journal: ledger, clock, logger: log },
      accountId,
      'rebalance',
      deps.holdsAccountLock ? -1 : RUN_LEASE_MS,
    );
  let t = clock.now();
  const lookbackDays = s.strategy.lookbackDays;
  const day = await decisionDayOf(market, req.dayMs, { live, exchangeKind, lookbackDays });
  const { dayMs, period } = day;
  const clockRefusal = live && deps.exchangeNow ? clockGuard(deps.exchangeNow(), clock.now(), dayMs) : null;
  // (deeper with the §11 entry filter on: its slow SMA / breakout channel)
  const historyDays = entryFilterHistoryDays(lookbackDays, s.risk);
  const { header, newRun } = runRecordsOf(s, req, accountId, dayMs, () => clock.now());
  const snap = await MarketSnapshot.load(market, day, { live, historyDays, universe: s.universe }).catch(
    async (err: unknown) => {
      // 14.2: unusable exchange data at D (not bad input) fails a recorded run of the period.
      if (live && !req.dryRun && !(err instanceof UserInputError)) {
        await recordFailedBeforeSession({ journal: ledger, clock, logger: log }, newRun(), err, timings);
      }
      throw err;
    },
  );
  t = lap('load', t);

  // ---- period: forward only, refused by the clock, skipped (§1, 14.3, 14.4) -----------------------
  const last = await ledger.lastCompletedRun(accountId, 'rebalance');
  assertForward(s.account, last, period);
  const stats = deps.exchangeStats ? { exchangeStats: deps.exchangeStats } : {};
  const stopped: StoppedRunContext = {
    journal: ledger,
    clock,
    logger: log,
    accountId,
    newRun,
    header,
    t0,
    timings,
    ...stats,
  };
  if (clockRefusal)
    return refuseRun(stopped, clockRefusal, { balances: (await ledger.loadState(accountId)).balances });
  const skipReason = skipGuard(last, period, s.strategy.rebalanceEveryDays, req.force);
  if (skipReason) {
    const noRules = (sym: string): never => {
      throw new Error(`no rules loaded for ${sym}: the skip path places no order`);
    };
    const open = (balances: readonly Balance[]) =>
      deps.openExchange({
        dayMs,
        balances,
        symbols: snap.bySymbol,
        rules: noRules,
        openAt: () => null,
        dryRun: false,
      });
    const { balances } = await ledger.loadState(accountId);
    return skipRun(stopped, skipReason, balances, live && !req.dryRun ? open : null);
  }

  // ---- the opening book (§2), universe and ranking (§3–§5) with the caps and empty-universe guards --
  const opening = await loadOpeningBook(await ledger.loadState(accountId), snap, quoteAsset, last, log);
  const { balances, adjustments } = opening;
  const { decisions, ranked, selected, dataEnds } = await universeAt(deps, snap, s);
  t = lap('rank', t);
  // The kill switch (§10): while buying is not allowed the run selects nothing on purpose (K = 0), so
  // the empty-universe guard does not apply; a real run applies the event in its session (tradePeriod).
  const halt = await previewHalt(ledger, accountId, dayMs);
  const empty = emptyUniverseGuard(
    selected.length,
    s.universe.allowEmpty || !halt.buys,
    period,
    describeExcluded(decisions, dataEnds),
  );
  const excluded = excludedOf(decisions, dataEnds);
  if (empty)
    return refuseRun(
      stopped,
      empty,
      { excluded, adjustments, balances: balancesOf(balances) },
      { decisions, ranked },
    );

  return tradePeriod(deps, req, {
    account,
    snap,
    opening,
    universe: { decisions, ranked, selected, dataEnds },
    halt,
    stopped,
    lap,
    t,
  });
}
