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
import { applyFill, markPositions, type Position } from '../domain/accounting/average-cost.ts';
import { clientOrderId } from '../domain/client-order-id.ts';
import { Decimal, dec, decStr, roundDown8, ZERO } from '../domain/decimal.ts';
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
import type { Balance, Candle, Side, SymbolInfo, SymbolRules } from '../domain/types.ts';
import {
  EXCLUSION_REASONS,
  entryFilterHistoryDays,
  evaluateUniverse,
  type SymbolHistory,
  type UniverseDecision,
} from '../domain/universe/eligibility.ts';
import { isLeveragedToken, isStableOrFiat } from '../domain/universe/excluded-assets.ts';
import type { SegmentSplit } from '../domain/universe/segments.ts';
import type { Clock } from '../ports/clock.ts';
import type { Exchange, OrderFill, OrderOutcome } from '../ports/exchange.ts';
import type {
  CompletedOrder,
  FillRow,
  Ledger,
  NewOrder,
  OrderOutcomeRow,
  OrderRowOut,
  PositionSnapshot,
  ReconciliationRow,
  RunRow,
} from '../ports/ledger.ts';
import type { MarketCaps } from '../ports/market-caps.ts';
import type { MarketData } from '../ports/market-data.ts';
import { UserInputError } from './errors.ts';
import type { FillReport, OrderReport, RebalanceResult } from './rebalance-result.ts';
import type { RebalanceSettings } from './settings.ts';

export type { FillReport, OrderReport, PnlRow, RankingRow, RebalanceResult } from './rebalance-result.ts';

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

  // ---- account and period checks ---------------------------------------------------------------
  const accountSpec = {
    name: s.account,
    exchangeKind: s.exchangeKind,
    quoteAsset: s.quoteAsset,
    initialQuote: s.initialQuote,
  };
  const account = await ledger.ensureAccount(accountSpec);
  const accountId = account.id;
  if (account.quoteAsset !== s.quoteAsset) {
    throw new UserInputError(
      `account "${s.account}" keeps its books in ${account.quoteAsset}, but [universe] quote_asset = ${s.quoteAsset}; use another account ([paper] account / --account)`,
    );
  }
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
  if (skipReason) {
    log.info({ period, reason: skipReason }, 'nothing to do for this period');
    const run = req.dryRun
      ? null
      : await ledger.startRun(newRun(accountId, req, period, dayMs, deps.clock.now()));
    const duration = deps.clock.now() - t0;
    if (run) {
      await ledger.finishRun(run.id, {
        status: 'skipped',
        exitReason: skipReason,
        finishedAt: deps.clock.now(),
        timings: { ...timings, total: duration },
      });
    }
    return {
      run: {
        ...baseRun,
        id: run?.id ?? null,
        status: 'skipped',
        exit_reason: skipReason,
        duration_ms: duration,
        timings_ms: { ...timings, total: duration },
      },
      ranking: [],
      excluded: { by_reason: {}, symbols: [] },
      adjustments: [],
      orders: [],
      fills: [],
      balances: (await ledger.loadState(accountId)).balances,
      exchange: null,
      equity: null,
      pnl: null,
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
  let positions = new Map<string, Position>(
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
  const adjustments: RebalanceResult['adjustments'] = [];
  for (const [asset, qty] of [...balances.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (asset === s.quoteAsset || qty.isZero()) continue;
    const symbol = positions.get(asset)?.symbol ?? asset + s.quoteAsset;
    const splits = historyOf.get(symbol)?.splits ?? [];
    let h = qty;
    for (const sp of splits.filter((x) => x.dayMs > sinceMs && x.dayMs <= dayMs)) {
      const after = convertAcrossSplit(h, sp);
      adjustments.push({
        asset,
        kind: 'segment_split',
        quantity_before: decStr(h),
        quantity_after: decStr(after),
        ratio: decStr(dec(sp.closeBefore).div(dec(sp.openAfter))),
      });
      log.warn(
        { asset, day: msToDay(sp.dayMs), before: decStr(h), after: decStr(after) },
        'token swap / redenomination: holding converted (§2)',
      );
      h = after;
    }
    if (!h.eq(qty)) {
      balances.set(asset, h);
      const pos = positions.get(asset);
      if (pos) positions.set(asset, { ...pos, quantity: h });
    }
  }

  // ---- universe and ranking (§3–§5) ---------------------------------------------------------------
  const caps = await deps.caps.capsAt(dayMs, MAX_CAP_AGE_DAYS);
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
  t = lap('rank', t);

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
  const managed = new Map(balances);
  /** Books one fill into `positions` and `managed`, and the exchange's own deltas into `exchangeDelta`. */
  const exchangeDelta = new Map<string, Decimal>();
  const bump = (m: Map<string, Decimal>, asset: string, d: Decimal) =>
    m.set(asset, (m.get(asset) ?? ZERO).plus(d));
  const bookFill = (asset: string, symbol: string, side: Side, f: FillLike, commissionQuote: Decimal) => {
    const baseAsset = bySymbol.get(symbol)?.baseAsset ?? asset;
    const q = dec(f.quantity);
    const notional = dec(f.quoteQuantity);
    const commission = dec(f.commission);
    const sign = side === 'BUY' ? 1 : -1;
    for (const m of [managed, exchangeDelta]) {
      bump(m, baseAsset, sign > 0 ? q : q.neg());
      bump(m, s.quoteAsset, sign > 0 ? notional.neg() : notional);
    }
    bump(exchangeDelta, f.commissionAsset, commission.neg());
    const charge = bookCommission(f, side, baseAsset, s.quoteAsset, commissionQuote, managed);
    bump(managed, charge.asset, charge.amount.neg());
    positions = applyFill(positions, asset, symbol, s.quoteAsset, {
      side,
      quantity: f.quantity,
      quoteQuantity: f.quoteQuantity,
      commission: charge.amount,
      commissionAsset: charge.asset,
      commissionQuote,
    });
  };
  const recovered: { client_order_id: string; status: string }[] = [];
  if (!batch && !req.dryRun) {
    // Orders of an earlier run that never completed reached the exchange but not the saved state:
    // resolve the PENDING ones by clientOrderId, then book every fill they had (never placed twice).
    const unsettled = await ledger.unsettledOrders(accountId);
    for (const o of unsettled.orders.filter((x) => x.status === 'PENDING')) {
      const outcome = await exchange.queryOrder(o.symbol, o.clientOrderId);
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
                  bySymbol.get(o.symbol)?.baseAsset ?? '',
                  s.quoteAsset,
                  prices,
                ),
                outcome.transactTime,
              ),
            )
          : [];
      const row: OrderOutcomeRow =
        outcome === null
          ? {
              status: 'REJECTED',
              exchangeOrderId: null,
              executedQty: '0',
              cummulativeQuoteQty: '0',
              avgPrice: null,
              slippageBps: null,
              rejectCode: null,
              rejectReason: 'not_placed',
              rejectMessage:
                'unknown to the exchange when looked up by clientOrderId after an unfinished run',
              transactTime: null,
              latencyMs: null,
            }
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
      const asset = bySymbol.get(f.symbol)?.baseAsset ?? f.symbol.slice(0, -s.quoteAsset.length);
      bookFill(asset, f.symbol, f.side, f, dec(f.commissionQuote));
    }
    if (again.fills.length > 0) {
      log.warn({ fills: again.fills.length }, 'fills of an earlier unfinished run booked before this run');
      exchangeDelta.clear();
      // The plan starts from the recovered book.
      balances.clear();
      for (const [asset, v] of managed) if (!v.isZero()) balances.set(asset, v);
    }
  }
  const attempt = await ledger.countRuns(accountId, 'rebalance', period);
  const run = req.dryRun
    ? null
    : await ledger.startRun(newRun(accountId, req, period, dayMs, deps.clock.now()));
  try {
    // Writes that nothing below depends on run while the exchange answers; awaited before the state is saved.
    const background: Promise<unknown>[] = [];
    const later = (p: Promise<unknown>) => {
      p.catch(() => undefined); // awaited (and its error thrown) below
      background.push(p);
    };
    if (run) later(ledger.recordUniverse(run.id, universeRows(decisions, ranked)));
    const reconciliation: ReconciliationRow[] = [];
    let exchangeBefore: readonly Balance[] = [];
    if (!batch) {
      exchangeBefore = exchangeBeforeP ? await exchangeBeforeP : await exchange.balances();
      if (run) later(ledger.recordExchangeBalances(run.id, accountId, 'before', exchangeBefore));
      const held = new Map(exchangeBefore.map((b) => [b.asset, dec(b.free).plus(dec(b.locked))]));
      for (const [asset, qty] of managed) {
        const actual = held.get(asset) ?? ZERO;
        if (qty.gt(actual)) {
          reconciliation.push({
            phase: 'before',
            asset,
            expected: decStr(qty),
            actual: decStr(actual),
            difference: decStr(actual.minus(qty)),
            note: 'the exchange holds less than the ledger manages: orders may be rejected (-2010)',
          });
        }
      }
    }

    // ---- execute: SELLs, then BUYs with the cash raised (§7, §8) ----------------------------------
    const orders: OrderReport[] = [];
    const fills: FillReport[] = [];
    // Orders to a real exchange are recorded (PENDING) before they are sent, sent a few at a time (they
    // are independent: the cash of a phase is fixed before it starts) and completed after; the
    // in-process simulated exchange has no effect outside this process, so its orders are recorded with
    // their outcomes in one transaction per phase, in plan order.
    const execute = async (planned: readonly PlannedOrder[]) => {
      if (planned.length === 0) return;
      const completed: (CompletedOrder | null)[] = new Array(planned.length).fill(null);
      const reports: OrderReport[] = new Array(planned.length);
      const fillReports: FillReport[][] = planned.map(() => []);
      const decidedAt = deps.clock.now();
      const ids = planned.map((o) =>
        clientOrderId({ account: s.account, period, symbol: o.symbol, side: o.side, leg: o.leg, attempt }),
      );
      const newOrders: NewOrder[] | null =
        run &&
        planned.map((o, i) => ({
          runId: run.id,
          accountId,
          clientOrderId: ids[i] as string,
          symbol: o.symbol,
          side: o.side,
          leg: o.leg,
          quantity: o.quantity ? decStr(o.quantity) : null,
          quoteOrderQty: o.quoteOrderQty ? decStr(o.quoteOrderQty) : null,
          decisionPrice: o.decisionPrice ? decStr(o.decisionPrice) : '0',
          decidedAt,
        }));
      // A real exchange: every order of the phase is recorded PENDING (one transaction) before any is sent.
      const ledgerIds = newOrders && !batch ? await ledger.recordOrders(newOrders) : null;
      const one = async (o: PlannedOrder, index: number) => {
        const id = ids[index] as string;
        const outcome = await exchange.placeMarketOrder({
          symbol: o.symbol,
          side: o.side,
          clientOrderId: id,
          ...(o.quantity ? { quantity: decStr(o.quantity) } : {}),
          ...(o.quoteOrderQty ? { quoteOrderQty: decStr(o.quoteOrderQty) } : {}),
        });
        const latency = batch ? null : deps.clock.now() - decidedAt;
        const report = orderReport(o, id, outcome, latency);
        reports[index] = report;
        if (outcome.status === 'REJECTED') {
          log.warn(
            { symbol: o.symbol, side: o.side, code: outcome.code, reason: outcome.reason },
            `order rejected: ${outcome.message}; skipped (§7)`,
          );
        }
        const baseAsset = bySymbol.get(o.symbol)?.baseAsset ?? o.asset;
        const filledAt = outcome.status === 'REJECTED' ? null : outcome.transactTime;
        const fillRows: FillRow[] = [];
        for (const f of outcome.status === 'REJECTED' ? [] : outcome.fills) {
          const commissionQuote = commissionInQuote(
            f.commission,
            f.commissionAsset,
            f.price,
            baseAsset,
            s.quoteAsset,
            prices,
          );
          bookFill(o.asset, o.symbol, o.side, f, commissionQuote);
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
        await forEachLimited(planned, batch ? 1 : ORDER_CONCURRENCY, one);
      } finally {
        // The outcomes that are known are recorded even when the phase failed; an order whose outcome
        // is unknown stays PENDING (the next run looks it up by clientOrderId).
        if (ledgerIds) {
          await ledger.completeOrders(
            completed.flatMap((c, i) =>
              c ? [{ orderId: ledgerIds[i] as string, outcome: c.outcome, fills: c.fills }] : [],
            ),
          );
        }
      }
      orders.push(...reports);
      fills.push(...fillReports.flat());
      if (!ledgerIds)
        await ledger.recordCompletedOrders(completed.filter((c): c is CompletedOrder => c !== null));
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
        symbol: positions.get(asset)?.symbol ?? asset + s.quoteAsset,
        quantity,
      }));
    const planParams = {
      mode: s.portfolio.rebalanceMode,
      cashBuffer: s.portfolio.cashBuffer,
      band: s.portfolio.band,
    };
    const cashBefore = balances.get(s.quoteAsset) ?? ZERO;
    const sellPhase = planSells(holdings, targets, cashBefore, prices, rules, planParams);
    await execute(sellPhase.orders);
    const cashAfterSells = managed.get(s.quoteAsset) ?? ZERO;
    await execute(planBuys(targets, cashAfterSells, sellPhase, prices, planParams));
    t = lap('execute', t);

    // ---- state after the run: balances, marks, P/L, equity, reconciliation ------------------------
    const after: Balance[] = [...managed.entries()]
      .filter(([, v]) => !v.isZero())
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([asset, v]) => ({ asset, free: decStr(v), locked: '0' }));
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
      const expected = new Map(exchangeBefore.map((b) => [b.asset, dec(b.free).plus(dec(b.locked))]));
      for (const [asset, d] of exchangeDelta) bump(expected, asset, d);
      const actual = new Map(exchangeAfter.map((b) => [b.asset, dec(b.free).plus(dec(b.locked))]));
      for (const asset of [...new Set([...expected.keys(), ...actual.keys()])].sort()) {
        const e = expected.get(asset) ?? ZERO;
        const a = actual.get(asset) ?? ZERO;
        if (!e.eq(a)) {
          reconciliation.push({
            phase: 'after',
            asset,
            expected: decStr(e),
            actual: decStr(a),
            difference: decStr(a.minus(e)),
            note: "exchange balance after the run differs from its balance before plus the run's fills",
          });
        }
      }
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
    for (const p of positions.values()) {
      const mark = openAt(p.symbol) ?? lastCloseAt(p.symbol, dayMs);
      if (mark !== null) marks.set(p.asset, dec(mark));
    }
    for (const b of after) {
      if (b.asset !== s.quoteAsset && !positions.has(b.asset)) {
        throw new Error(`balance of ${b.asset} has no position in the ledger: refusing to lose track of it`);
      }
    }
    const marked = markPositions(positions, marks);
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
          symbol: positions.get(a.asset)?.symbol ?? a.asset + s.quoteAsset,
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
    if (run) {
      await ledger.finishRun(run.id, {
        status: 'completed',
        exitReason: 'ok',
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
    const excludedRows = decisions
      .filter((d) => !d.eligible)
      .map((d) => ({ symbol: d.symbol, reason: d.reason as string }));
    const byReason: Record<string, number> = {};
    for (const r of EXCLUSION_REASONS) {
      const n = excludedRows.filter((x) => x.reason === r).length;
      if (n > 0) byReason[r] = n;
    }
    const decisionOf = new Map(decisions.map((d) => [d.symbol, d]));
    return {
      run: {
        ...baseRun,
        id: run?.id ?? null,
        status: req.dryRun ? 'dry_run' : 'completed',
        exit_reason: req.dryRun ? 'dry run: nothing placed, nothing recorded' : 'ok',
        duration_ms: duration,
        timings_ms: allTimings,
      },
      ranking: ranked.map((r) => ({
        rank: r.rank,
        symbol: r.symbol,
        trailing_return: r.score,
        market_cap_usd: decisionOf.get(r.symbol)?.marketCapUsd ?? null,
        age_days: decisionOf.get(r.symbol)?.ageDays ?? null,
        selected: r.selected,
      })),
      excluded: { by_reason: byReason, symbols: excludedRows },
      adjustments,
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
  }
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

/** §2: `h := round_down_8(h × close_before / open_after)`. */
function convertAcrossSplit(h: Decimal, sp: SegmentSplit): Decimal {
  return roundDown8(h.times(dec(sp.closeBefore)).div(dec(sp.openAfter)));
}

function freeOf(balances: readonly Balance[], asset: string): Decimal {
  const b = balances.find((x) => x.asset === asset);
  return b ? dec(b.free) : ZERO;
}

/**
 * Commission valued in quote at fill time: in quote as is; in the base asset × the fill price; in a third
 * asset (BNB) × that asset's open at D (`<asset><quote>`), or 0 with no price.
 */
function commissionInQuote(
  commission: string,
  asset: string,
  fillPrice: string,
  baseAsset: string,
  quoteAsset: string,
  prices: PlanPrices,
): Decimal {
  if (asset === quoteAsset) return dec(commission);
  if (asset === baseAsset) return dec(commission).times(dec(fillPrice));
  const p = prices.open(asset + quoteAsset) ?? prices.lastClose(asset + quoteAsset);
  return p ? dec(commission).times(p) : ZERO;
}

/**
 * What the book (the assets the strategy manages) pays for one fill's commission. In the base or quote
 * asset: the commission as charged. In a third asset (BNB, with Binance's "pay fees with BNB" on): out of
 * the book's own BNB when it holds at least the commission; otherwise the BNB was the account's, not the
 * strategy's, and the book is charged the commission's quote value in the asset the fill delivered, as if
 * Binance had taken it there (commission_faq.md) — a BUY receives `round_up_8(commission_quote × q /
 * quote_qty)` fewer base units (at most q), a SELL `commission_quote` less quote. So the book never goes
 * negative and never claims BNB it does not hold, while its P/L is net of the fee at its BNB price.
 * @param managed the book's balances before this fill's commission.
 * @returns the asset and amount (> 0 or 0) to take from the book.
 */
export function bookCommission(
  f: FillLike,
  side: Side,
  baseAsset: string,
  quoteAsset: string,
  commissionQuote: Decimal,
  managed: ReadonlyMap<string, Decimal>,
): { asset: string; amount: Decimal } {
  const commission = dec(f.commission);
  const third = f.commissionAsset !== baseAsset && f.commissionAsset !== quoteAsset;
  if (!third || (managed.get(f.commissionAsset) ?? ZERO).gte(commission)) {
    return { asset: f.commissionAsset, amount: commission };
  }
  if (side === 'SELL') return { asset: quoteAsset, amount: commissionQuote };
  const q = dec(f.quantity);
  const notional = dec(f.quoteQuantity);
  const units = notional.isZero()
    ? ZERO
    : Decimal.min(q, commissionQuote.times(q).div(notional).toDecimalPlaces(8, Decimal.ROUND_UP));
  return { asset: baseAsset, amount: units };
}

/** Orders of one phase in flight at once on a real exchange (Binance allows 50 orders per 10 s). */
const ORDER_CONCURRENCY = 10;

/** The fields of a fill the book needs (an exchange fill or a recorded one). */
interface FillLike {
  readonly quantity: string;
  readonly quoteQuantity: string;
  readonly commission: string;
  readonly commissionAsset: string;
}

/** Runs `fn` over `items` with at most `limit` in flight (limit 1 = strictly in order). */
async function forEachLimited<T>(
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

/** The ledger row of one exchange fill. */
function fillRow(
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

/** The ledger row of an order's outcome. */
function outcomeRow(report: OrderReport, outcome: OrderOutcome, latency: number | null): OrderOutcomeRow {
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
function plannedOf(o: OrderRowOut): PlannedOrder {
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

function orderReport(
  o: PlannedOrder,
  id: string,
  outcome: OrderOutcome,
  latency: number | null,
): OrderReport {
  const common = {
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
