/**
 * AWS Lambda handler (issue 11 item 3): the daily rebalance, started by an EventBridge Scheduler
 * `ScheduleV2` target (input `{"job":"rebalance"}`) or an EventBridge scheduled rule event
 * (`source: aws.events`, `detail-type: Scheduled Event`). No argv, no process.exit, no stdout report: it
 * returns a result object and logs JSON (pino, stderr → CloudWatch). Deployment: deploy/aws/template.yaml.
 *
 * - The ledger must be a Postgres server (`DATABASE_URL`): PGlite is refused (a Lambda's disk is
 *   ephemeral and per-instance, so the book would be lost and the account lock meaningless).
 * - The Binance keys come from AWS Secrets Manager at cold start, when `BINANCE_SECRET_ID` is set: read
 *   through the AWS Parameters and Secrets Lambda Extension (HTTP on localhost:2773, authenticated by
 *   `AWS_SESSION_TOKEN`; no AWS SDK in the bundle). The secret is a JSON object with BINANCE_API_KEY,
 *   BINANCE_API_SECRET and optionally DATABASE_URL (so the database password is not a plain Lambda
 *   environment variable); it stays in memory, never in logs, results or the database.
 * - `[notify]`: the run's summary (or its failure) is sent after the run and awaited with a bounded wait
 *   (src/compose/notify.ts) before the handler returns or throws; `TELEGRAM_TOKEN` may come from the
 *   same secret.
 * - The intraday slot: `{"job":"intraday"}` runs one intraday pass (§12) on the configured exchange.
 * - A run that did not do its job throws (Lambda then counts a failed invocation and the schedule's retry
 *   policy applies); `skipped` (already rebalanced for the period) is a success.
 */
import { UserInputError } from '../src/app/errors.ts';
import { runIntraday } from '../src/app/intraday/run-intraday.ts';
import { runRebalance } from '../src/app/rebalance.ts';
import { exitCodeOfResult } from '../src/cli/exit-codes.ts';
import { createLogger } from '../src/cli/logger.ts';
import { openIntradayAdapters } from '../src/compose/intraday.ts';
import { composeNotifier, jobContextOf, notifyIntraday, notifyRebalance } from '../src/compose/notify.ts';
import { openAdapters } from '../src/compose/rebalance.ts';
import { settingsFrom } from '../src/compose/settings.ts';
import { withAdapters } from '../src/compose/with-adapters.ts';
import { ConfigError } from '../src/config/errors.ts';
import { loadConfig } from '../src/config/loader.ts';

/** The jobs a schedule may start. */
export type LambdaJob = 'rebalance' | 'intraday';

/** What an invocation returns (exact decimals stay strings). */
export interface LambdaResult {
  readonly job: LambdaJob;
  readonly account: string;
  readonly period: string;
  /** `completed` or `skipped` (already rebalanced / not due). */
  readonly status: string;
  readonly exit_reason: string;
  readonly orders: number;
  readonly duration_ms: number;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The job an event asks for: a ScheduleV2 input `{ "job": "rebalance" | "intraday" }`, or an EventBridge
 * scheduled event (`detail.job`, default rebalance).
 * @throws UserInputError for any other event or job.
 */
export function jobOf(event: unknown): LambdaJob {
  const e = (event ?? {}) as Record<string, unknown>;
  const scheduled = e.source === 'aws.events' && e['detail-type'] === 'Scheduled Event';
  const job = scheduled ? ((e.detail as Record<string, unknown> | undefined)?.job ?? 'rebalance') : e.job;
  if (job === 'rebalance' || job === 'intraday') return job;
  throw new UserInputError(
    `unknown Lambda event: expected a ScheduleV2 input {"job":"rebalance"} or an EventBridge "Scheduled Event"; got job ${JSON.stringify(job ?? null)}`,
  );
}

/**
 * Reads the Binance keys from Secrets Manager through the Parameters and Secrets Lambda Extension.
 * @throws Error naming the secret id and the HTTP status (never the secret).
 */
async function fetchBinanceSecret(env: Env, secretId: string): Promise<Record<string, string>> {
  const port = env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? '2773';
  const res = await fetch(
    `http://localhost:${port}/secretsmanager/get?secretId=${encodeURIComponent(secretId)}`,
    {
      headers: { 'X-Aws-Parameters-Secrets-Token': env.AWS_SESSION_TOKEN ?? '' },
      signal: AbortSignal.timeout(5000),
    },
  );
  if (!res.ok) throw new Error(`Secrets Manager: reading the secret ${secretId} failed: HTTP ${res.status}`);
  const body = (await res.json()) as { SecretString?: string };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.SecretString ?? '');
  } catch {
    parsed = null;
  }
  if (parsed === null || typeof parsed !== 'object')
    throw new Error(
      `Secrets Manager: the secret ${secretId} is not a JSON object of BINANCE_API_KEY, BINANCE_API_SECRET`,
    );
  const out: Record<string, string> = {};
  for (const k of [
    'BINANCE_API_KEY',
    'BINANCE_API_SECRET',
    'BINANCE_PRIVATE_KEY_PATH',
    'DATABASE_URL',
    'TELEGRAM_TOKEN',
  ])
    if (typeof (parsed as Record<string, unknown>)[k] === 'string')
      out[k] = (parsed as Record<string, string>)[k] as string;
  return out;
}

/**
 * Builds a handler over `env` (default `process.env`; tests pass their own). The secret is fetched once
 * per container (cold start) and reused by warm invocations.
 */
export function createHandler(env: Env = process.env): (event: unknown) => Promise<LambdaResult> {
  let secret: Promise<Record<string, string>> | null = null;
  return async (event: unknown) => {
    const job = jobOf(event);
    const effectiveEnv: Record<string, string | undefined> = { ...env };
    if (env.BINANCE_SECRET_ID) {
      secret ??= fetchBinanceSecret(env, env.BINANCE_SECRET_ID).catch((err: unknown) => {
        secret = null; // retried by the next invocation
        throw err;
      });
      Object.assign(effectiveEnv, await secret);
    }
    const loaded = loadConfig({ cwd: env.LAMBDA_TASK_ROOT ?? process.cwd(), env: effectiveEnv });
    const config = loaded.config;
    if (!config.database.url)
      throw new ConfigError([
        {
          source: 'env DATABASE_URL',
          section: 'database',
          key: 'url',
          message:
            'env DATABASE_URL: required on AWS Lambda (a postgres:// URL): the embedded PGlite ledger is refused there, its disk is ephemeral and per instance',
        },
      ]);
    const logger = createLogger(config.log.level, 'json').child({ job });
    if (job === 'intraday' && config.exchange.kind === 'replay')
      throw new UserInputError(
        'the intraday job needs [exchange] kind = testnet or live (a replayed pass is `momentum-rebalancer intraday --at`)',
      );
    const notifier = composeNotifier(config, loaded.notifySecrets(), logger);
    const ctx = jobContextOf(config);
    const settings = settingsFrom(config);
    const result =
      job === 'intraday'
        ? await notifyIntraday(
            notifier,
            ctx,
            () =>
              withAdapters(openIntradayAdapters(config, logger, { credentials: loaded.credentials() }), (a) =>
                runIntraday(a.deps, { settings, dryRun: false, effectiveConfig: loaded.redacted() }),
              ),
            { wait: true },
          )
        : await notifyRebalance(
            notifier,
            ctx,
            () =>
              withAdapters(
                openAdapters(config, logger, { credentials: loaded.credentials(), command: 'lambda' }),
                (a) =>
                  runRebalance(a.deps, {
                    settings,
                    dryRun: false,
                    force: false,
                    effectiveConfig: loaded.redacted(),
                  }),
              ),
            { wait: true },
          );
    const r = result.run;
    const out: LambdaResult = {
      job,
      account: r.account,
      period: r.period,
      status: r.status,
      exit_reason: r.exit_reason,
      orders: result.orders.length,
      duration_ms: r.duration_ms,
    };
    if (exitCodeOfResult(result) !== 0) {
      logger.error(out, 'lambda job did not do its job');
      throw new Error(`${job} of ${r.account} for ${r.period} ended ${r.status} (${r.exit_reason})`);
    }
    logger.info(out, 'lambda job finished');
    return out;
  };
}

/** The Lambda entry point (`jobs/lambda.handler` in deploy/aws/template.yaml). */
export const handler = createHandler();
