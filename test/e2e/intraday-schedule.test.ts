/**
 * The scheduler daemon's intraday slot (issue 11 item 1, issue 10 item 4), in process against the Binance
 * emulator (testnet path through binance-api-node): with an intraday rule on, the daemon runs the pass on
 * its own node-cron task through the same runExclusive as the rebalance. node-cron's own timing is not
 * under test: the slot's expression is set to every second (`intradayCron`), the real one is
 * `*\/N * * * *` from `[intraday] check_every_minutes` (checked below by hand).
 * Reproduces: a position bought at 2021-03-01 00:00:30 whose trailing stop (0.224091, see
 * intraday-testnet.test.ts) was crossed before 12:00 is sold by the daemon's pass at 12:00:30, with no
 * rebalance slot due (catch_up = false); the daemon then stops on its signal and exits cleanly.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/adapters/data/bundled-dataset.ts';
import { runRebalance } from '../../src/app/rebalance.ts';
import { createLogger } from '../../src/cli/logger.ts';
import { openAdapters } from '../../src/compose/rebalance.ts';
import { intradayCron, runScheduler } from '../../src/compose/schedule.ts';
import { BUNDLED_DATA_DIR, settingsFrom } from '../../src/compose/settings.ts';
import { useEmulator } from '../support/emulator.ts';
import { PGLITE, useLedgerScratch } from '../support/ledger-scratch.ts';
import { runningClock } from '../support/running-clock.ts';

const SECRET = 'e2e-intraday-schedule-secret-01';
// The PGlite ledger in the file's temp directory (`<dir>/pglite`).
const { configFor } = useLedgerScratch(PGLITE, 'e2e-intraday-schedule-', 'e2e_intraday_schedule');
const clock = runningClock('2021-03-01', 30_000);
const emu = useEmulator(async () => ({
  dataset: await loadDataset(BUNDLED_DATA_DIR),
  now: clock.now,
  accounts: [{ apiKey: 'k-daemon', secret: SECRET, balances: { USDT: '10000' } }],
}));

describe('scheduler daemon: the intraday slot', () => {
  it('cron of check_every_minutes', () => {
    expect(intradayCron(5)).toBe('*/5 * * * *');
    expect(intradayCron(1)).toBe('* * * * *');
    expect(intradayCron(120)).toBe('0 */2 * * *');
  });

  it('runs the pass on its own slot and sells at the trailing stop; stops on the signal', async () => {
    const loaded = configFor({
      exchange: { kind: 'testnet', base_url: emu().baseUrl },
      strategy: { top_n: '1' },
      universe: { include: 'MATICUSDT' },
      risk: { trailing_stop: '0.1' },
      schedule: { rebalance_at: '23:59', catch_up: 'false' },
    });
    const credentials = { apiKey: 'k-daemon', apiSecret: SECRET, privateKeyPath: null };
    const silent = createLogger('silent', 'json');
    const adapters = await openAdapters(loaded.config, silent, { credentials });
    try {
      const r = await runRebalance(adapters.deps, {
        settings: settingsFrom(loaded.config),
        dryRun: false,
        force: false,
        effectiveConfig: loaded.redacted(),
      });
      expect(r.fills.map((f) => [f.symbol, f.side])).toEqual([['MATICUSDT', 'BUY']]);
    } finally {
      await adapters.close();
    }
    clock.set('2021-03-01', 12 * 3_600_000 + 30_000);

    const lines: Record<string, unknown>[] = [];
    const abort = new AbortController();
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n').filter(Boolean)) {
          const line = JSON.parse(l) as Record<string, unknown>;
          lines.push(line);
          if (line.job === 'intraday' && line.msg === 'job finished') abort.abort();
        }
        done();
      },
    });
    const summary = await runScheduler(loaded.config, pino({ level: 'info' }, sink), {
      signal: abort.signal,
      credentials,
      effectiveConfig: loaded.redacted(),
      intradayCron: '* * * * * *',
    });
    const finished = lines.find((l) => l.job === 'intraday' && l.msg === 'job finished');
    expect(finished).toMatchObject({ status: 'completed', exits: 1, halt: 'running' });
    expect(lines.some((l) => l.job === 'rebalance' && l.msg === 'job started')).toBe(false);
    expect(summary.failures).toBe(0);
    expect(summary.runs).toBeGreaterThanOrEqual(1);
  }, 120_000);
});
