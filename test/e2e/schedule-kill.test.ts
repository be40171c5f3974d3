/**
 * `kill -9` of the scheduler daemon in the middle of a run (issue 11 item 6), on each ledger (embedded
 * PGlite — its lock file is left behind — and the Postgres server of DATABASE_URL — its advisory lock
 * dies with the connection).
 *
 * Reproduces what a power cut or an OOM kill does to `momentum-rebalancer schedule`: the daemon catches up
 * today's slot on start and is SIGKILLed in the middle of its sends. The BUYs of a phase are all recorded
 * PENDING, then sent concurrently (ORDER_CONCURRENCY); the daemon is killed when the LAST of them reaches
 * the wire (counted in arrival order), before it is forwarded: the N − 1 before it are on their way and
 * execute on the exchange (whether their answers reached the daemon is a race, either way is fine), the
 * last is never placed. The ledger holds PENDING orders of a `running` run. The next start must resolve
 * them by clientOrderId (executed → booked; unknown to the exchange → not placed), mark the dead run
 * `abandoned`, finish the rebalance and converge: the book equals the exchange, exactly the basket a clean
 * daemon run buys, no clientOrderId executed twice, and no more orders than the clean run (no
 * sell-and-rebuy churn).
 *
 * Real CLI processes (`momentum-rebalancer schedule --exchange testnet --base-url …`), binance-api-node
 * over HTTP, the local Binance emulator and the real ledgers: the harness of the fault suite
 * (test/fault/harness.ts: the crash proxy kills the daemon at a wire event; the invariants are read from
 * the ledger and from the emulator, never from the daemon's own report).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CaseLedger,
  type CrashAction,
  caseEmulator,
  executedOrders,
  freshLedger,
  type LedgerKind,
  QUOTE,
  runCli,
  startCrashProxy,
  tail,
  verdict,
  type WireEvent,
} from '../fault/harness.ts';
import { useSixSymbolHarness } from '../fault/six-symbol-harness.ts';

/** The daemon catches up today's slot at once (00:00 UTC has always passed) and then idles until tomorrow. */
const DAEMON_ENV = { REBALANCER_SCHEDULE_REBALANCE_AT: '00:00', REBALANCER_SCHEDULE_CATCH_UP: 'true' };

const h = useSixSymbolHarness();

interface LogLine {
  readonly msg?: string;
  readonly [k: string]: unknown;
}

let caseNo = 0;

/**
 * One daemon case on a fresh emulator account and a fresh ledger, every run through one crash proxy
 * (the account's venue): runs the daemon until its first job finishes (then SIGTERM) or until the crash
 * trigger kills it. Returns the pieces for the checks.
 */
async function daemonCase(kind: LedgerKind, name: string) {
  caseNo += 1;
  const apiKey = `kill-${process.pid}-${caseNo}`;
  const account = `daemon-${caseNo}`;
  const emu = await caseEmulator(h(), apiKey);
  const ledger: CaseLedger = await freshLedger(h(), kind, `${name}-${caseNo}`);
  const cwd = mkdtempSync(path.join(h().tmp, 'daemon-'));
  let trigger: ((e: WireEvent) => CrashAction) | null = null;
  const front = await startCrashProxy(emu.baseUrl, (e) => trigger?.(e) ?? null);
  /** Starts the daemon; resolves when it exits (SIGTERMed once a job finished, or killed). */
  const daemon = async () => {
    const finished: LogLine[] = [];
    const r = await runCli({
      apiKey,
      account,
      ledger,
      cwd,
      baseUrl: front.baseUrl,
      include: h().include,
      via: 'crash-proxy',
      command: 'schedule',
      env: DAEMON_ENV,
      timeoutMs: 180_000,
      onSpawn: (child: ChildProcess) => {
        front.setVictim(child);
        let partial = '';
        child.stderr?.on('data', (d: Buffer) => {
          partial += d;
          const lines = partial.split('\n');
          partial = lines.pop() as string;
          for (const l of lines) {
            let line: LogLine;
            try {
              line = JSON.parse(l) as LogLine;
            } catch {
              continue;
            }
            if (line.msg === 'job finished' && finished.length === 0) {
              finished.push(line);
              child.kill('SIGTERM');
            }
          }
        });
      },
    });
    return { ...r, finished: finished[0] };
  };
  const close = async () => {
    await front.close();
    await emu.close();
    await ledger.drop().catch(() => {});
  };
  return {
    apiKey,
    account,
    emu,
    ledger,
    front,
    daemon,
    close,
    arm: (t: typeof trigger) => {
      trigger = t;
    },
  };
}

const ledgers: { kind: LedgerKind; skip: boolean }[] = [
  { kind: 'pglite', skip: false },
  { kind: 'postgres', skip: !process.env.DATABASE_URL },
];

/** The clean daemon run: the reference basket (base assets held) and its count of non-dust orders. */
let clean: { basket: string[]; nonDust: number; ordersSent: number } | null = null;

describe('momentum-rebalancer schedule killed (-9) in the middle of a run', () => {
  beforeAll(async () => {
    const c = await daemonCase('pglite', 'clean');
    try {
      const r = await c.daemon();
      expect(r.code, tail(r)).toBe(0);
      expect(r.finished, tail(r)).toMatchObject({ status: 'completed', exit_reason: 'ok' });
      const v = await verdict(c.emu, c.apiKey, c.ledger, c.account, Number.POSITIVE_INFINITY);
      expect(v.differences).toEqual([]);
      clean = {
        basket: c.emu
          .balances(c.apiKey)
          .map((b) => b.asset)
          .filter((a) => a !== QUOTE)
          .sort(),
        nonDust: v.executedNonDust,
        ordersSent: c.front.seen.filter((s) => s === 'POST /api/v3/order').length,
      };
    } finally {
      await c.close();
    }
  }, 240_000);

  for (const { kind, skip } of ledgers) {
    it.skipIf(skip)(
      `${kind}: the next start resolves the PENDING orders and converges on the basket, no duplicate order`,
      async () => {
        const ref = clean as NonNullable<typeof clean>;
        // A phase of several orders (six BUYs of a fresh account), so that some execute before the kill.
        expect(ref.ordersSent).toBeGreaterThanOrEqual(3);
        expect(ref.basket.length).toBeGreaterThanOrEqual(3);
        const c = await daemonCase(kind, 'killed');
        try {
          // Killed when the last order of the phase arrives (not forwarded); the others are on their way.
          const last = ref.ordersSent;
          c.arm((e) => (e.nthOrder === last ? 'kill-before' : null));
          const killed = await c.daemon();
          expect(c.front.fired()).toBe(true);
          expect(killed.signal, tail(killed)).toBe('SIGKILL');
          expect(killed.finished).toBeUndefined();
          // Mid-run indeed: N − 1 orders executed on the exchange, the ledger holds PENDING orders.
          const before = await c.ledger.read(c.account);
          const executedBefore = await executedOrders(
            c.emu,
            c.apiKey,
            before.orders.map((o) => o.symbol),
          );
          expect(executedBefore).toHaveLength(last - 1);
          expect(c.front.seen.filter((x) => x === 'POST /api/v3/order')).toHaveLength(last);
          expect(before.orders.filter((o) => o.status === 'PENDING').length).toBeGreaterThanOrEqual(1);
          expect(before.runStatuses).toEqual(['running']);

          // The next start (the crash proxy disarmed; the same base URL: the account's venue).
          c.arm(null);
          c.front.disarm();
          const again = await c.daemon();
          expect(again.code, tail(again)).toBe(0);
          expect(again.finished, tail(again)).toMatchObject({
            account: c.account,
            status: 'completed',
            exit_reason: 'ok',
          });

          const v = await verdict(c.emu, c.apiKey, c.ledger, c.account, ref.nonDust);
          expect(v.runStatuses).toEqual(['abandoned', 'completed']);
          expect(v.pendingOrders).toBe(0);
          expect(v.differences).toEqual([]); // the book equals the exchange, asset by asset, exactly
          expect(v.duplicates).toEqual([]); // no clientOrderId executed twice
          expect(v.churned).toBe(false); // no more orders than the clean run
          // The orders executed before the kill were looked up (by clientOrderId), not executed again.
          const after = await executedOrders(c.emu, c.apiKey, []);
          for (const o of executedBefore)
            expect(after.filter((x) => x.clientOrderId === o.clientOrderId)).toHaveLength(1);
          // Exactly the basket of the clean run.
          const basket = c.emu
            .balances(c.apiKey)
            .map((b) => b.asset)
            .filter((a) => a !== QUOTE)
            .sort();
          expect(basket).toEqual(ref.basket);
        } finally {
          await c.close();
        }
      },
      360_000,
    );
  }
});
