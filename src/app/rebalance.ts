/**
 * The rebalance use case: rank the universe at decision day D, sell the old basket, equal-weight the
 * top N, and record everything in the ledger (strategy-semantics.md §1–§8). Returns a plain result
 * object; printing it is the CLI's job.
 *
 * Flow: data → universe (§4) → ranking (§5) → SELL plan → execute → BUY plan with the cash raised →
 * execute → accounting (average cost) → ledger. Orders are recorded (PENDING) before they are sent, and
 * completed with their fills right after, so the ledger never loses track of an order.
 */
import type { Logger } from 'pino';
import { markPositions, type Position } from '../domain/accounting/average-cost.ts';
import { convertHoldings } from '../domain/accounting/token-swap.ts';
import { type Decimal, dec, decStr, ZERO } from '../domain/decimal.ts';
import {
  type PlannedOrder,
  type PlanPrices,
  type PlanTarget,
  planBuys,
  planSells,
} from '../domain/planning/plan.ts';
import { type RankedSymbol, rankUniverse } from '../domain/ranking/rank.ts';
import { indexAt, indexAtOrBefore } from '../domain/series.ts';
import { DAY_MS, dayToMs, msToDay } from '../domain/time.ts';
import type { Balance, Candle, SymbolInfo, SymbolRules } from '../domain/types.ts';
import {
  EXCLUSION_REASONS,
  entryFilterHistoryDays,
  evaluateUniverse,
  type SymbolHistory,
  type UniverseDecision,
} from '../domain/universe/eligibility.ts';
import { isLeveragedToken, isStableOrFiat } from '../domain/universe/excluded-assets.ts';
import type { Clock } from '../ports/clock.ts';
import type { Exchange } from '../ports/exchange.ts';
import type { Ledger, PositionSnapshot, ReconciliationRow, RunRow, RunStatus } from '../ports/ledger.ts';
import type { MarketCaps } from '../ports/market-caps.ts';
import type { MarketData } from '../ports/market-data.ts';
import { InvalidMarketDataError, StaleDataError, UserInputError, VenueMismatchError } from './errors.ts';
import type { FillReport, OrderReport, RebalanceResult } from './rebalance-result.ts';
import type { RebalanceSettings } from './settings.ts';
import { OrderExecutor } from './trading/order-executor.ts';
import { reconcileAfter, reconcileBefore, totals } from './trading/reconciler.ts';
import { TradingBook } from './trading/trading-book.ts';

export type { FillReport, OrderReport, PnlRow, RankingRow, RebalanceResult } from './rebalance-result.ts';

/** The local clock may differ from the exchange's by this much near a period boundary (14.4), ms. */
export const CLOCK_TOLERANCE_MS = 5_000;
/** "Near a period boundary": this close to 00:00 UTC of the exchange's clock, either side, ms. */
export const BOUNDARY_WINDOW_MS = 5 * 60_000;

/** A `running` run without a sign of life for this long is `abandoned` by the next run (14.1), ms. */
export const RUN_LEASE_MS = 60_000;
/** How often a run records a sign of life, ms. */
const HEARTBEAT_MS = 10_000;

/** Market-cap snapshots older than this are ignored (§4 filter 7). */
const MAX_CAP_AGE_DAYS = 45;

/** What the exchange factory is told about the decision day (used by the simulated exchange). */
export interface ExchangeContext {
  readonly dayMs: number;
  /** The account's balances going into the run (ledger state after token-swap adjustments). */
  readonly balances: readonly Balance[];
  readonly symbols: ReadonlyMap<string, SymbolInfo>;
  rules(symbol: string): SymbolRules;
  /** Unslipped open of D (a real exchange: its last price), or null when the symbol cannot trade. */
  openAt(symbol: string): string | null;
  /** A dry run: the factory must return an exchange that places nothing (the simulated one). */
  readonly dryRun: boolean;
}

/** Adapters the use case runs on (built by the composition root in `jobs/`). */
export interface RebalanceDeps {
  readonly market: MarketData;
  readonly caps: MarketCaps;
  readonly ledger: Ledger;
  /** Builds the exchange for this run (the simulated one in replay). */
  openExchange(ctx: ExchangeContext): Promise<Exchange>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Real exchanges: requests sent and their total documented weight so far (for the run summary). */
  exchangeStats?(): { readonly requests: number; readonly weight: number };
  /**
   * Real exchanges: the exchange's clock (local time + the offset measured from its serverTime), UTC ms;
   * meaningful once market data was read (issue 14.4).
   */
  exchangeNow?(): number;
  /**
   * The composition holds the account's instance lock (issue 9.4) for the whole run: no other process
   * runs this account, so every run of it still `running` is a dead process's and is `abandoned` at once
   * (14.1); without it, only runs silent for {@link RUN_LEASE_MS}.
   */
  readonly holdsAccountLock?: boolean;
}

/** Per-call options (CLI flags). */
export interface RebalanceRequest {
  readonly settings: RebalanceSettings;
  /** Decision day `YYYY-MM-DD`; default: the latest day of the market data. */
  readonly asOf?: string;
  /** Plan and simulate, place nothing, write nothing. */
  readonly dryRun: boolean;
  /** Run even when the period was already rebalanced or the next one is not due. */
  readonly force: boolean;
  /** The effective config, stored with the run (must hold no secrets). */
  readonly effectiveConfig: unknown;
}

/**
 * Runs one rebalance for the period `asOf` (default: the latest day of the data).
 * @throws UserInputError for a decision day outside the data, an unknown symbol in include/exclude, or a
 *   period earlier than the account's last rebalance; anything the adapters throw (the run is then
 *   recorded as `failed` with the reason, when it had started).
 */
export async function runRebalance(deps: RebalanceDeps, req: RebalanceRequest): Promise<RebalanceResult> {
  const t0 = deps.clock.now();
  const timings: Record<string, number> = {};
  const lap = (name: string, since: number) => {
    timings[name] = deps.clock.now() - since;
    return deps.clock.now();
  };
  const s = req.settings;
  const { log, market, ledger } = { log: deps.logger, market: deps.market, ledger: deps.ledger };

  // ---- account ---------------------------------------------------------------------------------
  // ---- account and period checks ---------------------------------------------------------------
  // One book per venue (issue 9.1): checked before any request to the exchange.
  const account = await ledger.ensureAccount({
    name: s.account,
    exchangeKind: s.exchangeKind,
    quoteAsset: s.quoteAsset,
    initialQuote: s.initialQuote,
    venue: s.venue,
  });
  const accountId = account.id;
  if (account.exchangeKind !== s.exchangeKind || (account.venue !== null && account.venue !== s.venue)) {
    throw new VenueMismatchError(
      `account "${s.account}" keeps the book of ${account.venue ?? account.exchangeKind}, but this run trades on ${s.venue}; nothing was sent. Use the account of that venue (default: the exchange kind, e.g. --account ${s.exchangeKind === 'replay' ? 'replay' : s.exchangeKind}) or another account name ([paper] account / --account NAME).`,
      account.venue ?? account.exchangeKind,
      s.venue,
    );
  }
  if (account.quoteAsset !== s.quoteAsset) {
    throw new UserInputError(
      `account "${s.account}" keeps its books in ${account.quoteAsset}, but [universe] quote_asset = ${s.quoteAsset}; use another account ([paper] account / --account)`,
    );
  }

  if (!req.dryRun) {
    // 14.1: runs of this account whose process died are never left `running`.
    const now = deps.clock.now();
    const staleBefore = deps.holdsAccountLock ? now + 1 : now - RUN_LEASE_MS;
    const abandoned = await ledger.abandonStaleRuns(accountId, 'rebalance', staleBefore, now);
    if (abandoned.length > 0) {
      log.warn({ runs: abandoned }, 'runs without a sign of life marked abandoned (their process died)');
    }
  }

  // ---- inputs: decision day, symbols, histories -------------------------------------------------
  let t = deps.clock.now();
  const live = s.exchangeKind !== 'replay';
  const coverage = await market.coverage();
  const dayMs = req.asOf === undefined ? coverage.lastDayMs : parseAsOf(req.asOf);
  if (live && dayMs !== coverage.lastDayMs) {
    throw new UserInputError(
      `--as-of ${req.asOf}: a ${s.exchangeKind} exchange trades now; its current UTC day is ${msToDay(coverage.lastDayMs)} (omit --as-of, or use [exchange] kind = replay for another day)`,
    );
  }
  const period = msToDay(dayMs);
  const L = s.strategy.lookbackDays;
  const clockProblem = live ? clockCheck(deps, dayMs) : null;
  if (dayMs > coverage.lastDayMs || dayMs - (L + 1) * DAY_MS < coverage.firstDayMs) {
    throw new UserInputError(
      `decision day ${period} is outside the data: it needs candles from ${msToDay(dayMs - (L + 1) * DAY_MS)} (D-1-L with lookback_days=${L}) to ${period}, and the data covers ${msToDay(coverage.firstDayMs)} .. ${msToDay(coverage.lastDayMs)}`,
    );
  }
  const infos = await market.symbols();
  // A real exchange's last prices are fetched while the candles load (the decision uses them below).
  const livePricesP = live && market.currentPrices ? market.currentPrices() : null;
  livePricesP?.catch(() => undefined);
  const bySymbol = new Map(infos.map((i) => [i.symbol, i]));
  for (const [key, list] of [
    ['include', s.universe.include],
    ['exclude', s.universe.exclude],
  ] as const) {
    const unknown = list.filter((sym) => !bySymbol.has(sym));
    if (unknown.length > 0) {
      throw new UserInputError(
        `[universe] ${key}: unknown symbol(s) ${unknown.join(', ')} (not in the market data)`,
      );
    }
  }
  // Every symbol: the candles of [D-1-L, D] and its segment info (§2). Held symbols get their whole
  // history up to D below (a holding may need its last close from long ago). On a real exchange, symbols
  // that the first §4 filters drop whatever their candles (excluded, not TRADING) cost no request.
  // (deeper with the §11 entry filter on: its slow SMA / breakout channel)
  const windowFrom = dayMs - entryFilterHistoryDays(L, s.risk) * DAY_MS;
  const skipCandles = (info: SymbolInfo): boolean =>
    live &&
    (info.status !== 'TRADING' ||
      isStableOrFiat(info.baseAsset) ||
      isLeveragedToken(info.symbol) ||
      s.universe.exclude.includes(info.symbol) ||
      (s.universe.include.length > 0 && !s.universe.include.includes(info.symbol)));
  const histories: SymbolHistory[] = await Promise.all(
    infos.map(async (info) => {
      if (skipCandles(info)) return { info, candles: [], splits: [], firstOpenTime: null };
      const candles = await market.dailyCandles(info.symbol, windowFrom, dayMs);
      const seg = await market.segmentInfo(info.symbol);
      return { info, candles, splits: seg.splits, firstOpenTime: seg.firstOpenTime };
    }),
  );
  const historyOf = new Map(histories.map((h) => [h.info.symbol, h]));
  t = lap('load', t);

  // ---- period checks ---------------------------------------------------------------------------
  const initialQuote = account.initialQuote;
  const last = await ledger.lastCompletedRun(accountId, 'rebalance');
  if (last && last.period > period) {
    throw new UserInputError(
      `account "${s.account}" was already rebalanced for a later period (${last.period}); runs must move forward in time. Use --as-of ${last.period} or later, or another paper account (--account NAME).`,
    );
  }
  const skipReason = skipCheck(last, period, s.strategy.rebalanceEveryDays, req.force);
  const baseRun = {
    account: s.account,
    period,
    exchange: s.exchangeKind,
    strategy_mode: s.strategy.mode,
    rebalance_mode: s.portfolio.rebalanceMode,
    forced: req.force,
    decision_time: new Date(dayMs).toISOString(),
  };
  /** Records (unless a dry run) and returns a run that a guard refused before any order (9.2, 9.3, 14.4). */
  const refuse = async (
    guard: string,
    reason: string,
    parts: Partial<RebalanceResult>,
    decided?: { decisions: readonly UniverseDecision[]; ranked: readonly RankedSymbol[] },
  ): Promise<RebalanceResult> => {
    log.error({ period, guard }, reason);
    const run = req.dryRun
      ? null
      : await ledger.startRun(newRun(accountId, req, period, dayMs, deps.clock.now()));
    if (run && decided) await ledger.recordUniverse(run.id, universeRows(decided.decisions, decided.ranked));
    const duration = deps.clock.now() - t0;
    if (run) {
      await ledger.finishRun(run.id, {
        status: 'refused',
        exitReason: reason,
        finishedAt: deps.clock.now(),
        timings: { ...timings, total: duration },
        summary: { guard },
      });
    }
    return {
      ...noTrade,
      balances: [],
      exchange: null,
      ...parts,
      run: {
        ...baseRun,
        id: run?.id ?? null,
        status: 'refused',
        exit_reason: reason,
        guard,
        rejected_phases: [],
        duration_ms: duration,
        timings_ms: { ...timings, total: duration },
      },
    };
  };
  if (clockProblem) {
    return refuse('clock', clockProblem, { balances: (await ledger.loadState(accountId)).balances });
  }
  if (skipReason) {
    log.info({ period, reason: skipReason }, 'nothing to do for this period');
    const stateNow = await ledger.loadState(accountId);
    const run = req.dryRun
      ? null
      : await ledger.startRun(newRun(accountId, req, period, dayMs, deps.clock.now()));
    // 14.3: on a real exchange the skip path reconciles too (an exchange reset or an emulator restart
    // must not go unnoticed): less than the book → refused; more → reported.
    let exchangeReport: RebalanceResult['exchange'] = null;
    let status: 'skipped' | 'refused' = 'skipped';
    let reason = skipReason;
    if (live && !req.dryRun) {
      const exchange = await deps.openExchange({
        dayMs,
        balances: stateNow.balances,
        symbols: bySymbol,
        rules: (sym) => {
          throw new Error(`no rules loaded for ${sym}: the skip path places no order`);
        },
        openAt: () => null,
        dryRun: false,
      });
      const held = await exchange.balances();
      const reconciliation = reconcileBefore(totals(stateNow.balances), held);
      const less = reconciliation.filter((r) => dec(r.difference).isNegative());
      if (less.length > 0) {
        status = 'refused';
        reason = `refused: ${skipReason}, but the exchange holds less than the ledger manages (${less
          .map((r) => `${r.asset} ${r.actual} < ${r.expected}`)
          .join(', ')})`;
        log.error({ period, differences: less }, reason);
      }
      for (const r of reconciliation.filter((x) => !dec(x.difference).isNegative())) {
        log.warn({ asset: r.asset, expected: r.expected, actual: r.actual }, `reconciliation: ${r.note}`);
      }
      if (run) {
        await ledger.recordExchangeBalances(run.id, accountId, 'before', held);
        await ledger.recordReconciliations(run.id, accountId, reconciliation);
      }
      exchangeReport = {
        balances_after: [...held],
        reconciliation,
        recovered_orders: [],
        requests: deps.exchangeStats?.().requests ?? null,
        weight: deps.exchangeStats?.().weight ?? null,
      };
    }
    const duration = deps.clock.now() - t0;
    if (run) {
      await ledger.finishRun(run.id, {
        status,
        exitReason: reason,
        finishedAt: deps.clock.now(),
        timings: { ...timings, total: duration },
        ...(status === 'refused' ? { summary: { guard: 'reconciliation' } } : {}),
      });
    }
    return {
      ...noTrade,
      run: {
        ...baseRun,
        id: run?.id ?? null,
        status,
        exit_reason: reason,
        guard: status === 'refused' ? 'reconciliation' : null,
        rejected_phases: [],
        duration_ms: duration,
        timings_ms: { ...timings, total: duration },
      },
      balances: stateNow.balances,
      exchange: exchangeReport,
    };
  }

  // ---- state: balances, positions, token swaps (§2) ---------------------------------------------
  const state = await ledger.loadState(accountId);
  // Replay: the whole history up to D (cheap, in memory). A real exchange: from the day before the last
  // run (splits since then, §2), at least the lookback window (marks use the live prices).
  const sinceLastRun = last ? dayToMs(last.period) - DAY_MS : windowFrom;
  const heldFrom = live ? Math.min(windowFrom, sinceLastRun) : 0;
  for (const p of state.positions) {
    const h = historyOf.get(p.symbol);
    if (h && !dec(p.quantity).isZero()) {
      const candles = await market.dailyCandles(p.symbol, heldFrom, dayMs);
      const seg = live ? await market.segmentInfo(p.symbol) : null;
      historyOf.set(p.symbol, { ...h, candles, ...(seg ? { splits: seg.splits } : {}) });
    }
  }
  const balances = new Map(state.balances.map((b) => [b.asset, dec(b.free).plus(dec(b.locked))]));
  const positions = new Map<string, Position>(
    state.positions.map((p) => [
      p.asset,
      {
        asset: p.asset,
        symbol: p.symbol,
        quantity: dec(p.quantity),
        costBasis: dec(p.costBasis),
        realizedPnl: dec(p.realizedPnl),
        feesQuote: dec(p.feesQuote),
      },
    ]),
  );
  const sinceMs = last ? dayToMs(last.period) : Number.NEGATIVE_INFINITY;
  const swap = convertHoldings(
    balances,
    s.quoteAsset,
    (asset) => historyOf.get(positions.get(asset)?.symbol ?? asset + s.quoteAsset)?.splits ?? [],
    sinceMs,
    dayMs,
  );
  const adjustments: RebalanceResult['adjustments'] = swap.adjustments.map(({ dayMs: day, ...a }) => {
    log.warn(
      { asset: a.asset, day: msToDay(day), before: a.quantity_before, after: a.quantity_after },
      'token swap / redenomination: holding converted (§2)',
    );
    return a;
  });
  for (const [asset, h] of swap.changed) {
    balances.set(asset, h);
    const pos = positions.get(asset);
    if (pos) positions.set(asset, { ...pos, quantity: h });
  }

  // ---- universe and ranking (§3–§5) ---------------------------------------------------------------
  const caps = await deps.caps.capsAt(dayMs, MAX_CAP_AGE_DAYS);
  if (live && s.universe.minMarketCap > 0 && caps.size === 0) {
    // 9.3: stale caps would make every symbol `no_market_cap` and sell the whole basket silently.
    const latest = await deps.caps.capsAt(dayMs, 36_500);
    const lastMs = Math.max(...[...latest.values()].map((c) => c.snapshotMs), Number.NEGATIVE_INFINITY);
    throw new StaleDataError(
      `market caps (${deps.caps.source ?? 'the configured source'}): ${
        Number.isFinite(lastMs) ? `the latest snapshot is of ${msToDay(lastMs)}` : 'no snapshot at all'
      }, older than the ${MAX_CAP_AGE_DAYS} days allowed for decision day ${period} (strategy-semantics.md §4 filter 7); nothing was traded. Update the market-cap data, or set min_market_cap = 0.`,
    );
  }
  const decisions = evaluateUniverse(dayMs, histories, caps, {
    quoteAsset: s.quoteAsset,
    lookbackDays: L,
    minAgeDays: s.universe.minAgeDays,
    minMarketCap: s.universe.minMarketCap,
    minQuoteVolume: s.universe.minQuoteVolume,
    exclude: s.universe.exclude,
    include: s.universe.include,
    tradingRule: s.exchangeKind === 'replay' ? 'history' : 'live',
    ...(s.risk !== undefined && s.risk.entryFilter !== 'none' ? { entryFilter: s.risk } : {}),
  });
  const ranked = rankUniverse(decisions, s.strategy.mode, s.strategy.topN);
  const selected = ranked.filter((r) => r.selected);
  const dataEnds = live ? new Map<string, number>() : await dataEndsBefore(market, decisions, dayMs);
  if (dataEnds.size > 0) {
    const considered = decisions.filter((d) => d.reason !== 'quote' && d.reason !== 'excluded').length;
    log.warn(
      { period, symbols: dataEnds.size, considered },
      `data ends before ${period} for ${dataEnds.size} symbol(s)${dataEnds.size * 2 > considered ? ' — most of the universe: this day is past the data' : ''}`,
    );
  }
  t = lap('rank', t);
  if (selected.length === 0 && !s.universe.allowEmpty) {
    // 9.3: zero eligible symbols would sell the whole basket into cash (§5); a live or replay run
    // refuses unless `allow_empty` says that is wanted.
    return refuse(
      'empty_universe',
      `refused: no eligible symbol on ${period} (${describeExcluded(decisions, dataEnds)}); nothing was traded. Set allow_empty = true in [universe] to sell into cash.`,
      { excluded: excludedOf(decisions, dataEnds), adjustments, balances: balancesOf(balances) },
      { decisions, ranked },
    );
  }

  // ---- prices and rules at D --------------------------------------------------------------------
  // A real exchange decides at its last prices (only TRADING symbols have one); replay at the open of D.
  const livePrices = livePricesP ? await livePricesP : null;
  const openAt = (symbol: string): string | null => {
    if (livePrices) {
      return bySymbol.get(symbol)?.status === 'TRADING' ? (livePrices.get(symbol) ?? null) : null;
    }
    const c = historyOf.get(symbol)?.candles;
    if (!c) return null;
    const i = indexAt(c, dayMs);
    return i >= 0 ? (c[i] as Candle).open : null;
  };
  const lastCloseAt = (symbol: string, atOrBeforeMs: number): string | null => {
    const c = historyOf.get(symbol)?.candles;
    if (!c) return null;
    const i = indexAtOrBefore(c, atOrBeforeMs);
    return i >= 0 ? (c[i] as Candle).close : null;
  };
  const prices: PlanPrices = {
    open: (sym) => {
      const p = openAt(sym);
      return p === null ? null : dec(p);
    },
    lastClose: (sym) => {
      const p = lastCloseAt(sym, dayMs - DAY_MS);
      return p === null ? null : dec(p);
    },
  };
  const heldSymbols = [...balances.keys()]
    .filter((a) => a !== s.quoteAsset)
    .map((a) => positions.get(a)?.symbol ?? a + s.quoteAsset);
  const ruleMap = new Map<string, SymbolRules>();
  for (const sym of new Set([...heldSymbols, ...selected.map((r) => r.symbol)])) {
    ruleMap.set(sym, await market.symbolRules(sym));
  }
  const rules = (sym: string): SymbolRules => {
    const r = ruleMap.get(sym);
    if (!r) throw new Error(`no rules loaded for ${sym}`);
    return r;
  };

  // ---- exchange, crash recovery, run record ------------------------------------------------------
  const startBalances = [...balances.entries()].map(([asset, v]) => ({
    asset,
    free: decStr(v),
    locked: '0',
  }));
  const exchange = await deps.openExchange({
    dayMs,
    balances: startBalances,
    symbols: bySymbol,
    rules,
    openAt,
    dryRun: req.dryRun,
  });
  if (req.dryRun && exchange.kind !== 'replay') {
    throw new Error(`a dry run got a ${exchange.kind} exchange: refusing to place orders`);
  }
  const batch = exchange.kind === 'replay';
  // The exchange's balances before the run (real exchanges), fetched while the ledger is prepared.
  const exchangeBeforeP = batch || req.dryRun ? null : exchange.balances();
  exchangeBeforeP?.catch(() => undefined);
  // What the strategy manages (the ledger's balances), moved by every fill; on a real exchange the
  // account may hold more (unmanaged assets), which is never traded.
  const book = new TradingBook(s.quoteAsset, (sym) => bySymbol.get(sym)?.baseAsset, balances, positions);
  const priceOf = (sym: string) => prices.open(sym) ?? prices.lastClose(sym);
  const executorDeps = {
    exchange,
    ledger,
    clock: deps.clock,
    logger: log,
    ...(live && deps.exchangeNow ? { exchangeNow: deps.exchangeNow } : {}),
  };
  const executorCtx = {
    account: s.account,
    accountId,
    quoteAsset: s.quoteAsset,
    baseAssetOf: (sym: string) => bySymbol.get(sym)?.baseAsset,
    priceOf,
    book,
  };
  let recovered: { client_order_id: string; status: string }[] = [];
  let recoveredFills = 0;
  if (!batch && !req.dryRun) {
    const recovery = await new OrderExecutor(executorDeps, {
      ...executorCtx,
      period,
      attempt: 0,
      run: null,
    }).recoverUnsettled();
    recovered = recovery.recovered;
    recoveredFills = recovery.fills.length;
    if (recovery.fills.length > 0) {
      book.exchangeDelta.clear();
      // The plan starts from the recovered book.
      balances.clear();
      for (const [asset, v] of book.managed) if (!v.isZero()) balances.set(asset, v);
    }
  }
  const attempt = await ledger.countRuns(accountId, 'rebalance', period);
  // 14.1 Resume, don't churn: a re-run of a period whose run failed or died after some of its orders
  // filled continues it — the recovered fills are in the book, and only what is still missing against
  // the same target is planned (delta), never a sale and re-purchase of the whole basket.
  const previous = req.dryRun ? null : await ledger.latestRun(accountId, 'rebalance', period);
  // A run still `running` within its lease is taken as dead too when it left fills: one instance per
  // account trades at a time (the account lock), so it is not this process's and cannot be alive.
  const continues =
    previous && ['failed', 'abandoned', 'running'].includes(previous.status) ? previous : null;
  const resume = continues !== null && recoveredFills > 0;
  if (resume) {
    log.warn(
      { period, continues: continues?.id, recoveredFills },
      `resuming the ${continues?.status} run #${continues?.id} of this period: planning only what is still missing`,
    );
  }
  const run = req.dryRun
    ? null
    : await ledger.startRun({
        ...newRun(accountId, req, period, dayMs, deps.clock.now()),
        continuesRunId: continues?.id ?? null,
      });
  // A sign of life while the run works, so a later run can tell a live run from a dead one (14.1).
  const heartbeat = run
    ? setInterval(() => {
        ledger.heartbeat(run.id, deps.clock.now()).catch(() => undefined);
      }, HEARTBEAT_MS)
    : null;
  heartbeat?.unref();
  try {
    // Writes that nothing below depends on run while the exchange answers; awaited before the state is saved.
    const background: Promise<unknown>[] = [];
    const later = (p: Promise<unknown>) => {
      p.catch(() => undefined); // awaited (and its error thrown) below
      background.push(p);
    };
    if (run) later(ledger.recordUniverse(run.id, universeRows(decisions, ranked)));
    // 14.2: every symbol we may trade has a positive decision price, or nothing is sent (run failed).
    checkDecisionPrices(
      [...new Set([...heldSymbols, ...selected.map((r) => r.symbol)])],
      openAt,
      live ? (sym) => bySymbol.get(sym)?.status === 'TRADING' : () => false,
      live ? 'GET /api/v3/ticker/price' : 'the daily candles',
      live ? 'price' : 'open',
    );
    const reconciliation: ReconciliationRow[] = [];
    let exchangeBefore: readonly Balance[] = [];
    if (!batch) {
      exchangeBefore = exchangeBeforeP ? await exchangeBeforeP : await exchange.balances();
      if (run) later(ledger.recordExchangeBalances(run.id, accountId, 'before', exchangeBefore));
      reconciliation.push(...reconcileBefore(book.managed, exchangeBefore));
      // 9.2 / 14.3: an exchange holding LESS than the book manages trades nothing.
      const less = reconciliation.filter((r) => dec(r.difference).isNegative());
      if (less.length > 0) {
        const reason = `refused: the exchange holds less than the ledger manages (${less
          .map((r) => `${r.asset} ${r.actual} < ${r.expected}`)
          .join(', ')}); nothing was traded`;
        log.error({ period, differences: less }, reason);
        if (run) await ledger.recordReconciliations(run.id, accountId, reconciliation);
        await Promise.all(background);
        const duration = deps.clock.now() - t0;
        if (run) {
          await ledger.finishRun(run.id, {
            status: 'refused',
            exitReason: reason,
            finishedAt: deps.clock.now(),
            timings: { ...timings, total: duration },
            summary: { guard: 'reconciliation', reconciliation_differences: reconciliation.length },
          });
        }
        return {
          ...noTrade,
          run: {
            ...baseRun,
            id: run?.id ?? null,
            status: 'refused',
            exit_reason: reason,
            guard: 'reconciliation',
            rejected_phases: [],
            duration_ms: duration,
            timings_ms: { ...timings, total: duration },
          },
          ranking: rankingRows(decisions, ranked),
          excluded: excludedOf(decisions, dataEnds),
          adjustments,
          balances: balancesOf(book.managed),
          exchange: {
            balances_after: [...exchangeBefore],
            reconciliation,
            recovered_orders: recovered,
            requests: deps.exchangeStats?.().requests ?? null,
            weight: deps.exchangeStats?.().weight ?? null,
          },
        };
      }
    }

    // ---- execute: SELLs, then BUYs with the cash raised (§7, §8) ----------------------------------
    const orders: OrderReport[] = [];
    const fills: FillReport[] = [];
    const executor = new OrderExecutor(executorDeps, {
      ...executorCtx,
      period,
      attempt,
      run,
      ...(batch ? {} : { dustRules: rules }),
    });
    const rejectedPhases: ('sell' | 'buy')[] = [];
    const dust: { symbol: string; side: string; notional: string }[] = [];
    const partialFills: RebalanceResult['partial_fills'] = [];
    const execute = async (name: 'sell' | 'buy', planned: readonly PlannedOrder[]) => {
      const phase = await executor.execute(planned);
      orders.push(...phase.orders);
      fills.push(...phase.fills);
      dust.push(...phase.dust);
      partialFills.push(...phase.partial);
      const sent = phase.orders.filter((o) => o.status !== 'SKIPPED');
      if (sent.length > 0 && sent.every((o) => o.status === 'REJECTED')) rejectedPhases.push(name);
    };
    const targets: PlanTarget[] = selected.map((r) => ({
      symbol: r.symbol,
      asset: r.baseAsset,
      rank: r.rank,
    }));
    const holdings = [...balances.entries()]
      .filter(([a, q]) => a !== s.quoteAsset && q.gt(0))
      .map(([asset, quantity]) => ({
        asset,
        symbol: book.positions.get(asset)?.symbol ?? asset + s.quoteAsset,
        quantity,
      }));
    const planParams = {
      mode: resume ? ('delta' as const) : s.portfolio.rebalanceMode,
      cashBuffer: s.portfolio.cashBuffer,
      band: s.portfolio.band,
    };
    const cashBefore = balances.get(s.quoteAsset) ?? ZERO;
    const sellPhase = planSells(holdings, targets, cashBefore, prices, rules, planParams);
    await execute('sell', sellPhase.orders);
    const cashAfterSells = book.get(s.quoteAsset);
    await execute('buy', planBuys(targets, cashAfterSells, sellPhase, prices, planParams));
    t = lap('execute', t);

    // ---- state after the run: balances, marks, P/L, equity, reconciliation ------------------------
    const after: Balance[] = balancesOf(book.managed);
    let exchangeAfter: readonly Balance[] = [];
    if (batch) {
      // The simulated exchange must agree with the book to the last digit.
      const sim = await exchange.balances();
      if (JSON.stringify(sim) !== JSON.stringify(after)) {
        throw new Error(
          `simulated exchange and ledger disagree: ${JSON.stringify(sim)} vs ${JSON.stringify(after)}`,
        );
      }
    } else {
      exchangeAfter = await exchange.balances();
      reconciliation.push(...reconcileAfter(exchangeBefore, book.exchangeDelta, exchangeAfter));
      for (const r of reconciliation) {
        log.warn(
          { phase: r.phase, asset: r.asset, expected: r.expected, actual: r.actual },
          `reconciliation: ${r.note}`,
        );
      }
      if (run) {
        await ledger.recordExchangeBalances(run.id, accountId, 'after', exchangeAfter);
        await ledger.recordReconciliations(run.id, accountId, reconciliation);
      }
    }
    await Promise.all(background);
    const marks = new Map<string, Decimal>();
    for (const p of book.positions.values()) {
      const mark = openAt(p.symbol) ?? lastCloseAt(p.symbol, dayMs);
      if (mark !== null) marks.set(p.asset, dec(mark));
    }
    for (const b of after) {
      if (b.asset !== s.quoteAsset && !book.positions.has(b.asset)) {
        throw new Error(`balance of ${b.asset} has no position in the ledger: refusing to lose track of it`);
      }
    }
    const marked = markPositions(book.positions, marks);
    const cash = freeOf(after, s.quoteAsset);
    const equity = cash.plus(marked.marketValue);
    const total = equity.minus(dec(initialQuote));
    const identity = marked.realizedPnl.plus(marked.unrealizedPnl);
    if (!total.eq(identity)) {
      throw new Error(
        `accounting identity broken: equity − initial = ${decStr(total)} but realized + unrealized = ${decStr(identity)}`,
      );
    }
    const snapshots: PositionSnapshot[] = marked.rows.map((r) => ({
      asset: r.position.asset,
      symbol: r.position.symbol,
      quantity: decStr(r.position.quantity),
      costBasis: decStr(r.position.costBasis),
      realizedPnl: decStr(r.position.realizedPnl),
      feesQuote: decStr(r.position.feesQuote),
      markPrice: decStr(r.mark),
      marketValue: decStr(r.marketValue),
      unrealizedPnl: decStr(r.unrealizedPnl),
    }));
    const equityPoint = {
      day: period,
      markedAt: dayMs,
      priceBasis: live ? 'last' : 'open',
      cash: decStr(cash),
      positionsValue: decStr(marked.marketValue),
      equity: decStr(equity),
      realizedPnl: decStr(marked.realizedPnl),
      unrealizedPnl: decStr(marked.unrealizedPnl),
      feesQuote: decStr(marked.feesQuote),
    };
    if (run) {
      await ledger.saveState(run.id, accountId, {
        balances: after,
        positions: snapshots,
        adjustments: adjustments.map((a) => ({
          asset: a.asset,
          symbol: book.positions.get(a.asset)?.symbol ?? a.asset + s.quoteAsset,
          kind: a.kind,
          quantityBefore: a.quantity_before,
          quantityAfter: a.quantity_after,
          ratio: a.ratio,
          note: 'token swap / redenomination: value-preserving conversion, strategy-semantics §2',
        })),
        equity: equityPoint,
      });
    }
    t = lap('record', t);
    const duration = deps.clock.now() - t0;
    const allTimings = { ...timings, total: duration };
    const rejected = orders.filter((o) => o.status === 'REJECTED').length;
    // Honest outcomes (9.2): rejections are not a clean completion; a phase whose every order was
    // rejected is named (the CLI exits non-zero for it).
    const status: RunStatus = rejected > 0 ? 'completed_with_rejections' : 'completed';
    const exitReason =
      rejectedPhases.length > 0
        ? `every order of the ${rejectedPhases.join(' and ')} phase was rejected (${rejected} rejected of ${orders.length})`
        : rejected > 0
          ? `${rejected} of ${orders.length} orders rejected`
          : 'ok';
    if (run) {
      await ledger.finishRun(run.id, {
        status,
        exitReason,
        finishedAt: deps.clock.now(),
        timings: allTimings,
        summary: {
          selected: selected.length,
          orders: orders.length,
          rejected,
          fills: fills.length,
          equity: equityPoint.equity,
          ...(deps.exchangeStats
            ? { requests: deps.exchangeStats().requests, weight: deps.exchangeStats().weight }
            : {}),
          ...(reconciliation.length > 0 ? { reconciliation_differences: reconciliation.length } : {}),
          fees: decStr(fills.reduce((a, f) => a.plus(dec(f.commission_quote)), ZERO)),
        },
      });
    }
    log.info(
      { period, orders: orders.length, rejected, equity: equityPoint.equity, ms: duration },
      req.dryRun ? 'dry run planned' : 'rebalance completed',
    );
    return {
      run: {
        ...baseRun,
        id: run?.id ?? null,
        status: req.dryRun ? 'dry_run' : status,
        exit_reason: req.dryRun ? 'dry run: nothing placed, nothing recorded' : exitReason,
        continues_run_id: continues?.id ?? null,
        resumed: resume,
        guard: null,
        rejected_phases: rejectedPhases,
        duration_ms: duration,
        timings_ms: allTimings,
      },
      ranking: rankingRows(decisions, ranked),
      excluded: excludedOf(decisions, dataEnds),
      adjustments,
      partial_fills: partialFills,
      dust: {
        orders: dust.length,
        notional: decStr(dust.reduce((a, d) => a.plus(dec(d.notional)), ZERO)),
      },
      orders,
      fills,
      balances: after,
      exchange: batch
        ? null
        : {
            balances_after: [...exchangeAfter],
            reconciliation,
            recovered_orders: recovered,
            requests: deps.exchangeStats?.().requests ?? null,
            weight: deps.exchangeStats?.().weight ?? null,
          },
      equity: {
        day: period,
        price_basis: equityPoint.priceBasis,
        cash: equityPoint.cash,
        positions_value: equityPoint.positionsValue,
        equity: equityPoint.equity,
        initial_quote: decStr(initialQuote),
      },
      pnl: {
        realized: equityPoint.realizedPnl,
        unrealized: equityPoint.unrealizedPnl,
        total: decStr(total),
        fees: equityPoint.feesQuote,
        by_asset: snapshots.map((p) => ({
          asset: p.asset,
          symbol: p.symbol,
          quantity: p.quantity,
          cost_basis: p.costBasis,
          mark_price: p.markPrice,
          market_value: p.marketValue,
          realized: p.realizedPnl,
          unrealized: p.unrealizedPnl,
          fees: p.feesQuote,
        })),
      },
    };
  } catch (err) {
    if (run) {
      const reason = err instanceof Error ? err.message : String(err);
      await ledger
        .finishRun(run.id, { status: 'failed', exitReason: reason, finishedAt: deps.clock.now(), timings })
        .catch((e: unknown) => log.error({ err: e }, 'could not record the failed run'));
    }
    throw err;
  } finally {
    if (heartbeat) clearInterval(heartbeat);
  }
}

/**
 * 14.4: the period comes from the exchange's clock; near 00:00 UTC a local clock that disagrees with it by
 * more than {@link CLOCK_TOLERANCE_MS} could name another day (and schedule a second run the same day),
 * so the run is refused. @returns the reason, or null when the clocks agree, the boundary is far, or the
 * exchange's clock is a day or more away (a replayed history, e.g. the emulator).
 */
function clockCheck(deps: RebalanceDeps, dayMs: number): string | null {
  if (!deps.exchangeNow) return null;
  const exchangeNow = deps.exchangeNow();
  const localNow = deps.clock.now();
  const skew = localNow - exchangeNow;
  const sinceMidnight = exchangeNow - dayMs;
  const nearBoundary = sinceMidnight < BOUNDARY_WINDOW_MS || DAY_MS - sinceMidnight < BOUNDARY_WINDOW_MS;
  // A difference of a day or more is not a drifting clock but an exchange replaying history (the local
  // emulator, whose clock starts at 00:00 of a past day): its day is the period, as always.
  if (Math.abs(skew) <= CLOCK_TOLERANCE_MS || Math.abs(skew) >= DAY_MS || !nearBoundary) return null;
  return `refused: the local clock is ${(Math.abs(skew) / 1000).toFixed(1)} s ${skew < 0 ? 'behind' : 'ahead of'} the exchange (${new Date(exchangeNow).toISOString()}) within ${BOUNDARY_WINDOW_MS / 60_000} min of a UTC day boundary; nothing was traded. Synchronise the clock (NTP) and run again.`;
}

function parseAsOf(asOf: string): number {
  try {
    return dayToMs(asOf);
  } catch {
    throw new UserInputError(`--as-of ${JSON.stringify(asOf)}: expected a UTC day YYYY-MM-DD`);
  }
}

/** Why the period needs no run: `already_rebalanced`, `not_due`, or null to go ahead. */
function skipCheck(last: RunRow | null, period: string, everyDays: number, force: boolean): string | null {
  if (force || !last) return null;
  if (last.period === period) return 'already_rebalanced';
  const days = (dayToMs(period) - dayToMs(last.period)) / DAY_MS;
  if (days < everyDays) return `not_due: last rebalance ${last.period}, rebalance_every_days = ${everyDays}`;
  return null;
}

function newRun(accountId: string, req: RebalanceRequest, period: string, dayMs: number, now: number) {
  return {
    accountId,
    kind: 'rebalance' as const,
    period,
    rebalanceMode: req.settings.portfolio.rebalanceMode,
    strategyMode: req.settings.strategy.mode,
    dryRun: req.dryRun,
    forced: req.force,
    config: req.effectiveConfig,
    decisionTime: dayMs,
    startedAt: now,
  };
}

function universeRows(decisions: readonly UniverseDecision[], ranked: readonly RankedSymbol[]) {
  const rankOf = new Map(ranked.map((r) => [r.symbol, r]));
  return decisions.map((d) => ({
    symbol: d.symbol,
    baseAsset: d.baseAsset,
    score: d.score,
    marketCapUsd: d.marketCapUsd,
    ageDays: d.ageDays,
    meanQuoteVolume: d.meanQuoteVolume,
    rank: rankOf.get(d.symbol)?.rank ?? null,
    selected: rankOf.get(d.symbol)?.selected ?? false,
    reason: d.reason,
  }));
}

/** The parts of a result of a run that traded nothing. */
const noTrade = {
  dust: { orders: 0, notional: '0' },
  partial_fills: [],
  ranking: [],
  excluded: { by_reason: {}, symbols: [] },
  adjustments: [],
  orders: [],
  fills: [],
  equity: null,
  pnl: null,
} as const satisfies Partial<RebalanceResult>;

/**
 * 14.2: the decision price of every symbol we may trade must be a positive decimal. A symbol that must
 * have one (`required`: TRADING on a real exchange) and has none, or any price <= 0 or not a number, is an
 * {@link InvalidMarketDataError} naming the source, the symbol and the field.
 */
function checkDecisionPrices(
  symbols: readonly string[],
  priceOf: (symbol: string) => string | null,
  required: (symbol: string) => boolean,
  source: string,
  field: string,
): void {
  for (const sym of symbols) {
    const p = priceOf(sym);
    if (p === null) {
      if (required(sym)) {
        throw new InvalidMarketDataError(
          `${source}: no ${field} for ${sym}, a symbol this run may trade (empty or incomplete answer); nothing was sent`,
        );
      }
      continue;
    }
    let ok = false;
    try {
      ok = dec(p).gt(0);
    } catch {
      ok = false;
    }
    if (!ok) {
      throw new InvalidMarketDataError(
        `${source}: ${sym} ${field} = ${JSON.stringify(p)} is not a price > 0; nothing was sent`,
      );
    }
  }
}

/** `no_market_cap 12, not_trading 3` — the exclusion counts for a message. */
function describeExcluded(
  decisions: readonly UniverseDecision[],
  dataEnds: ReadonlyMap<string, number>,
): string {
  const by = excludedOf(decisions, dataEnds).by_reason;
  const parts = Object.entries(by).map(([k, v]) => `${k} ${v}`);
  return parts.length > 0 ? `excluded: ${parts.join(', ')}` : 'no symbol in the data';
}

/** Non-zero book entries as balances, sorted by asset. */
function balancesOf(book: ReadonlyMap<string, Decimal>): Balance[] {
  return [...book.entries()]
    .filter(([, v]) => !v.isZero())
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([asset, v]) => ({ asset, free: decStr(v), locked: '0' }));
}

/** The ranking rows of the result (§5). */
function rankingRows(decisions: readonly UniverseDecision[], ranked: readonly RankedSymbol[]) {
  const decisionOf = new Map(decisions.map((d) => [d.symbol, d]));
  return ranked.map((r) => ({
    rank: r.rank,
    symbol: r.symbol,
    trailing_return: r.score,
    market_cap_usd: decisionOf.get(r.symbol)?.marketCapUsd ?? null,
    age_days: decisionOf.get(r.symbol)?.ageDays ?? null,
    selected: r.selected,
  }));
}

/** The excluded symbols with their §4 reason, and the count per reason. */
function excludedOf(
  decisions: readonly UniverseDecision[],
  dataEnds: ReadonlyMap<string, number>,
): RebalanceResult['excluded'] {
  const symbols = decisions
    .filter((d) => !d.eligible)
    .map((d) => ({ symbol: d.symbol, reason: dataEnds.has(d.symbol) ? 'data_ends' : (d.reason as string) }));
  const byReason: Record<string, number> = {};
  for (const r of [...EXCLUSION_REASONS, 'data_ends']) {
    const n = symbols.filter((x) => x.reason === r).length;
    if (n > 0) byReason[r] = n;
  }
  if (dataEnds.size === 0) return { by_reason: byReason, symbols };
  const lastDays = [...new Set([...dataEnds.values()])].sort((a, b) => a - b).map(msToDay);
  return { by_reason: byReason, symbols, data_ends: { symbols: dataEnds.size, last_days: lastDays } };
}

/**
 * 9.3, replay: the symbols `not_trading` at D only because their data ends before D — a series that has
 * no candle from D-1 on and whose last day is also the last day of at least {@link DATA_END_GROUP}
 * series (the end of a source window, as `symbols.csv` notes it), not a one-off delisting.
 * @returns symbol → its last candle day (UTC ms).
 */
async function dataEndsBefore(
  market: MarketData,
  decisions: readonly UniverseDecision[],
  dayMs: number,
): Promise<Map<string, number>> {
  const ended = new Map<string, number>();
  for (const d of decisions.filter((x) => x.reason === 'not_trading')) {
    const upToD = await market.dailyCandles(d.symbol, 0, dayMs);
    const last = upToD.at(-1);
    if (!last || last.openTime >= dayMs - DAY_MS) continue;
    if ((await market.dailyCandles(d.symbol, dayMs, Number.MAX_SAFE_INTEGER)).length > 0) continue; // halted
    ended.set(d.symbol, last.openTime);
  }
  const perDay = new Map<number, number>();
  for (const t of ended.values()) perDay.set(t, (perDay.get(t) ?? 0) + 1);
  for (const [sym, t] of ended) if ((perDay.get(t) ?? 0) < DATA_END_GROUP) ended.delete(sym);
  return ended;
}

/** At least this many series ending on one day = the data's end, not delistings (9.3). */
const DATA_END_GROUP = 20;

function freeOf(balances: readonly Balance[], asset: string): Decimal {
  const b = balances.find((x) => x.asset === asset);
  return b ? dec(b.free) : ZERO;
}
