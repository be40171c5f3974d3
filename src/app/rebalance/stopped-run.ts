/**
 * Runs that stop before any order: `refused` by a guard (9.2, 9.3, 14.4), `skipped` because the
 * period needs no run (§1) — which on a real exchange still reconciles (14.3) — and `failed` because
 * the exchange's market data at D was unusable (14.2).
 */
import type { Logger } from 'pino';
import { dec } from '../../domain/decimal.ts';
import type { RankedSymbol } from '../../domain/ranking/rank.ts';
import type { Balance } from '../../domain/types.ts';
import type { UniverseDecision } from '../../domain/universe/eligibility.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Exchange } from '../../ports/exchange.ts';
import type { ExchangeRecords } from '../../ports/exchange-records.ts';
import type { NewRun } from '../../ports/ledger-rows.ts';
import type { RunJournal } from '../../ports/run-journal.ts';
import type { RebalanceResult } from '../rebalance-result.ts';
import { reconcileBefore, totals } from '../trading/reconciler.ts';
import { openTradingSession, type TradingSession } from '../trading/trading-session.ts';
import { type Refusal, reconciliationGuard } from './guards.ts';
import { noTrade, type RunHeader, universeRows } from './result-parts.ts';

export type { RunHeader } from './result-parts.ts';

/** What a stopped run records with and reports. */
export interface StoppedRunContext {
  readonly journal: Pick<RunJournal, 'startRun' | 'heartbeat' | 'finishRun' | 'recordUniverse'> &
    ExchangeRecords;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly accountId: string;
  readonly newRun: () => NewRun;
  readonly header: RunHeader;
  /** Start of the run (UTC ms) and the phase timings so far. */
  readonly t0: number;
  readonly timings: Record<string, number>;
  /** Real exchanges: requests and weight so far. */
  exchangeStats?(): { readonly requests: number; readonly weight: number };
}

/**
 * Records (unless a dry run) and returns a run that a guard refused before any order.
 * @param parts the result's parts known when the guard stopped it; decided: the universe to record.
 */
export async function refuseRun(
  ctx: StoppedRunContext,
  refusal: Refusal,
  parts: Partial<RebalanceResult>,
  decided?: { decisions: readonly UniverseDecision[]; ranked: readonly RankedSymbol[] },
): Promise<RebalanceResult> {
  ctx.logger.error({ period: ctx.header.period, guard: refusal.guard }, refusal.reason);
  const session = await openTradingSession(
    { journal: ctx.journal, clock: ctx.clock, logger: ctx.logger },
    ctx.newRun(),
  );
  if (decided)
    await session.write((id) =>
      ctx.journal.recordUniverse(id, universeRows(decided.decisions, decided.ranked)),
    );
  return refuseInSession(ctx, session, refusal, parts);
}

/**
 * Finishes an open session as `refused` by a guard (after awaiting its pending writes) and returns the
 * run's report. @param summary more summary fields to record (e.g. the reconciliation differences).
 */
export async function refuseInSession(
  ctx: StoppedRunContext,
  session: TradingSession,
  refusal: Refusal,
  parts: Partial<RebalanceResult>,
  summary: Record<string, unknown> = {},
): Promise<RebalanceResult> {
  await session.settle();
  const duration = ctx.clock.now() - ctx.t0;
  await session.finish({
    status: 'refused',
    exitReason: refusal.reason,
    timings: { ...ctx.timings, total: duration },
    summary: { guard: refusal.guard, ...summary },
  });
  return {
    ...noTrade,
    balances: [],
    exchange: null,
    ...parts,
    run: {
      ...ctx.header,
      id: session.run?.id ?? null,
      status: 'refused',
      exit_reason: refusal.reason,
      guard: refusal.guard,
      rejected_phases: [],
      duration_ms: duration,
      timings_ms: { ...ctx.timings, total: duration },
    },
  };
}

/**
 * A period that needs no run (`skipReason`): recorded `skipped`. On a real exchange (`openExchange`
 * given, not a dry run) it reconciles too — an exchange reset or an emulator restart must not go
 * unnoticed: less than the book → `refused`; more → reported.
 */
export async function skipRun(
  ctx: StoppedRunContext,
  skipReason: string,
  balances: readonly Balance[],
  openExchange: ((balances: readonly Balance[]) => Promise<Exchange>) | null,
): Promise<RebalanceResult> {
  const log = ctx.logger;
  log.info({ period: ctx.header.period, reason: skipReason }, 'nothing to do for this period');
  const session = await openTradingSession(
    { journal: ctx.journal, clock: ctx.clock, logger: log },
    ctx.newRun(),
  );
  let exchangeReport: RebalanceResult['exchange'] = null;
  let refusal: Refusal | null = null;
  if (openExchange && session.run) {
    const held = await (await openExchange(balances)).balances();
    const reconciliation = reconcileBefore(totals(balances), held);
    refusal = reconciliationGuard(reconciliation, skipReason);
    if (refusal) {
      log.error(
        {
          period: ctx.header.period,
          differences: reconciliation.filter((r) => dec(r.difference).isNegative()),
        },
        refusal.reason,
      );
    }
    for (const r of reconciliation.filter((x) => !dec(x.difference).isNegative())) {
      log.warn({ asset: r.asset, expected: r.expected, actual: r.actual }, `reconciliation: ${r.note}`);
    }
    await session.write((id) => ctx.journal.recordExchangeBalances(id, ctx.accountId, 'before', held));
    await session.write((id) => ctx.journal.recordReconciliations(id, ctx.accountId, reconciliation));
    exchangeReport = {
      balances_after: [...held],
      reconciliation,
      recovered_orders: [],
      requests: ctx.exchangeStats?.().requests ?? null,
      weight: ctx.exchangeStats?.().weight ?? null,
    };
  }
  const status = refusal ? 'refused' : 'skipped';
  const duration = ctx.clock.now() - ctx.t0;
  await session.finish({
    status,
    exitReason: refusal?.reason ?? skipReason,
    timings: { ...ctx.timings, total: duration },
    ...(refusal ? { summary: { guard: 'reconciliation' } } : {}),
  });
  return {
    ...noTrade,
    run: {
      ...ctx.header,
      id: session.run?.id ?? null,
      status,
      exit_reason: refusal?.reason ?? skipReason,
      guard: refusal ? 'reconciliation' : null,
      rejected_phases: [],
      duration_ms: duration,
      timings_ms: { ...ctx.timings, total: duration },
    },
    balances: [...balances],
    exchange: exchangeReport,
  };
}

/**
 * 14.2: records a run of the period as `failed` with `err`'s message when the market data at D could not
 * be loaded (e.g. a kline with a price <= 0 from the exchange): the run stopped before its session, and
 * without a row it would leave no trace in the ledger. A failure to record is logged, not thrown.
 * @param run the run's row to start (its period is the decision day's); timings: the phases so far, ms.
 */
export async function recordFailedBeforeSession(
  deps: {
    readonly journal: Pick<RunJournal, 'startRun' | 'heartbeat' | 'finishRun'>;
    readonly clock: Clock;
    readonly logger: Logger;
  },
  run: NewRun,
  err: unknown,
  timings: Record<string, number>,
): Promise<void> {
  try {
    const session = await openTradingSession(deps, run);
    await session.fail(err, timings);
  } catch (e) {
    deps.logger.error({ err: e }, 'could not record the failed run');
  }
}
