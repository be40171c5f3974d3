/**
 * The Lambda handler's notifications (issue 11 item 4): jobs/lambda.ts invoked in process against the
 * Postgres server of DATABASE_URL (a scratch database), replay exchange, a local webhook receiver and a
 * Telegram stand-in. Reproduces: the handler awaits its deliveries before it returns (the summary is at
 * the receivers when `await handler()` resolves), the summary is the invocation's own result, and the
 * Telegram token may come from the Secrets Manager secret (Parameters and Secrets extension stand-in) —
 * used in the Bot API path, absent from the result.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler } from '../../../jobs/lambda.ts';
import { lambdaEnv } from '../../support/lambda-env.ts';
import { freshServerDatabase } from '../../support/postgres-server.ts';
import { json, Receiver } from './receiver.ts';

const serverUrl = process.env.DATABASE_URL;
const TOKEN = '555:CCG-lambda_secret_token';

describe.skipIf(!serverUrl)('jobs/lambda.ts notifications (Postgres server)', () => {
  let tmp: string;
  let db: { url: string; drop: () => Promise<void> };
  const hook = new Receiver((_i, res) => json(res, 200, {}));
  const tg = new Receiver((_i, res) => json(res, 200, { ok: true }));
  const secrets = new Receiver((_i, res) =>
    json(res, 200, { SecretString: JSON.stringify({ TELEGRAM_TOKEN: TOKEN }) }),
  );
  let urls: { hook: string; tg: string; secrets: string };
  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'lambda-notify-'));
    db = await freshServerDatabase(serverUrl as string, 'lambda_notify');
    urls = { hook: await hook.start(), tg: await tg.start(), secrets: await secrets.start() };
  });
  afterAll(async () => {
    for (const r of [hook, tg, secrets]) await r.close();
    await db?.drop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('the summary is delivered before the handler returns; the Telegram token comes from the secret', async () => {
    const secrets = {
      secretId: 'momentum-rebalancer/secrets',
      port: new URL(urls.secrets).port,
      sessionToken: 'session',
    };
    const handler = createHandler(
      lambdaEnv(tmp, db.url, secrets, {
        LOG_LEVEL: 'silent',
        REBALANCER_STRATEGY_TOP_N: '3',
        REBALANCER_NOTIFY_WEBHOOK_URL: `${urls.hook}/lambda-hook`,
        REBALANCER_NOTIFY_TELEGRAM_CHAT_ID: '42',
        REBALANCER_NOTIFY_TELEGRAM_API_URL: urls.tg,
      }),
    );
    const out = await handler({ job: 'rebalance' });
    expect(out).toMatchObject({ job: 'rebalance', status: 'completed', orders: 3 });
    // Already delivered when the handler resolved (no waiting here).
    expect(hook.bodies()).toHaveLength(1);
    expect(hook.bodies()[0]).toMatchObject({
      type: 'summary',
      account: 'replay',
      period: out.period,
      status: 'completed',
      orders: { total: 3 },
    });
    expect(tg.requests.map((q) => q.url)).toEqual([`/bot${TOKEN}/sendMessage`]);
    expect(JSON.stringify(out)).not.toContain(TOKEN);
  });
});
