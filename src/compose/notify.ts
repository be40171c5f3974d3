/**
 * Composition of the notifications (issue 11 item 4): the {@link Notifier} of `[notify]` (webhook and/or
 * Telegram channels) and the wrapper that tells the user how a rebalance ended. The use case only returns
 * its result or throws; the composition sends.
 *
 * When notifications go out, and how long a job waits for them:
 * - always AFTER the run: the use case has written its ledger rows and returned (or thrown) before any
 *   event is built, and the one-shot command closes the adapters (ledger, lock) before it waits;
 * - the one-shot `rebalance` and the Lambda handler await the deliveries at the end of the job, bounded
 *   by {@link Notifier.capMs} = (retries + 1) × timeout_ms + the backoff + 1 s of slack (16.6 s with the defaults):
 *   a receiver that never answers costs at most that, the job's exit code / result is unchanged and a
 *   warning is logged;
 * - the scheduler daemon does not await them in the job (the next slot is never delayed); it waits for
 *   the ones still under way (same bound) only when it stops.
 * A failing notifier never fails a job, never changes its exit code, and never carries a key.
 */
import type { Logger } from 'pino';
import { channelNotifier } from '../adapters/notify/channel-notifier.ts';
import { telegramChannel } from '../adapters/notify/telegram-channel.ts';
import { webhookChannel } from '../adapters/notify/webhook-channel.ts';
import { exitCodeOf } from '../app/errors.ts';
import type { RebalanceResult } from '../app/rebalance-result.ts';
import type { NotifySecrets } from '../config/loader.ts';
import type { Config } from '../config/schema.ts';
import { type IntradayOutcome, intradayEvents } from '../notify/intraday-events.ts';
import { failureEvent, type JobContext, rebalanceEvents } from '../notify/rebalance-events.ts';
import type { Notifier, NotifyChannel, NotifyEvent } from '../ports/notifier.ts';
import { settingsFrom } from './settings.ts';

/** Exit code of "another instance holds the account" (EX_TEMPFAIL): nothing was done, no failure is sent. */
const TEMPFAIL = 75;

/**
 * The notifier of `config`'s `[notify]` section: a webhook channel when `webhook_url` is set, a Telegram
 * channel when `telegram_chat_id` is set (the loader guarantees the token is then present). With neither,
 * a notifier that sends nothing.
 */
export function composeNotifier(config: Config, secrets: NotifySecrets, logger: Logger): Notifier {
  const n = config.notify;
  const policy = { timeoutMs: n.timeout_ms, retries: n.retries };
  const channels: NotifyChannel[] = [];
  if (n.webhook_url !== '') channels.push(webhookChannel(n.webhook_url, policy));
  if (n.telegram_chat_id !== '' && secrets.telegramToken !== null)
    channels.push(
      telegramChannel({
        token: secrets.telegramToken,
        chatId: n.telegram_chat_id,
        baseUrl: n.telegram_api_url,
        policy,
      }),
    );
  return channelNotifier({ channels, on: new Set(n.on), policy, logger });
}

/** The account, venue and quote asset the events of `config`'s jobs name. */
export function jobContextOf(config: Config): JobContext {
  const s = settingsFrom(config);
  return { account: s.account, venue: s.venue, quoteAsset: s.quoteAsset };
}

/** How {@link notifyRebalance} treats the deliveries. */
export interface NotifyRunOptions {
  /** Await the deliveries (bounded by `capMs`) before returning / rethrowing: one-shot and Lambda. */
  readonly wait: boolean;
  /** A dry run sends nothing. */
  readonly dryRun?: boolean;
  /** Event time source (UTC ms); default Date.now. */
  readonly now?: () => number;
}

/**
 * Runs `run` (a job, with its adapters opened and closed inside) and then notifies: the events `eventsOf`
 * derives from the result it returned, or a `failure` for what it threw — except exit 75 (another
 * instance holds the account: nothing was done). Rethrows `run`'s error unchanged; never throws an error
 * of its own.
 * @returns what `run` returned.
 */
async function notifyJob<R>(
  notifier: Notifier,
  job: 'rebalance' | 'intraday',
  ctx: JobContext,
  run: () => Promise<R>,
  eventsOf: (result: R, at: number) => NotifyEvent[],
  opts: NotifyRunOptions,
): Promise<R> {
  const now = opts.now ?? Date.now;
  try {
    const result = await run();
    if (opts.dryRun !== true) for (const e of eventsOf(result, now())) notifier.send(e);
    return result;
  } catch (err) {
    if (opts.dryRun !== true && exitCodeOf(err) !== TEMPFAIL)
      notifier.send(failureEvent(job, err, ctx, now()));
    throw err;
  } finally {
    if (opts.wait) await notifier.settle();
  }
}

/** A job wrapper of {@link jobNotifier}: runs `run` and notifies (see {@link notifyJob}). */
export type JobNotifier<O> = <R extends O>(
  notifier: Notifier,
  ctx: JobContext,
  run: () => Promise<R>,
  opts: NotifyRunOptions,
) => Promise<R>;

/** The wrapper of one kind of job: {@link notifyJob} with the events `eventsOf` builds of its result. */
function jobNotifier<O>(
  job: 'rebalance' | 'intraday',
  eventsOf: (result: O, ctx: JobContext, at: number) => NotifyEvent[],
): JobNotifier<O> {
  return (notifier, ctx, run, opts) =>
    notifyJob(notifier, job, ctx, run, (r, at) => eventsOf(r, ctx, at), opts);
}

/**
 * Runs the rebalance `run` and notifies its summary (and reconciliation differences), or its failure
 * (see {@link notifyJob}). @returns what `run` returned; rethrows its error.
 */
export const notifyRebalance: JobNotifier<RebalanceResult> = jobNotifier('rebalance', rebalanceEvents);

/**
 * Runs the intraday pass `run` and notifies every exit and a change of the kill switch
 * ({@link intradayEvents}), or its failure (see {@link notifyJob}). @returns what `run` returned.
 */
export const notifyIntraday: JobNotifier<IntradayOutcome> = jobNotifier('intraday', intradayEvents);
