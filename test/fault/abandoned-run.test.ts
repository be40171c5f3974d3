/**
 * A killed run is `abandoned` by the very next run, not left `running` (issue 14 item 1), on each ledger.
 *
 * Reproduces what the fault suite found on main: the CLI killed (`kill -9`) after its orders were
 * recorded PENDING, then re-run at once — the re-run resolved the orders and completed, but the dead run
 * stayed `running`, because only a run silent for the 60 s lease was abandoned. The rebalance command
 * holds the account's instance lock (issue 9.4) for the whole run, so any `running` run of the account is
 * a dead process's. Real CLI, real emulator, the harness of the fault suite (test/fault/harness.ts).
 */
import { describe, expect, it } from 'vitest';
import { haveFaultProxy, type LedgerKind, runCase } from './harness.ts';
import { useSixSymbolHarness } from './six-symbol-harness.ts';

const h = useSixSymbolHarness();

const ledgers: { kind: LedgerKind; skip: boolean }[] = [
  { kind: 'pglite', skip: false },
  { kind: 'postgres', skip: !process.env.DATABASE_URL },
];

describe.skipIf(!haveFaultProxy)('a run killed after recording its orders PENDING', () => {
  for (const { kind, skip } of ledgers) {
    it.skipIf(skip)(
      `${kind}: the re-run right after it marks it abandoned and continues it`,
      async () => {
        const o = await runCase(
          h(),
          {
            name: `abandon-${kind}`,
            family: 'crash',
            ledger: kind,
            // Kill when the first order request arrives (it is never forwarded: nothing placed).
            crash: (e) => (e.nthOrder === 1 ? 'kill-before' : null),
          },
          null,
        );
        expect(o.killed).toBe(true);
        expect(o.runs.map((r) => r.code ?? r.signal)).toEqual(['SIGKILL', 0]);
        // The re-run finished within seconds of the kill, well inside the 60 s lease.
        expect(o.verdict.runStatuses).toEqual(['abandoned', 'completed']);
        expect(o.verdict.pendingOrders).toBe(0);
        expect(o.verdict.differences).toEqual([]);
        expect(o.verdict.duplicates).toEqual([]);
      },
      240_000,
    );
  }
});
