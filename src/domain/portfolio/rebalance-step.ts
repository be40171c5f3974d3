/**
 * One rebalance step (strategy-semantics.md §8): plan the SELLs, execute them, then plan the BUYs with the
 * quote cash they raised, and execute those. Pure: the execution is a function the caller passes —
 * synchronous in the reference backtest (the in-process simulated account), asynchronous on the live
 * path (the order executor sending to an exchange and recording in the ledger).
 */
import type { Decimal } from '../decimal.ts';
import {
  type PlanHolding,
  type PlannedOrder,
  type PlanParams,
  type PlanPrices,
  type PlanTarget,
  planBuys,
  planSells,
} from '../planning/plan.ts';
import type { SymbolRules } from '../types.ts';

/** What one step decides from (quantities in asset units, cash in the quote asset). */
export interface RebalanceStepInput {
  /** Non-quote holdings before trading. */
  readonly holdings: readonly PlanHolding[];
  /** The selected symbols (§5), by rank. */
  readonly targets: readonly PlanTarget[];
  /** Free quote balance before trading. */
  readonly cash: Decimal;
  readonly prices: PlanPrices;
  rules(symbol: string): SymbolRules;
  readonly params: PlanParams;
}

/** `sell` then `buy`. */
export type StepPhase = 'sell' | 'buy';

/**
 * The step as a sequence: yields the SELL orders, receives the free quote cash after they were executed,
 * then yields the BUY orders (§8: the buys are sized with the cash the sells actually raised).
 * @throws Error from `planSells` when a holding has no price at all.
 */
export function* rebalancePhases(
  input: RebalanceStepInput,
): Generator<{ readonly phase: StepPhase; readonly orders: readonly PlannedOrder[] }, void, Decimal> {
  const { holdings, targets, cash, prices, params } = input;
  const sellPhase = planSells(holdings, targets, cash, prices, (s) => input.rules(s), params);
  const cashAfterSells = yield { phase: 'sell', orders: sellPhase.orders };
  yield { phase: 'buy', orders: planBuys(targets, cashAfterSells, sellPhase, prices, params) };
}

/**
 * Runs one step with a synchronous executor (the reference backtest).
 * @param execute executes the orders of a phase and returns the free quote cash after them.
 */
export function rebalanceStep(
  input: RebalanceStepInput,
  execute: (phase: StepPhase, orders: readonly PlannedOrder[]) => Decimal,
): void {
  const steps = rebalancePhases(input);
  let next = steps.next();
  while (!next.done) next = steps.next(execute(next.value.phase, next.value.orders));
}

/**
 * Runs one step with an asynchronous executor (the live path: orders sent and recorded).
 * @param execute executes the orders of a phase and resolves to the free quote cash after them.
 */
export async function rebalanceStepAsync(
  input: RebalanceStepInput,
  execute: (phase: StepPhase, orders: readonly PlannedOrder[]) => Promise<Decimal>,
): Promise<void> {
  const steps = rebalancePhases(input);
  let next = steps.next();
  while (!next.done) next = steps.next(await execute(next.value.phase, next.value.orders));
}
