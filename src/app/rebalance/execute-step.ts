/**
 * The live path's rebalance step (§7, §8): `rebalanceStep` with the order executor — SELLs executed, then
 * BUYs sized with the quote cash the book holds after them — and what the phases produced.
 */
import type { RebalanceStepInput } from '../../domain/portfolio/rebalance-step.ts';
import { rebalanceStepAsync } from '../../domain/portfolio/rebalance-step.ts';
import type { FillReport, OrderReport, RebalanceResult } from '../rebalance-result.ts';
import type { OrderExecutor } from '../trading/order-executor.ts';
import type { TradingBook } from '../trading/trading-book.ts';

/** The orders, fills, dust and partial fills of both phases, and the phases whose every sent order was rejected (9.2). */
export interface StepOutcome {
  readonly orders: OrderReport[];
  readonly fills: FillReport[];
  readonly dust: { symbol: string; side: string; notional: string }[];
  readonly partialFills: RebalanceResult['partial_fills'][number][];
  readonly rejectedPhases: ('sell' | 'buy')[];
}

/** Runs the step through `executor`; the cash for the BUYs is `book`'s quote balance after the SELLs. */
export async function executeStep(
  executor: OrderExecutor,
  book: TradingBook,
  input: RebalanceStepInput,
): Promise<StepOutcome> {
  const out: StepOutcome = { orders: [], fills: [], dust: [], partialFills: [], rejectedPhases: [] };
  await rebalanceStepAsync(input, async (phase, planned) => {
    const done = await executor.execute(planned);
    out.orders.push(...done.orders);
    out.fills.push(...done.fills);
    out.dust.push(...done.dust);
    out.partialFills.push(...done.partial);
    const sent = done.orders.filter((o) => o.status !== 'SKIPPED');
    if (sent.length > 0 && sent.every((o) => o.status === 'REJECTED')) out.rejectedPhases.push(phase);
    return book.get(book.quoteAsset);
  });
  return out;
}
