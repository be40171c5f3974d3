/**
 * Where the crash family kills the CLI (`SIGKILL`): at wire events that mark the phases of a rebalance on
 * a real exchange, found from a clean run's request sequence (today: `exchangeInfo`, `ticker/price`, the
 * klines, `GET /api/v3/account` (balances before), the `POST /api/v3/order`s, `GET /api/v3/account`
 * (balances after), then the ledger writes), plus kills at seeded times. Wire events, not log lines: they
 * stay valid while the use case is refactored, and they need no hook in the product.
 */
import { mulberry32 } from '../support/mulberry32.ts';
import type { Baseline, CrashAction, WireEvent } from './harness.ts';

/** One kill point. */
export interface CrashPoint {
  readonly name: string;
  /** The phase it stands for (for the report). */
  readonly phase: string;
  readonly trigger: ((e: WireEvent) => CrashAction) | { readonly afterMs: number };
}

const ACCOUNT = '/api/v3/account';
const isOrder = (e: WireEvent) => e.nthOrder > 0;

/**
 * The wire kill points, sized from the clean run (`baseline.ordersSent` orders). Each fires at most once.
 */
export function wireCrashPoints(baseline: Baseline): CrashPoint[] {
  const last = Math.max(1, baseline.ordersSent);
  const middle = Math.max(1, Math.ceil(last / 2));
  return [
    {
      name: 'after-load',
      phase: 'market data loaded and ranked; first account request (nothing placed)',
      trigger: (e) => (e.method === 'GET' && e.path === ACCOUNT ? 'kill-before' : null),
    },
    {
      name: 'after-pending',
      phase: 'orders recorded PENDING; the first order request is not forwarded (nothing placed)',
      trigger: (e) => (isOrder(e) && e.nthOrder === 1 ? 'kill-before' : null),
    },
    {
      name: 'first-order-placed',
      phase: 'mid-sends: order 1 executed on the exchange, its answer never delivered',
      trigger: (e) => (isOrder(e) && e.nthOrder === 1 ? 'kill-after-upstream' : null),
    },
    {
      name: 'mid-sends',
      phase: `mid-sends: order ${middle} of ${last} executed, its answer never delivered`,
      trigger: (e) => (isOrder(e) && e.nthOrder === middle ? 'kill-after-upstream' : null),
    },
    {
      name: 'after-sends',
      phase: `after sends, before completion: order ${last} of ${last} answered, killed right after`,
      trigger: (e) => (isOrder(e) && e.nthOrder === last ? 'kill-after-answer' : null),
    },
    {
      name: 'before-state-save',
      phase: 'every order answered; the balances-after request answered, killed before the state save',
      trigger: (e) =>
        e.method === 'GET' && e.path === ACCOUNT && e.ordersAnswered >= last ? 'kill-after-answer' : null,
    },
  ];
}

/**
 * A kill at a seeded time (mulberry32, the fault proxy's generator): uniform in [10 %, 90 %) of the clean
 * run's wall time.
 */
export function timedCrashPoint(seed: number, baseline: Baseline): CrashPoint {
  const afterMs = Math.round(baseline.ms * (0.1 + 0.8 * mulberry32(seed)()));
  return {
    name: `time-seed-${seed}`,
    phase: `killed ${afterMs} ms after spawn (clean run: ${Math.round(baseline.ms)} ms)`,
    trigger: { afterMs },
  };
}
