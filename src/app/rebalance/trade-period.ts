/**
 * The trading half of a rebalance, after the guards passed (strategy-semantics.md §6–§9, issue 9.2, 14.1–
 * 14.3): prices and rules at D, the exchange, crash recovery and resume, the trading session, the
 * reconciliation refusal, one rebalance step, and the closing state and outcome.
 */
import { type Decimal, dec, decStr, ZERO } from '../../domain/decimal.ts';
import type { PlanTarget } from '../../domain/planning/plan.ts';
import type { Balance, SymbolRules } from '../../domain/types.ts';
import type { AccountRow, ReconciliationRow } from '../../ports/ledger-rows.ts';
import { syncRiskAfterRebalance } from '../intraday/rebalance-hook.ts';
import type { HaltReport, RebalanceResult } from '../rebalance-result.ts';
import { placeExchangeStops, settleExchangeStops } from '../trading/exchange-stops.ts';
import type { MarketSnapshot } from '../trading/market-snapshot.ts';
import { OrderExecutor } from '../trading/order-executor.ts';
import { reconcileBefore } from '../trading/reconciler.ts';
import { openRunExchange } from '../trading/run-exchange.ts';
import { TradingBook } from '../trading/trading-book.ts';
import { openTradingSession } from '../trading/trading-session.ts';
import { closeRun } from './close-run.ts';
import type { RebalanceDeps, RebalanceRequest } from './deps.ts';
import { executeStep } from './execute-step.ts';
import { assertDecisionPrices, reconciliationGuard } from './guards.ts';
import { applyRebalanceHalt, type HaltAtRebalance, haltReport, selectNothing } from './halt-gate.ts';
import type { OpeningBook } from './opening-book.ts';
import {
  balancesOf,
  completedResult,
  completedSummary,
  excludedOf,
  outcomeOf,
  rankingRows,
  universeRows,
} from './result-parts.ts';
import { recoverAndResume } from './resume.ts';
import { refuseInSession, type StoppedRunContext } from './stopped-run.ts';
import { trySaveUnfinishedBook } from './unfinished-book.ts';
import type { UniverseAtD } from './universe-at.ts';

/** How often a run records a sign of life, ms. */
const HEARTBEAT_MS = 10_000;

/** What the guarded half of the rebalance decided. */
export interface GuardedPeriod {
  readonly account: AccountRow;
  readonly snap: MarketSnapshot;
  readonly opening: OpeningBook;
  readonly universe: UniverseAtD;
  /** The kill switch as the `rebalance` event would leave it (read before the session, §10). */
  readonly halt: HaltAtRebalance;
  readonly stopped: StoppedRunContext;
  /** Records the phase timing `name` since `since` (UTC ms) and returns now. */
  lap(name: string, since: number): number;
  /** Start of the current phase, UTC ms. */
  readonly t: number;
}

/**
 * Trades the period. @throws InvalidMarketDataError for a missing or non-positive decision price;
 * anything the adapters throw (the run is then recorded `failed`).
 */
export async function tradePeriod(
  deps: RebalanceDeps,
  req: RebalanceRequest,
  g: GuardedPeriod,
): Promise<RebalanceResult> {
  const s = req.settings;
  const { logger: log, ledger, clock } = deps;
  const { account, snap, opening, stopped, lap } = g;
  const { decisions, dataEnds } = g.universe;
  // K = 0 while buying is not allowed (§10): the ranking stays, nothing is selected.
  let { ranked, selected } = g.halt.buys ? g.universe : selectNothing(g.universe);
  const { header, newRun, t0, timings } = stopped;
  const { accountId } = stopped;
  const { quoteAsset } = s;
  const { dayMs, period } = snap.day;
  const { live } = snap;
  const { balances, adjustments } = opening;
  const excluded = excludedOf(decisions, dataEnds);
  let t = g.t;

  // ---- prices and rules at D, the exchange, crash recovery and resume (14.1), the trading session ----
  await snap.loadPrices();
  const prices = snap.planPrices();
  const symbolOf = (asset: string) => opening.positions.get(asset)?.symbol ?? asset + quoteAsset;
  const heldSymbols = [...balances.keys()].filter((a) => a !== quoteAsset).map(symbolOf);
  const tradable = [...new Set([...heldSymbols, ...selected.map((r) => r.symbol)])];
  await snap.loadRules(tradable);
  const rules = (sym: string): SymbolRules => snap.rules(sym);
  const openAt = (sym: string) => snap.openAt(sym);
  const { bySymbol } = snap;
  const { exchange, batch, executorDeps } = await openRunExchange(
    deps,
    { dayMs, balances: balancesOfAll(balances), symbols: bySymbol, rules, openAt, dryRun: req.dryRun },
    live,
  );
  // What the strategy manages, moved by every fill; a real exchange account may hold more (never traded).
  const baseAssetOf = (sym: string) => bySymbol.get(sym)?.baseAsset;
  const book = new TradingBook(quoteAsset, baseAssetOf, balances, opening.positions);
  const priceOf = (sym: string) => prices.open(sym) ?? prices.lastClose(sym);
  const executorCtx = { account: s.account, accountId, quoteAsset, baseAssetOf, priceOf, book, period };
  const recoverer =
    batch || req.dryRun ? null : new OrderExecutor(executorDeps, { ...executorCtx, attempt: 0, run: null });
  const resumption = await recoverAndResume({ journal: ledger, logger: log }, recoverer, book, balances, {
    accountId,
    period,
    dryRun: req.dryRun,
  });
  const { continues, resume } = resumption;
  // Exchange-side stops (issue 10.7): cancelled before the balances are read; a triggered one is booked.
  await settleExchangeStops(executorDeps, { ...executorCtx, balances, dryRun: req.dryRun });
  // The exchange's balances before the run (real exchanges), fetched while the ledger is prepared.
  const exchangeBeforeP = batch || req.dryRun ? null : exchange.balances();
  exchangeBeforeP?.catch(() => undefined);
  const attempt = await ledger.countRuns(accountId, 'rebalance', period);
  const session = await openTradingSession(
    { journal: ledger, clock, logger: log },
    { ...newRun(), continuesRunId: continues?.id ?? null },
    { heartbeatMs: HEARTBEAT_MS },
  );
  // Issue 14 (real exchanges): the state holds the fills of the unfinished runs now (the re-run may stop
  // too). A replay account's simulated exchange opens from the book: a failed replay run changes nothing.
  const saveUnfinished = async () => {
    if (session.run && !batch) {
      const run = { runId: session.run.id, accountId, quoteAsset, baseAssetOf };
      await trySaveUnfinishedBook({ ledger, logger: log }, run);
    }
  };
  if (resumption.booked > 0) await saveUnfinished();
  const exchangeReport = (
    after: readonly Balance[],
    reconciliation: ReconciliationRow[],
  ): RebalanceResult['exchange'] => ({
    balances_after: [...after],
    reconciliation,
    recovered_orders: resumption.recovered,
    requests: deps.exchangeStats?.().requests ?? null,
    weight: deps.exchangeStats?.().weight ?? null,
  });
  try {
    // The kill switch (§10): a real run applies its `rebalance` event (journaled with the run id).
    const run = session.run;
    const halt = run ? await applyRebalanceHalt(ledger, accountId, dayMs, { id: run.id, period }) : g.halt;
    if (!halt.buys) ({ ranked, selected } = selectNothing({ ranked, selected }));
    const haltPart = haltReport(halt, s.account, req.dryRun);
    if (haltPart.lifted)
      log.info({ period, since: haltPart.since }, 'daily-loss stop lifted by this rebalance');
    if (haltPart.message)
      log.warn({ period, state: haltPart.state, since: haltPart.since }, haltPart.message);
    session.later((id) => ledger.recordUniverse(id, universeRows(decisions, ranked)));
    // 14.2: every symbol we may trade has a positive decision price, or nothing is sent (run failed).
    const required = live ? (sym: string) => bySymbol.get(sym)?.status === 'TRADING' : () => false;
    assertDecisionPrices(
      tradable,
      openAt,
      required,
      live ? 'GET /api/v3/ticker/price' : 'the daily candles',
      live ? 'price' : 'open',
    );
    const reconciliation: ReconciliationRow[] = [];
    const exchangeBefore: readonly Balance[] = batch
      ? []
      : ((await exchangeBeforeP) ?? (await exchange.balances()));
    if (!batch) {
      session.later((id) => ledger.recordExchangeBalances(id, accountId, 'before', exchangeBefore));
      reconciliation.push(...reconcileBefore(book.managed, exchangeBefore));
      const refusal = reconciliationGuard(reconciliation); // 9.2 / 14.3: less than the book trades nothing
      if (refusal) {
        log.error(
          { period, differences: reconciliation.filter((r) => dec(r.difference).isNegative()) },
          refusal.reason,
        );
        await session.write((id) => ledger.recordReconciliations(id, accountId, reconciliation));
        const ranking = rankingRows(decisions, ranked);
        const parts = {
          ranking,
          excluded,
          adjustments,
          balances: balancesOf(book.managed),
          exchange: exchangeReport(exchangeBefore, reconciliation),
          halt: haltPart,
        };
        return refuseInSession(stopped, session, refusal, parts, {
          reconciliation_differences: reconciliation.length,
        });
      }
    }

    // ---- one rebalance step: SELLs, then BUYs with the cash raised (§7, §8) -------------------------
    const executor = new OrderExecutor(executorDeps, {
      ...executorCtx,
      attempt,
      run: session.run,
      ...(batch ? {} : { dustRules: rules }),
    });
    const targets: PlanTarget[] = selected.map((r) => ({
      symbol: r.symbol,
      asset: r.baseAsset,
      rank: r.rank,
    }));
    const holdings = [...balances.entries()]
      .filter(([a, q]) => a !== quoteAsset && q.gt(0))
      .map(([asset, quantity]) => ({
        asset,
        symbol: book.positions.get(asset)?.symbol ?? asset + quoteAsset,
        quantity,
      }));
    const { cashBuffer, band } = s.portfolio;
    const params = { mode: resume ? ('delta' as const) : s.portfolio.rebalanceMode, cashBuffer, band };
    const cash = balances.get(quoteAsset) ?? ZERO;
    const step = await executeStep(executor, book, { holdings, targets, cash, prices, rules, params });
    t = lap('execute', t);
    // §10: the intraday pass's position states follow the book (src/app/intraday/rebalance-hook.ts)
    await syncRiskAfterRebalance({
      ...{
        ledger,
        session,
        accountId,
        interval: s.risk?.interval ?? '1h',
        adjustments,
        rules,
        symbolOfAsset: symbolOf,
      },
      ...{ balancesBefore: balances, balancesAfter: book.managed, orders: step.orders, fills: step.fills },
      ...{
        baseAssetOf,
        decisionPrice: priceOf,
        filledAtMs: live ? (deps.exchangeNow?.() ?? clock.now()) : dayMs,
      },
    });

    await placeExchangeStops(executorDeps, {
      ...executorCtx,
      attempt,
      run: session.run,
      risk: s.risk,
      rules,
    });

    // ---- the state after the run: reconciliation, marks, P/L, equity; the run's outcome (9.2) --------
    const closeCtx = {
      session,
      accountId,
      quoteAsset,
      initialQuote: account.initialQuote,
      book,
      snap,
      exchangeBefore,
      reconciliation,
      adjustments,
    };
    const { after, exchangeAfter, closed } = await closeRun({ ledger, exchange, logger: log }, closeCtx);
    t = lap('record', t);
    const duration = clock.now() - t0;
    const allTimings = { ...timings, total: duration };
    const traded = outcomeOf(step.orders, step.rejectedPhases);
    const outcome = haltedOutcome(traded, haltPart.message);
    const equity = closed.equity.equity;
    const summary = completedSummary(
      selected.length,
      step,
      outcome.rejected,
      equity,
      deps.exchangeStats?.(),
      reconciliation.length,
    );
    await session.finish({
      status: outcome.status,
      exitReason: outcome.exitReason,
      timings: allTimings,
      summary: { ...summary, ...(haltPart.before === 'running' ? {} : { halt: haltPart.state }) },
    });
    log.info(
      { period, orders: step.orders.length, rejected: outcome.rejected, equity, ms: duration },
      req.dryRun
        ? 'dry run planned'
        : outcome.status === 'halted'
          ? 'rebalance halted'
          : 'rebalance completed',
    );
    const result = completedResult({
      header,
      runId: session.run?.id ?? null,
      dryRun: req.dryRun,
      outcome: traded,
      continuesRunId: continues?.id ?? null,
      resumed: resume,
      timings: allTimings,
      decisions,
      ranked,
      dataEnds,
      adjustments,
      step,
      after,
      exchange: batch ? null : exchangeReport(exchangeAfter, reconciliation),
      closed,
      initialQuote: account.initialQuote,
    });
    return withHalt(result, haltPart, outcome, req.dryRun);
  } catch (err) {
    await session.settle().catch(() => undefined); // the fills recorded so far, then the state holds them
    await saveUnfinished();
    await session.fail(err, timings);
    throw err;
  }
}

/**
 * The run's outcome under the kill switch: `halted` with the halt's message (and the rejections, if any)
 * when the run could not buy (`message` not null), else the traded outcome.
 */
function haltedOutcome(
  traded: ReturnType<typeof outcomeOf>,
  message: string | null,
): { status: 'completed' | 'completed_with_rejections' | 'halted'; exitReason: string; rejected: number } {
  if (message === null) return traded;
  const exitReason = traded.rejected > 0 ? `${message}; ${traded.exitReason}` : message;
  return { status: 'halted', exitReason, rejected: traded.rejected };
}

/** The result with the kill switch's part and, for a halted real run, its status and reason. */
function withHalt(
  result: RebalanceResult,
  halt: HaltReport,
  outcome: ReturnType<typeof haltedOutcome>,
  dryRun: boolean,
): RebalanceResult {
  if (dryRun || outcome.status !== 'halted') return { ...result, halt };
  return { ...result, halt, run: { ...result.run, status: 'halted', exit_reason: outcome.exitReason } };
}

/** Every book entry as a free balance (the simulated exchange's opening balances). */
function balancesOfAll(book: ReadonlyMap<string, Decimal>): Balance[] {
  return [...book.entries()].map(([asset, v]) => ({ asset, free: decStr(v), locked: '0' }));
}
