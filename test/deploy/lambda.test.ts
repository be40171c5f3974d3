/**
 * The AWS Lambda handler (jobs/lambda.ts) invoked in-process, as the Lambda runtime would (issue 11 item
 * 3), against the real Postgres server of DATABASE_URL (a scratch database) with the replay exchange:
 * - a ScheduleV2 target input `{"job":"rebalance"}` rebalances (completed, orders placed), and an
 *   EventBridge "Scheduled Event" for the same period is then a no-op (skipped, already rebalanced): the
 *   period guard keeps a retried or doubled schedule idempotent;
 * - the Binance keys are read at cold start from a stand-in of the Parameters and Secrets Lambda Extension
 *   (local HTTP server) with the session token, once per container, and never appear in the result;
 * - without DATABASE_URL it refuses PGlite with a config error naming DATABASE_URL, creating nothing;
 * - an unknown event and the intraday slot (no worker yet) are refused.
 * What could not run here: AWS itself (EventBridge Scheduler, Lambda runtime, Secrets Manager).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler, jobOf } from '../../jobs/lambda.ts';
import { freshServerDatabase } from '../support/postgres-server.ts';

const serverUrl = process.env.DATABASE_URL;

/** An EventBridge scheduled-rule event (AWS docs "Amazon EventBridge events" example, trimmed). */
const SCHEDULED_EVENT = {
  version: '0',
  id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2026-12-03T00:05:00Z',
  region: 'eu-central-1',
  resources: ['arn:aws:events:eu-central-1:123456789012:rule/momentum-rebalancer'],
  detail: {},
};

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'lambda-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('jobs/lambda.ts', () => {
  it('reads the job from a ScheduleV2 input or an EventBridge scheduled event; refuses others', () => {
    expect(jobOf({ job: 'rebalance' })).toBe('rebalance');
    expect(jobOf(SCHEDULED_EVENT)).toBe('rebalance');
    expect(() => jobOf({ hello: 1 })).toThrow(/unknown Lambda event/);
  });

  it('refuses PGlite: no DATABASE_URL is a config error naming it; nothing is created', async () => {
    const handler = createHandler({ LAMBDA_TASK_ROOT: tmp, LOG_LEVEL: 'silent' });
    await expect(handler({ job: 'rebalance' })).rejects.toMatchObject({
      exitCode: 78,
      message: expect.stringMatching(/DATABASE_URL: required on AWS Lambda.*PGlite ledger is refused/),
    });
    expect(existsSync(path.join(tmp, 'var'))).toBe(false);
  });
});

describe.skipIf(!serverUrl)('jobs/lambda.ts against the Postgres server', () => {
  let db: { url: string; drop: () => Promise<void> };
  let secrets: Server;
  const seen: { url: string; token: string | undefined }[] = [];
  beforeAll(async () => {
    db = await freshServerDatabase(serverUrl as string, 'lambda');
    secrets = createServer((req, res) => {
      seen.push({ url: req.url ?? '', token: req.headers['x-aws-parameters-secrets-token'] as string });
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          Name: 'momentum-rebalancer/binance',
          SecretString: JSON.stringify({
            BINANCE_API_KEY: 'k-from-secret',
            BINANCE_API_SECRET: 's-from-secret',
          }),
        }),
      );
    });
    await new Promise<void>((r) => secrets.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    await new Promise((r) => secrets.close(r));
    await db.drop();
  });

  it('ScheduleV2 input rebalances; an EventBridge event for the same period is skipped', async () => {
    const handler = createHandler({
      LAMBDA_TASK_ROOT: tmp,
      DATABASE_URL: db.url,
      LOG_LEVEL: 'warn',
      REBALANCER_STRATEGY_TOP_N: '3',
      BINANCE_SECRET_ID: 'momentum-rebalancer/binance',
      PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String((secrets.address() as AddressInfo).port),
      AWS_SESSION_TOKEN: 'session-token',
    });
    const first = await handler({ job: 'rebalance' });
    expect(first).toMatchObject({ job: 'rebalance', status: 'completed', orders: 3 });
    const second = await handler(SCHEDULED_EVENT);
    expect(second).toMatchObject({
      job: 'rebalance',
      period: first.period,
      status: 'skipped',
      exit_reason: 'already_rebalanced',
      orders: 0,
    });
    // Cold start only: one secret read for two invocations, with the session token.
    expect(seen).toEqual([
      { url: '/secretsmanager/get?secretId=momentum-rebalancer%2Fbinance', token: 'session-token' },
    ]);
    expect(JSON.stringify([first, second])).not.toMatch(/from-secret/);
    await expect(handler({ job: 'intraday' })).rejects.toThrow(/intraday job does not exist/);
  });
});
