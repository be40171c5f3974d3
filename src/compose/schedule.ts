/**
 * The scheduler daemon (`momentum-rebalancer schedule`, issue 11 item 1): takes the account's instance
 * lock for its whole life, opens the adapters once, runs the rebalance at `[schedule] rebalance_at` (in
 * `[schedule] timezone`) with node-cron 4 (`noOverlap`), logs missed and overlapping executions, catches up
 * today's slot on start (`[schedule] catch_up`) and, when `signal` aborts (SIGTERM/SIGINT in the CLI),
 * stops scheduling, lets the running job finish, closes the adapters and releases the lock.
 *
 * The intraday slot (issue 11 item 1, issue 10 item 4): when an intraday rule is on (`[risk]` /
 * `[signals]`, {@link intradayRuleOn}) and the exchange is testnet or live, the intraday pass runs every
 * `[intraday] check_every_minutes` (`*\/N * * * *`, UTC) through the same {@link runExclusive}, so the two
 * jobs never overlap.
 */
import { setImmediate } from 'node:timers/promises';
import { createTask, parse as parseCron, type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import { runIntraday } from '../app/intraday/run-intraday.ts';
import { runRebalance } from '../app/rebalance.ts';
import { lastSlotToday } from '../app/schedule/catch-up.ts';
import type { Credentials, NotifySecrets } from '../config/loader.ts';
import type { Config } from '../config/schema.ts';
import { intradayRuleOn } from '../domain/risk/risk-settings.ts';
import { intradayDepsOf } from './intraday.ts';
import { takeInstanceLock } from './ledger.ts';
import {
  composeNotifier,
  type JobNotifier,
  jobContextOf,
  notifyIntraday,
  notifyRebalance,
} from './notify.ts';
import { openAdapters } from './rebalance.ts';
import { settingsFrom } from './settings.ts';

/**
 * The node-cron expression of the intraday slot: every `minutes` minutes (1..1440; above 59, once an hour
 * at minute 0 of every `minutes / 60`-th hour, rounded down).
 */
export function intradayCron(minutes: number): string {
  if (minutes < 60) return minutes === 1 ? '* * * * *' : `*/${minutes} * * * *`;
  const hours = Math.max(1, Math.floor(minutes / 60));
  return hours >= 24 ? '0 0 * * *' : `0 */${hours} * * *`;
}

/** What the CLI passes to the daemon. */
export interface ScheduleOptions {
  /** Aborted by SIGTERM/SIGINT: stop scheduling, let the running job finish, return. */
  readonly signal: AbortSignal;
  /** The `--live` flag (kind = live with allow_mainnet = true). */
  readonly live?: boolean;
  /** Exchange credentials from the environment. */
  readonly credentials?: Credentials;
  /** The effective config stored with every run (no secrets: `loaded.redacted()`). */
  readonly effectiveConfig: unknown;
  /** The Telegram token of `[notify]` (`loaded.notifySecrets()`); none = no Telegram channel. */
  readonly notifySecrets?: NotifySecrets;
  /** Clock for the catch-up decision (UTC ms); default Date.now. */
  readonly now?: () => number;
  /** Tests: the intraday slot's cron expression instead of {@link intradayCron} (e.g. every second). */
  readonly intradayCron?: string;
}

/** What the daemon did, returned when it stops. */
export interface ScheduleSummary {
  /** Rebalances started (catch-up and scheduled). */
  readonly runs: number;
  /** Rebalances that threw (each is logged; a failed run is recorded `failed` by the use case). */
  readonly failures: number;
}

/**
 * Runs the scheduler until `opts.signal` aborts, then returns a summary. A failing rebalance is logged
 * and the daemon keeps going (the next slot retries; the period guard keeps it idempotent).
 * @throws LockHeldError (exit 75) when another instance holds the account, naming it; ConfigError,
 *   DataError, LedgerConnectionError from opening the adapters — all before anything is scheduled.
 */
export async function runScheduler(
  config: Config,
  logger: Logger,
  opts: ScheduleOptions,
): Promise<ScheduleSummary> {
  const log = logger.child({ component: 'scheduler' });
  const { rebalance_at: expression, timezone, catch_up: catchUp } = config.schedule;
  const settings = settingsFrom(config);
  const lock = await takeInstanceLock(config, { command: 'schedule', writesBook: true, logger });
  let adapters: Awaited<ReturnType<typeof openAdapters>>;
  try {
    adapters = await openAdapters(config, logger, {
      live: opts.live === true,
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
      command: 'schedule',
      lockHeld: true,
    });
  } catch (err) {
    await lock.release();
    throw err;
  }

  // [notify]: each job's summary / failure is sent after the job and NOT awaited by it (the next slot is
  // never delayed); the deliveries still under way are awaited (bounded) when the daemon stops.
  const notifier = composeNotifier(config, opts.notifySecrets ?? { telegramToken: null }, logger);
  const jobContext = jobContextOf(config);
  let runs = 0;
  let failures = 0;
  let current: Promise<void> | null = null;
  /** Runs `job` unless another job is running (then logs the skipped slot); never throws. */
  const runExclusive = async (name: string, reason: string, job: () => Promise<void>): Promise<void> => {
    // A signal sent while the previous job ran is read in the event loop's poll phase, after the timers
    // phase that fired this slot: yield once (check phase) so that a pending SIGTERM aborts first and no
    // new job starts after it (a run driven by in-process adapters never reaches the poll phase).
    await setImmediate();
    if (opts.signal.aborted) {
      log.info({ job: name, reason }, 'stopping: this slot is not started');
      return;
    }
    if (current !== null) {
      log.warn({ job: name, reason }, 'previous job still running: this slot is skipped');
      return;
    }
    current = (async () => {
      runs++;
      const t0 = Date.now();
      log.info({ job: name, reason }, 'job started');
      try {
        await job();
      } catch (err) {
        failures++;
        log.error({ job: name, reason, err, ms: Date.now() - t0 }, 'job failed');
      }
    })();
    try {
      await current;
    } finally {
      current = null;
    }
  };
  /**
   * The job `name` for a slot's `reason`: {@link runExclusive} of `run`, its outcome notified without
   * waiting for the deliveries, then 'job finished' logged with the `fields` of its result.
   */
  const notifiedJob =
    <O, R extends O>(
      name: string,
      notify: JobNotifier<O>,
      run: () => Promise<R>,
      fields: (result: R) => object,
    ) =>
    (reason: string) =>
      runExclusive(name, reason, async () => {
        const result = await notify(notifier, jobContext, run, { wait: false });
        log.info({ job: name, reason, ...fields(result) }, 'job finished');
      });
  const rebalance = notifiedJob(
    'rebalance',
    notifyRebalance,
    () =>
      runRebalance(adapters.deps, {
        settings,
        dryRun: false,
        force: false,
        effectiveConfig: opts.effectiveConfig,
      }),
    ({ run: r, orders }) => ({
      account: r.account,
      period: r.period,
      status: r.status,
      exit_reason: r.exit_reason,
      orders: orders.length,
      ms: r.duration_ms,
    }),
  );

  const intradayOn =
    settings.risk !== undefined && intradayRuleOn(settings.risk) && config.exchange.kind !== 'replay';
  const intraday = notifiedJob(
    'intraday',
    notifyIntraday,
    () =>
      runIntraday(intradayDepsOf(config, adapters), {
        settings,
        dryRun: false,
        effectiveConfig: opts.effectiveConfig,
      }),
    ({ run: r, exits, halt }) => ({
      account: r.account,
      status: r.status,
      exit_reason: r.exit_reason,
      exits: exits.length,
      halt: halt.after,
      ms: r.duration_ms,
    }),
  );

  const tasks: ScheduledTask[] = [];
  try {
    if (intradayOn) {
      const every = opts.intradayCron ?? intradayCron(config.intraday.check_every_minutes);
      const it = createTask(every, () => intraday('scheduled'), {
        name: 'intraday',
        timezone: 'Etc/UTC',
        noOverlap: true,
      });
      it.on('execution:missed', (ctx) =>
        log.warn({ job: 'intraday', slot: ctx.date.toISOString() }, 'missed execution (process was busy)'),
      );
      tasks.push(it);
    }
    const task = createTask(expression, () => rebalance('scheduled'), {
      name: 'rebalance',
      timezone,
      noOverlap: true,
    });
    task.on('execution:missed', (ctx) =>
      log.warn({ job: 'rebalance', slot: ctx.date.toISOString() }, 'missed execution (process was busy)'),
    );
    task.on('execution:overlap', (ctx) =>
      log.warn(
        { job: 'rebalance', slot: ctx.date.toISOString() },
        'slot skipped: the previous run is still going',
      ),
    );
    tasks.push(task);
    log.info(
      {
        account: settings.account,
        rebalance_at: expression,
        timezone,
        intraday: intradayOn
          ? `every ${config.intraday.check_every_minutes} min`
          : 'not scheduled: no intraday rule on ([risk], [signals]) or kind = replay',
      },
      'scheduler started',
    );

    if (catchUp && !opts.signal.aborted) {
      const now = (opts.now ?? Date.now)();
      const seconds = expression.split(' ').length === 6 ? parseCron(expression).second : [0];
      const slot = lastSlotToday((d) => task.match(d), now, seconds);
      if (slot !== null) await rebalance(`catch-up of the slot ${slot.toISOString()}`);
      else log.info('catch-up: no slot has passed today (UTC); waiting for the next one');
    }
    if (!opts.signal.aborted) {
      for (const x of tasks) if (x !== task) await x.start();
      await task.start();
      log.info({ job: 'rebalance', next: task.getNextRun()?.toISOString() ?? null }, 'next slot');
    }
    await new Promise<void>((resolve) => {
      if (opts.signal.aborted) resolve();
      else opts.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    log.info({ running: current !== null }, 'stopping: no new slot starts; the running job finishes first');
  } finally {
    for (const t of tasks) await t.destroy();
    if (current !== null) await current;
    await notifier.settle();
    await adapters.close().catch((err: unknown) => log.error({ err }, 'closing the adapters failed'));
    await lock.release();
  }
  log.info({ runs, failures }, 'scheduler stopped');
  return { runs, failures };
}
