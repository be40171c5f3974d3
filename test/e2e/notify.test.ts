/**
 * Notifications (issue 11 item 4) through the real CLI (`bin/momentum-rebalancer.js rebalance`, replay
 * exchange on the bundled data; the ledger on a scratch database of the Postgres server of DATABASE_URL
 * when set — creating an embedded PGlite takes tens of seconds on a busy machine — else embedded PGlite
 * in a tmp directory) against local HTTP receivers
 * (node:http on 127.0.0.1) standing in for a webhook and for Telegram's Bot API. Reproduces:
 * - a rebalance sends ONE summary whose numbers are the run's own (equity, P/L, orders of the `--json`
 *   result; fees summed here from its fills);
 * - a webhook answering 500 then 200 gets the retry (two POSTs of the same body, exit 0);
 * - Telegram: `POST /bot<token>/sendMessage` with `{ chat_id, text }`, and the token in no log line;
 * - a receiver that never answers (the Telegram stand-in): the run completes, exit 0, the process ends
 *   with the request unanswered after (retries + 1) attempts, and a warning is logged;
 * - a failed run (data directory missing, exit 66) sends a `failure` naming the error and exit code;
 * - config errors exit 78 naming the file/variable, the key and the allowed values, before any ledger.
 */

import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RebalanceResult } from '../../src/app/rebalance-result.ts';
import { loadConfig } from '../../src/config/loader.ts';
import { json, Receiver } from '../integration/notify/receiver.ts';
import { cli, cliWithUserCfg } from '../support/cli.ts';
import { freshServerDatabase } from '../support/postgres-server.ts';
import { useTempDir } from '../support/temp-dirs.ts';

const serverUrl = process.env.DATABASE_URL;

const TOKEN = '123456789:AAE-test_token-must-never-be-logged';
const CHAT = '-1001234567890';

/** JSON log lines of a CLI run's stderr. */
function logLines(stderr: string): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

let root: string;
const receivers: Receiver[] = [];
async function receiver(answer: (i: number, res: ServerResponse) => unknown) {
  const r = new Receiver(answer);
  receivers.push(r);
  return { r, url: await r.start() };
}

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'notify-e2e-'));
});
afterAll(async () => {
  for (const r of receivers) await r.close();
  rmSync(root, { recursive: true, force: true });
});

describe(`rebalance notifications (real CLI, replay, ${serverUrl ? 'Postgres server' : 'PGlite'})`, () => {
  let cwd: string;
  /** The ledger: DATABASE_URL of a scratch database on the server, or none (PGlite under cwd). */
  let ledgerEnv: Record<string, string> = {};
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    cwd = path.join(root, 'book');
    mkdirSync(cwd);
    if (serverUrl) {
      const db = await freshServerDatabase(serverUrl, 'notify_e2e');
      ledgerEnv = { DATABASE_URL: db.url };
      drop = db.drop;
    }
    // Builds the bundled CLI once (bin/ rebuilds dist/ when src/ is newer), outside the timed tests.
    expect((await cli(root, ['help'])).code).toBe(0);
  });
  afterAll(async () => {
    await drop?.();
  });

  it('one summary with the run’s numbers; the webhook’s 500 is retried; a Telegram that never answers gets sendMessage, costs a warning, not the run; the token is in no log line', async () => {
    const { r: hook, url: hookUrl } = await receiver((i, res) =>
      i === 0 ? json(res, 500, { error: 'try again' }) : json(res, 200, { ok: true }),
    );
    // The Telegram stand-in never answers.
    const { r: tg, url: tgUrl } = await receiver(() => 'hang');
    const env = {
      LOG_LEVEL: 'info',
      REBALANCER_LOG_FORMAT: 'json',
      REBALANCER_STRATEGY_TOP_N: '3',
      REBALANCER_NOTIFY_WEBHOOK_URL: `${hookUrl}/hooks/secret-path-42`,
      REBALANCER_NOTIFY_TELEGRAM_CHAT_ID: CHAT,
      REBALANCER_NOTIFY_TELEGRAM_API_URL: tgUrl,
      TELEGRAM_TOKEN: TOKEN,
      REBALANCER_NOTIFY_TIMEOUT_MS: '2000',
      REBALANCER_NOTIFY_RETRIES: '1',
      ...ledgerEnv,
    };
    const run = await cli(cwd, ['rebalance', '--json', '--as-of', '2021-06-01'], env);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as RebalanceResult;
    expect(result.run.status).toBe('completed');
    expect(result.orders.length).toBeGreaterThan(0);

    // Webhook: the first POST got 500, the retry the same body; one event in all (the summary).
    expect(hook.requests).toHaveLength(2);
    expect(hook.requests.map((q) => [q.method, q.url, q.contentType])).toEqual([
      ['POST', '/hooks/secret-path-42', 'application/json'],
      ['POST', '/hooks/secret-path-42', 'application/json'],
    ]);
    expect(hook.requests[1]?.body).toBe(hook.requests[0]?.body);
    const summary = hook.bodies()[0] as Record<string, unknown>;
    // Expected values: the run's own result (stdout) — fees summed here by hand from its fills.
    const fees = result.fills.reduce((s, f) => s.plus(f.commission_quote), new Decimal(0));
    expect(summary).toMatchObject({
      type: 'summary',
      account: 'replay',
      venue: 'replay',
      run_id: result.run.id,
      period: '2021-06-01',
      status: 'completed',
      orders: {
        total: result.orders.length,
        filled: result.orders.filter((o) => o.executed_qty !== '0').length,
        rejected: 0,
      },
      quote_asset: 'USDT',
      equity: result.equity?.equity,
      pnl: { realized: result.pnl?.realized, unrealized: result.pnl?.unrealized, total: result.pnl?.total },
    });
    expect(new Decimal(summary.fees as string).equals(fees)).toBe(true);
    expect(fees.gt(0)).toBe(true);
    expect(summary.text).toContain(`equity: ${result.equity?.equity} USDT`);

    // Telegram: Bot API path with the token, JSON body with chat id and the plain-text summary. It was
    // never answered, yet the process ended: each attempt was abandoned at its timeout (on a busy
    // machine the first attempt may time out before it reached the receiver).
    expect(tg.requests.length).toBeGreaterThanOrEqual(1);
    expect(tg.requests.length).toBeLessThanOrEqual(2);
    expect(tg.requests[0]?.method).toBe('POST');
    expect(tg.requests[0]?.url).toBe(`/bot${TOKEN}/sendMessage`);
    expect(tg.requests[0]?.contentType).toBe('application/json');
    const msg = tg.bodies()[0] as { chat_id: string; text: string; disable_web_page_preview: boolean };
    expect(msg.chat_id).toBe(CHAT);
    expect(msg.disable_web_page_preview).toBe(true);
    expect(msg.text.split('\n')[0]).toBe('Rebalance 2021-06-01 completed: replay (replay)');
    expect(msg.text).toContain(`P/L: ${result.pnl?.total} USDT`);

    // Logs: each channel's outcome logged by name; no token, no webhook path anywhere in stderr.
    const outcomes = logLines(run.stderr).filter((l) => l.component === 'notify');
    expect(outcomes.map((l) => [l.level, l.msg, l.channel, l.event, l.attempts]).sort()).toEqual([
      [30, 'notification sent', `webhook ${new URL(hookUrl).host}`, 'summary', 2],
      [40, 'notification not delivered (the job is not affected)', 'telegram', 'summary', 2],
    ]);
    expect(String(outcomes.find((l) => l.channel === 'telegram')?.error)).toBe(
      'telegram sendMessage: no answer within 2000 ms',
    );
    expect(run.stderr).not.toContain(TOKEN);
    expect(run.stderr).not.toContain('AAE-test_token');
    expect(run.stderr).not.toContain('secret-path-42');
  });

  it('a failed run sends a failure naming the error and its exit code; a failing Telegram only warns, without the token', async () => {
    const { r: hook, url } = await receiver((_i, res) => json(res, 204, {}));
    const { r: tg, url: tgUrl } = await receiver((_i, res) =>
      json(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' }),
    );
    const run = await cli(cwd, ['rebalance', '--data', path.join(root, 'no-such-data')], {
      LOG_LEVEL: 'info',
      REBALANCER_LOG_FORMAT: 'json',
      REBALANCER_NOTIFY_WEBHOOK_URL: url,
      REBALANCER_NOTIFY_TELEGRAM_CHAT_ID: CHAT,
      REBALANCER_NOTIFY_TELEGRAM_API_URL: tgUrl,
      TELEGRAM_TOKEN: TOKEN,
    });
    expect(run.code).toBe(66);
    expect(hook.bodies()).toHaveLength(1);
    expect(hook.bodies()[0]).toMatchObject({
      type: 'failure',
      job: 'rebalance',
      account: 'replay',
      venue: 'replay',
      exit_code: 66,
    });
    expect(String(hook.bodies()[0]?.message)).toContain('no-such-data');
    // 401 is final: one attempt, a warning with Telegram's description, and the token nowhere.
    expect(tg.requests).toHaveLength(1);
    const warn = logLines(run.stderr).find((l) => l.channel === 'telegram');
    expect(warn).toMatchObject({ level: 40, event: 'failure', attempts: 1 });
    expect(String(warn?.error)).toContain('HTTP 401 (Unauthorized)');
    expect(run.stderr).not.toContain(TOKEN);
    expect(run.stderr).not.toContain('AAE-test_token');
  });
});

describe('[notify] config errors: exit 78 naming the key and the allowed values, nothing recorded', () => {
  const cwd = useTempDir('notify-cfg-');

  it('a webhook_url that is not http(s), in user.cfg: exit 78 naming file, key and allowed values', async () => {
    const r = await cliWithUserCfg(cwd, '[notify]\nwebhook_url = ftp://example.com/T0/secret\n', [
      'rebalance',
    ]);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('user.cfg [notify] webhook_url');
    expect(r.stderr).toContain(
      'user.cfg [notify] webhook_url = "ftp://example.com/***": must be empty or an http(s) URL, e.g. https://hooks.example.com/rebalancer',
    );
    expect(r.stderr).not.toContain('T0/secret');
    expect(existsSync(path.join(cwd, 'var'))).toBe(false);
  });

  it('a Telegram chat id without TELEGRAM_TOKEN: exit 78 naming both', async () => {
    const r = await cli(cwd, ['rebalance'], { REBALANCER_NOTIFY_TELEGRAM_CHAT_ID: CHAT, TELEGRAM_TOKEN: '' });
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('env REBALANCER_NOTIFY_TELEGRAM_CHAT_ID [notify] telegram_chat_id is set');
    expect(r.stderr).toContain('TELEGRAM_TOKEN');
    expect(existsSync(path.join(cwd, 'var'))).toBe(false);
  });

  it('loadConfig: the token without a chat id, a token in the file, a bad chat id, a bad event: each named, token never shown', () => {
    const problems = (env: Record<string, string>, file?: string) => {
      if (file !== undefined) writeFileSync(path.join(cwd, 'user.cfg'), file);
      try {
        loadConfig({ cwd, env });
        return [];
      } catch (err) {
        return (err as { problems: { message: string }[]; exitCode: number }).problems.map((p) => p.message);
      } finally {
        if (file !== undefined) rmSync(path.join(cwd, 'user.cfg'));
      }
    };
    expect(problems({ TELEGRAM_TOKEN: TOKEN })).toEqual([
      'env TELEGRAM_TOKEN is set but [notify] telegram_chat_id is empty: set telegram_chat_id (a numeric chat id or @channelusername) to send notifications to Telegram, or unset TELEGRAM_TOKEN',
    ]);
    const inFile = problems({}, `[notify]\ntelegram_token = ${TOKEN}\n`);
    expect(inFile).toEqual([
      'user.cfg [notify]: "telegram_token" is not a config key: the Telegram bot token is read only from the environment variable TELEGRAM_TOKEN; set that instead (the value was ignored and is not shown)',
    ]);
    expect(problems({ REBALANCER_TELEGRAM_TOKEN: TOKEN }).join('\n')).toContain(
      'env REBALANCER_TELEGRAM_TOKEN is not a config key: the Telegram bot token is read only from the environment variable TELEGRAM_TOKEN',
    );
    expect(problems({ REBALANCER_NOTIFY_TELEGRAM_CHAT_ID: 'my chat', TELEGRAM_TOKEN: TOKEN })).toContain(
      'env REBALANCER_NOTIFY_TELEGRAM_CHAT_ID = "my chat": must be empty, a numeric Telegram chat id (e.g. -1001234567890) or @channelusername',
    );
    expect(problems({ REBALANCER_NOTIFY_ON: 'summary, trades' })).toEqual([
      'env REBALANCER_NOTIFY_ON = "summary, trades": "trades": allowed values: all, or comma-separated event types: summary, failure, reconciliation, exit, halt',
    ]);
    expect(problems({ REBALANCER_NOTIFY_RETRIES: '9' })).toEqual([
      'env REBALANCER_NOTIFY_RETRIES = "9": must be an integer from 0 to 5',
    ]);
    // Valid: the selection in table order; the token is no config value, the webhook path is not stored.
    const ok = loadConfig({
      cwd,
      env: {
        REBALANCER_NOTIFY_ON: 'halt, SUMMARY',
        REBALANCER_NOTIFY_WEBHOOK_URL: 'https://hooks.example.com/services/T0/B0/XyZ',
        REBALANCER_NOTIFY_TELEGRAM_CHAT_ID: '@my_channel',
        TELEGRAM_TOKEN: TOKEN,
      },
    });
    expect(ok.config.notify.on).toEqual(['summary', 'halt']);
    expect(ok.notifySecrets().telegramToken).toBe(TOKEN);
    expect(ok.redacted().notify.webhook_url).toBe('https://hooks.example.com/***');
    expect(JSON.stringify(ok.redacted())).not.toContain(TOKEN);
    expect(JSON.stringify(ok.redacted())).not.toContain('XyZ');
  });
});
