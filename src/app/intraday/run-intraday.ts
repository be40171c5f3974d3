/**
 * The live intraday pass (strategy-semantics.md §12; issue 10 item 4): a second use case on the trading
 * kernel. For each position of the book it evaluates, with §10's rules and the stored state, the candles of
 * `[intraday] interval` closed since the previous pass and then the last price; a rule that fires sends
 * one MARKET SELL of the whole holding through the rebalance's order executor (PENDING before send,
 * clientOrderId from account, hour, symbol and reason: never twice); portfolio risk at the same marks
 * may sell everything and set the kill switch. Each pass is a run of kind `intraday` with its decisions,
 * exits, orders, fills, balances and equity. It never buys, so a halt changes nothing here.
 */
import { type Decimal, dec, decStr, floorStep } from '../../domain/decimal.ts';
import type { PendingReason } from '../../domain/risk/evaluate-bar.ts';
import { FLAT, type PositionState } from '../../domain/risk/position-state.ts';
import { msToDay } from '../../domain/time.ts';
import type { Balance, SymbolRules } from '../../domain/types.ts';
import type { IntradayCandles } from '../../ports/intraday-candles.ts';
import type { RiskStateRow } from '../../ports/intraday-journal.ts';
import type { RebalanceDeps } from '../rebalance/deps.ts';
import { assertVenue, reconciliationGuard } from '../rebalance/guards.ts';
import { bookOfState } from '../rebalance/opening-book.ts';
import { balancesOf, closeBook } from '../rebalance/result-parts.ts';
import { RUN_LEASE_MS } from '../rebalance.ts';
import type { RebalanceSettings } from '../settings.ts';
import { OrderExecutor } from '../trading/order-executor.ts';
import { reconcileAfter, reconcileBefore } from '../trading/reconciler.ts';
import { openRunExchange } from '../trading/run-exchange.ts';
import { TradingBook } from '../trading/trading-book.ts';
import { NO_OP_SESSION, openTradingSession, releaseDeadRuns } from '../trading/trading-session.ts';
import { evaluatePosition, type PositionOutcome } from './evaluate-position.ts';
import { exitOrderId } from './exit-order-id.ts';
import { intervalMs } from './interval.ts';
import type { IntradayResult } from './intraday-result.ts';
import { alignedState, dailyMark, exitReportsOf, exitRow } from './pass-parts.ts';
import { cancelBeforeSells, checkRestingStops, recheckStops, syncStops } from './pass-stops.ts';
import { portfolioRiskAt } from './portfolio-pass.ts';
import { refusePass } from './refused-pass.ts';
import { rowOfState } from './risk-rows.ts';

/** What the pass runs on: the rebalance's adapters plus the intraday candles. */
export interface IntradayDeps extends RebalanceDeps {
  readonly candles: IntradayCandles;
}

/** One pass. */
export interface IntradayRequest {
  readonly settings: RebalanceSettings;
  /** Evaluate and simulate, send nothing, record nothing. */
  readonly dryRun: boolean;
  /** The effective config stored with the run (no secrets). */
  readonly effectiveConfig: unknown;
}

/** How often a pass records a sign of life, ms. */
const HEARTBEAT_MS = 10_000;

/**
 * Runs one intraday pass (see the module docstring).
 * @throws VenueMismatchError for an account of another venue; whatever the adapters throw (the run is
 *   then recorded `failed` when it had started; an order whose outcome is unknown stays PENDING and the
 *   next pass looks it up by clientOrderId).
 */
export async function runIntraday(deps: IntradayDeps, req: IntradayRequest): Promise<IntradayResult> {
  const t0 = deps.clock.now();
  const s = req.settings;
  const { ledger, logger: log, clock, market, candles } = deps;
  const { quoteAsset } = s;
  const risk = s.risk;
  if (!risk) throw new Error('the intraday pass needs the [risk] / [signals] / [intraday] settings');
  const step = intervalMs(risk.interval);
  const account = await ledger.ensureAccount({
    name: s.account,
    exchangeKind: s.exchangeKind,
    quoteAsset,
    initialQuote: s.initialQuote,
    venue: s.venue,
  });
  assertVenue(account, s);
  const accountId = account.id;
  if (!req.dryRun) {
    const lease = deps.holdsAccountLock ? -1 : RUN_LEASE_MS;
    await releaseDeadRuns({ journal: ledger, clock, logger: log }, accountId, 'intraday', lease);
  }
  const state = await ledger.loadState(accountId);
  const haltBefore = (await ledger.haltState(accountId)).status;
  const { balances, positions } = bookOfState(state);
  const symbolOf = (asset: string) => positions.get(asset)?.symbol ?? asset + quoteAsset;
  const heldOf = (m: ReadonlyMap<string, Decimal>) =>
    [...m].filter(([a, q]) => a !== quoteAsset && q.gt(0)).map(([a]) => symbolOf(a));
  const nothing = (reason: string): IntradayResult => ({
    run: {
      account: s.account,
      kind: 'intraday',
      period: msToDay(candles.now()),
      at: new Date(candles.now()).toISOString(),
      run_id: null,
      dry_run: req.dryRun,
      status: 'skipped',
      exit_reason: reason,
      rejected_phases: [],
      duration_ms: clock.now() - t0,
    },
    halt: { before: haltBefore, after: haltBefore },
    decisions: [],
    exits: [],
    orders: [],
    fills: [],
    portfolio: null,
    balances: balancesOf(balances),
    reconciliation: [],
    candle_requests: candles.requests(),
  });
  // A pass with nothing held does nothing (no candle request); an unknown order outcome of an earlier
  // pass would still show as a holding here, so it is resolved below.
  const unsettled = req.dryRun ? null : await ledger.unsettledOrders(accountId);
  if (heldOf(balances).length === 0 && (unsettled?.orders.length ?? 0) === 0) return nothing('nothing_held');

  // ---- symbols, rules and the exchange; crash recovery of an earlier pass's orders ------------------
  const infos = new Map((await market.symbols()).map((x) => [x.symbol, x]));
  const rulesBy = new Map<string, SymbolRules>();
  const loadRules = async (syms: readonly string[]) => {
    for (const [sym, r] of await Promise.all(
      syms.map(async (x) => [x, await market.symbolRules(x)] as const),
    ))
      rulesBy.set(sym, r);
  };
  await loadRules(heldOf(balances));
  const rules = (sym: string): SymbolRules => {
    const r = rulesBy.get(sym);
    if (!r) throw new Error(`no rules loaded for ${sym}`);
    return r;
  };
  const baseAssetOf = (sym: string) => infos.get(sym)?.baseAsset;
  const book = new TradingBook(quoteAsset, baseAssetOf, balances, positions);
  const nowMs = candles.now();
  const period = msToDay(nowMs);
  const decisionPrices = new Map<string, Decimal>();
  const { exchange, batch, executorDeps } = await openRunExchange(
    deps,
    {
      dayMs: nowMs,
      balances: [...balances].map(([asset, v]) => ({ asset, free: decStr(v), locked: '0' })),
      symbols: infos,
      rules,
      openAt: (sym) => {
        const x = decisionPrices.get(sym);
        return x === undefined ? null : decStr(x);
      },
      dryRun: req.dryRun,
    },
    s.exchangeKind !== 'replay',
  );
  const priceOf = (sym: string) => decisionPrices.get(sym) ?? null;
  const executorCtx = { account: s.account, accountId, quoteAsset, baseAssetOf, priceOf, book, period };
  const recovered =
    !batch && !req.dryRun && (unsettled?.orders.length ?? 0) > 0
      ? await new OrderExecutor(executorDeps, { ...executorCtx, attempt: 0, run: null }).recoverUnsettled()
      : null;
  // exchange-side stops: the resting ones stay; a triggered one is booked here, exactly once
  const stopsCtx = { ...executorCtx, balances, dryRun: req.dryRun };
  const { resting, filled: stopFills } = await checkRestingStops(executorDeps, stopsCtx);
  const held = heldOf(book.managed);
  if (held.length === 0 && recovered === null && stopFills.length === 0) return nothing('nothing_held');
  await loadRules(held.filter((x) => !rulesBy.has(x)));

  // ---- the run; each position's state, its unseen candles, the last prices in one request ------------
  const attempt = req.dryRun ? 0 : await ledger.countRuns(accountId, 'intraday', period);
  const session = req.dryRun
    ? NO_OP_SESSION
    : await openTradingSession(
        { journal: ledger, clock, logger: log },
        {
          accountId,
          kind: 'intraday',
          period,
          rebalanceMode: s.portfolio.rebalanceMode,
          strategyMode: s.strategy.mode,
          dryRun: false,
          forced: false,
          config: req.effectiveConfig,
          decisionTime: nowMs,
          startedAt: clock.now(),
        },
        { heartbeatMs: HEARTBEAT_MS },
      );
  try {
    const rows = new Map((await ledger.riskStates(accountId)).map((r) => [r.symbol, r]));
    const lastClosedOpen = nowMs - (nowMs % step) - step;
    const historyBars =
      risk.exitSignal === 'sma_cross'
        ? risk.exitSmaSlow
        : risk.exitSignal === 'breakout'
          ? risk.exitBreakoutBars
          : 0;
    const inputs = held.map((sym) => {
      const holding = book.get(baseAssetOf(sym) ?? sym.slice(0, -quoteAsset.length));
      const row = rows.get(sym);
      return {
        sym,
        holding,
        row,
        state: alignedState(row, holding, book.positions.get(baseAssetOf(sym) ?? '')),
      };
    });
    const [fetched, lasts] = await Promise.all([
      Promise.all(
        inputs.map(async (x) => {
          const fromMs = x.row?.lastCandleOpenMs != null ? x.row.lastCandleOpenMs + step : lastClosedOpen;
          if (fromMs > lastClosedOpen) return { fromMs, all: [] as const };
          const need = x.row?.pending ? 0 : historyBars;
          return { fromMs, all: await candles.closedCandles(x.sym, fromMs - need * step) };
        }),
      ),
      candles.lastPrices(held),
    ]);
    const outcomes: { sym: string; holding: Decimal; o: PositionOutcome; lastCandle: number | null }[] = [];
    inputs.forEach((x, i) => {
      const f = fetched[i] as (typeof fetched)[number];
      const last = lasts.get(x.sym);
      const o = evaluatePosition(
        {
          symbol: x.sym,
          state: x.state,
          pending: (x.row?.pending ?? null) as PendingReason | null,
          history: f.all.filter((c) => c.openTime < f.fromMs),
          candles: f.all.filter((c) => c.openTime >= f.fromMs),
          last: last === undefined ? null : dec(last),
          nowMs,
          rules: rules(x.sym),
        },
        risk,
      );
      const evaluated = f.all.filter((c) => c.openTime >= f.fromMs);
      const lastCandle =
        o.exit && o.exit.atMs < nowMs
          ? o.exit.atMs - step
          : (evaluated.at(-1)?.openTime ?? x.row?.lastCandleOpenMs ?? lastClosedOpen);
      outcomes.push({ sym: x.sym, holding: x.holding, o, lastCandle });
    });

    // ---- portfolio risk at the pass's marks (§10, §12): may sell everything and set the halt --------
    const marks = new Map<string, Decimal | null>();
    for (const x of outcomes) {
      const last = lasts.get(x.sym);
      marks.set(x.sym, last !== undefined ? dec(last) : await dailyMark(market, x.sym, nowMs));
    }
    const portfolio = await portfolioRiskAt(
      { ledger, accountId, settings: risk, initialQuote: dec(account.initialQuote), dryRun: req.dryRun },
      {
        cash: book.get(quoteAsset),
        holdings: outcomes.map((x) => ({ holding: x.holding, mark: marks.get(x.sym) ?? null })),
        period,
        nowMs,
        runId: session.run?.id ?? null,
      },
    );
    const fired = outcomes.flatMap((x) => {
      if (x.o.exit) return [{ ...x, exit: x.o.exit }];
      const m = marks.get(x.sym);
      if (portfolio?.reason && m != null && !x.holding.isZero())
        return [{ ...x, exit: { reason: portfolio.reason, level: null, price: m, atMs: nowMs } }];
      return [];
    });

    // a real exchange: its balances before the SELLs (one account request), reconciled with the book
    // (14.3): less than the book refuses the pass before any SELL (exit 3); more is reported
    const reconcile = !batch && !req.dryRun && fired.length > 0;
    let exchangeBefore = reconcile ? await exchange.balances() : [];
    let reconciliation = reconcile ? reconcileBefore(book.managed, exchangeBefore) : [];
    let refusal = reconciliationGuard(reconciliation);
    // less than the book where a stop rests: it may have triggered since the check (looked up, once)
    const short = new Set(reconciliation.filter((r) => dec(r.difference).isNegative()).map((r) => r.asset));
    const suspects = [...resting.values()].filter((x) => short.has(baseAssetOf(x.symbol) ?? ''));
    const stoppedLate =
      refusal && suspects.length > 0 ? await recheckStops(executorDeps, stopsCtx, resting, suspects) : [];
    if (stoppedLate.length > 0) {
      exchangeBefore = await exchange.balances();
      reconciliation = reconcileBefore(book.managed, exchangeBefore);
      refusal = reconciliationGuard(reconciliation);
    }
    if (refusal) {
      const haltNow = (await ledger.haltState(accountId)).status;
      return await refusePass({ ledger, logger: log }, session, {
        refusal,
        accountId,
        exchangeBefore,
        reconciliation,
        decisions: outcomes.map((x) => ({ symbol: x.sym, detail: x.o.detail })),
        base: {
          run: { account: s.account, kind: 'intraday', period, at: new Date(nowMs).toISOString() },
          halt: { before: haltBefore, after: haltNow },
          portfolio: portfolio?.report ?? null,
          balances: balancesOf(book.managed),
          candle_requests: candles.requests(),
        },
        t0,
        now: () => clock.now(),
      });
    }
    // the resting stop of a symbol to sell is cancelled first; one that triggered meanwhile sold it
    const stoppedNow = await cancelBeforeSells(
      executorDeps,
      stopsCtx,
      resting,
      fired.map((e) => e.sym),
    );
    const exits = fired.filter((e) => !stoppedNow.includes(e.sym) && !stoppedLate.includes(e.sym));

    // ---- the SELLs, through the rebalance's order executor ------------------------------------------
    for (const e of exits) decisionPrices.set(e.sym, e.exit.price);
    const reasonOf = new Map(exits.map((e) => [e.sym, e.exit.reason]));
    const executor = new OrderExecutor(executorDeps, {
      ...executorCtx,
      attempt: 0,
      run: session.run,
      clientOrderIdOf: (o) =>
        exitOrderId(s.account, nowMs, o.symbol, reasonOf.get(o.symbol) ?? 'exit', attempt),
      ...(batch ? {} : { dustRules: rules }),
    });
    const planned = exits.map((e) => ({
      symbol: e.sym,
      asset: baseAssetOf(e.sym) ?? e.sym.slice(0, -quoteAsset.length),
      side: 'SELL' as const,
      leg: 'sell' as const,
      quantity: floorStep(e.holding, rules(e.sym).stepSize),
      quoteOrderQty: null,
      decisionPrice: e.exit.price,
      why: `${e.exit.reason}${e.exit.level ? ` at ${decStr(e.exit.level)}` : ''} (intraday §10)`,
    }));
    const phase = await executor.execute(planned);
    if (reconcile) {
      const exchangeAfter = await exchange.balances();
      reconciliation.push(...reconcileAfter(exchangeBefore, book.exchangeDelta, exchangeAfter));
      for (const r of reconciliation)
        log.warn(
          { phase: r.phase, asset: r.asset, expected: r.expected, actual: r.actual },
          `reconciliation: ${r.note}`,
        );
      await session.write((id) => ledger.recordExchangeBalances(id, accountId, 'before', exchangeBefore));
      await session.write((id) => ledger.recordExchangeBalances(id, accountId, 'after', exchangeAfter));
      await session.write((id) => ledger.recordReconciliations(id, accountId, reconciliation));
    }
    const exitReports = exitReportsOf(exits, phase.orders);
    if (exits.length > 0)
      log.info({ exits: exitReports.map((x) => [x.symbol, x.reason, x.status]) }, 'intraday exits');

    // ---- the state after the pass: position states, decisions, exits, balances and equity -----------
    const nextRows: RiskStateRow[] = outcomes.map((x) => {
      const holding = book.get(baseAssetOf(x.sym) ?? '');
      let st: PositionState = x.o.state;
      if (!holding.eq(st.holding))
        st = holding.isZero() ? FLAT : alignedState(rowOfState(x.sym, st, null, null), holding, undefined);
      // a SELL that filled consumed the bars up to now; a rejected one has them evaluated again (§10)
      const last = holding.eq(x.holding) ? x.lastCandle : Math.max(x.lastCandle ?? 0, lastClosedOpen);
      return rowOfState(x.sym, st, last, x.o.pending);
    });
    // the exchange's stops follow the next states: unchanged ones rest, moved ones are replaced
    const synced = await syncStops(
      executorDeps,
      { ...stopsCtx, attempt, run: session.run, risk, rules, idLeg: `stop-${nowMs}` },
      resting,
      nextRows,
    );
    if (synced.kept + synced.replaced + synced.placed > 0)
      log.info({ kept: synced.kept, replaced: synced.replaced, placed: synced.placed }, 'exchange stops');
    const after: Balance[] = balancesOf(book.managed);
    const markOf = (sym: string) => {
      const m = marks.get(sym) ?? decisionPrices.get(sym);
      return m == null ? null : decStr(m);
    };
    const closed = closeBook(after, book.positions, markOf, {
      quoteAsset,
      initialQuote: account.initialQuote,
      period,
      dayMs: nowMs,
      priceBasis: 'last',
    });
    await session.write((id) => ledger.saveRiskStates(accountId, synced.rows, id, nowMs));
    await session.write((id) =>
      ledger.recordIntradayDecisions(
        id,
        outcomes.map((x) => ({ symbol: x.sym, detail: x.o.detail })),
      ),
    );
    await session.write((id) => ledger.recordIntradayExits(id, accountId, exitReports.map(exitRow)));
    await session.write((id) =>
      ledger.saveState(id, accountId, {
        balances: after,
        positions: closed.snapshots,
        adjustments: [],
        equity: closed.equity,
      }),
    );
    const sent = phase.orders.filter((o) => o.status !== 'SKIPPED');
    const rejected = sent.filter((o) => o.status === 'REJECTED').length;
    const allRejected = sent.length > 0 && rejected === sent.length;
    const status = req.dryRun ? 'dry_run' : rejected > 0 ? 'completed_with_rejections' : 'completed';
    const exitReason =
      exits.length === 0
        ? 'ok: no rule fired'
        : `${exits.length} exit(s): ${exitReports.map((x) => `${x.symbol} ${x.reason} ${x.status}`).join(', ')}`;
    const duration = clock.now() - t0;
    await session.finish({
      status: req.dryRun ? 'completed' : (status as 'completed' | 'completed_with_rejections'),
      exitReason,
      timings: { total: duration },
      summary: {
        positions: outcomes.length,
        exits: exits.length,
        rejected,
        equity: closed.equity.equity,
        candle_requests: candles.requests(),
        reconciliation_differences: reconciliation.length,
      },
    });
    const haltAfter = req.dryRun ? haltBefore : (await ledger.haltState(accountId)).status;
    return {
      run: {
        account: s.account,
        kind: 'intraday',
        period,
        at: new Date(nowMs).toISOString(),
        run_id: session.run?.id ?? null,
        dry_run: req.dryRun,
        status,
        exit_reason: exitReason,
        rejected_phases: allRejected ? ['sell'] : [],
        duration_ms: duration,
      },
      halt: { before: haltBefore, after: haltAfter },
      decisions: outcomes.map((x) => ({ symbol: x.sym, ...x.o.detail })),
      exits: exitReports,
      orders: phase.orders,
      fills: phase.fills,
      portfolio: portfolio?.report ?? null,
      balances: after,
      reconciliation,
      candle_requests: candles.requests(),
    };
  } catch (err) {
    await session.fail(err, {});
    throw err;
  }
}
