/**
 * The AWS Lambda handler (jobs/lambda.ts) invoked in-process, as the Lambda runtime would (issue 11 item
 * 3), against the real Postgres server of DATABASE_URL (a scratch database), first with the replay
 * exchange, then with the local Binance emulator as the testnet (`[exchange] kind = testnet`, base URL
 * `http://127.0.0.1:PORT`; binance-api-node over real HTTP):
 * - a ScheduleV2 target input `{"job":"rebalance"}` rebalances (completed, orders placed), and an
 *   EventBridge "Scheduled Event" for the same period is then a no-op (skipped, already rebalanced): the
 *   period guard keeps a retried or doubled schedule idempotent;
 * - the Binance keys are read at cold start from a stand-in of the Parameters and Secrets Lambda Extension
 *   (local HTTP server) with the session token, once per container, and never appear in the result;
 * - without DATABASE_URL it refuses PGlite with a config error naming DATABASE_URL, creating nothing;
 * - an unknown event is refused, and the intraday slot on replay (it needs a real exchange);
 * - on the emulator, `{"job":"intraday"}` runs one intraday pass (nothing fires: no order);
 * - on the emulator: the ScheduleV2 invocation's orders reach the exchange (its allOrders lists them, by
 *   clientOrderId), the ledger records exactly those orders FILLED and a book equal to the emulator
 *   account's balances; the EventBridge invocation that follows is skipped and sends nothing.
 * What could not run here: AWS itself (EventBridge Scheduler, Lambda runtime, Secrets Manager).
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Decimal } from 'decimal.js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler, jobOf } from '../../jobs/lambda.ts';
import { composeEmulator } from '../../src/compose/emulator.ts';
import type { RunningEmulator } from '../../src/emulator/server.ts';
import { signed } from '../emulator/support.ts';
import { lambdaEnv } from '../support/lambda-env.ts';
import { freshServerDatabase } from '../support/postgres-server.ts';
import { useTempDir } from '../support/temp-dirs.ts';

const serverUrl = process.env.DATABASE_URL;
/** The Secrets Manager secret holding the Binance keys (the stand-in extension serves it). */
const BINANCE_SECRET_ID = 'momentum-rebalancer/binance';

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

const tmp = useTempDir('lambda-');

/** A second invocation in `period`: skipped as already rebalanced, no order. */
const skippedIn = (period: string) => ({
  job: 'rebalance',
  period,
  status: 'skipped',
  exit_reason: 'already_rebalanced',
  orders: 0,
});

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

/**
 * A stand-in of the AWS Parameters and Secrets Lambda Extension (GET /secretsmanager/get?secretId=…) that
 * answers `secret` as the SecretString and records each request's URL and session token.
 */
async function secretsExtension(
  secret: Record<string, string>,
): Promise<{ server: Server; port: string; seen: { url: string; token: string | undefined }[] }> {
  const seen: { url: string; token: string | undefined }[] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', token: req.headers['x-aws-parameters-secrets-token'] as string });
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ Name: 'momentum-rebalancer/binance', SecretString: JSON.stringify(secret) }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: String((server.address() as AddressInfo).port), seen };
}

describe.skipIf(!serverUrl)('jobs/lambda.ts against the Postgres server', () => {
  let db: { url: string; drop: () => Promise<void> };
  let secrets: Server;
  let seen: { url: string; token: string | undefined }[];
  let secretsPort: string;
  beforeAll(async () => {
    db = await freshServerDatabase(serverUrl as string, 'lambda');
    const ext = await secretsExtension({
      BINANCE_API_KEY: 'k-from-secret',
      BINANCE_API_SECRET: 's-from-secret',
    });
    secrets = ext.server;
    seen = ext.seen;
    secretsPort = ext.port;
  });
  afterAll(async () => {
    await new Promise((r) => secrets.close(r));
    await db.drop();
  });

  it('ScheduleV2 input rebalances; an EventBridge event for the same period is skipped', async () => {
    const secrets = { secretId: BINANCE_SECRET_ID, port: secretsPort, sessionToken: 'session-token' };
    const handler = createHandler(
      lambdaEnv(tmp, db.url, secrets, { LOG_LEVEL: 'warn', REBALANCER_STRATEGY_TOP_N: '3' }),
    );
    const first = await handler({ job: 'rebalance' });
    expect(first).toMatchObject({ job: 'rebalance', status: 'completed', orders: 3 });
    const second = await handler(SCHEDULED_EVENT);
    expect(second).toMatchObject(skippedIn(first.period));
    // Cold start only: one secret read for two invocations, with the session token.
    expect(seen).toEqual([
      { url: '/secretsmanager/get?secretId=momentum-rebalancer%2Fbinance', token: 'session-token' },
    ]);
    expect(JSON.stringify([first, second])).not.toMatch(/from-secret/);
    // The intraday pass needs a real exchange's clock and prices: refused on replay, naming the kinds.
    await expect(handler({ job: 'intraday' })).rejects.toThrow(
      /intraday job needs \[exchange\] kind = testnet or live/,
    );
  });
});

describe.skipIf(!serverUrl)(
  'jobs/lambda.ts against the Postgres server and the Binance emulator (testnet)',
  () => {
    const API_KEY = 'k-lambda-emulator';
    const API_SECRET = 'lambda-emulator-secret-0123456789abcdef';
    const ACCOUNT = 'lambda-testnet';
    let db: { url: string; drop: () => Promise<void> };
    let emu: RunningEmulator;
    let ext: Awaited<ReturnType<typeof secretsExtension>>;
    beforeAll(async () => {
      db = await freshServerDatabase(serverUrl as string, 'lambda_emu');
      // One account holding 10000 USDT only (so every asset it ends with was bought by the handler), the
      // emulator clock at its default (the last day of the bundled data, running on in real time).
      emu = await composeEmulator({
        accounts: [{ apiKey: API_KEY, secret: API_SECRET, balances: { USDT: '10000' } }],
      });
      ext = await secretsExtension({ BINANCE_API_KEY: API_KEY, BINANCE_API_SECRET: API_SECRET });
    }, 120_000);
    afterAll(async () => {
      await new Promise((r) => ext?.server.close(r));
      await emu?.close();
      await db?.drop();
    });

    /** The orders the emulator executed for the account on `symbols` (GET /api/v3/allOrders, signed). */
    const emulatorOrders = async (symbols: string[]) => {
      const out: { symbol: string; clientOrderId: string; side: string; status: string }[] = [];
      for (const symbol of symbols) {
        const r = await signed(
          emu.baseUrl,
          () => emu.now(),
          { apiKey: API_KEY, secret: API_SECRET },
          'GET',
          '/api/v3/allOrders',
          { symbol },
        );
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        for (const o of r.body as { clientOrderId: string; side: string; status: string }[])
          out.push({ symbol, clientOrderId: o.clientOrderId, side: o.side, status: o.status });
      }
      return out.sort((a, b) => a.clientOrderId.localeCompare(b.clientOrderId));
    };

    /** The ledger's orders and saved book of the account (numerics read as text: exact). */
    const ledger = async () => {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      try {
        const orders = await c.query<{
          client_order_id: string;
          symbol: string;
          side: string;
          status: string;
        }>(
          `select o.client_order_id, o.symbol, o.side, o.status from orders o join accounts a on a.id = o.account_id
         where a.name = $1 order by o.client_order_id`,
          [ACCOUNT],
        );
        const book = await c.query<{ asset: string; amount: string }>(
          `select b.asset, (b.free + b.locked)::text as amount from balances b join accounts a on a.id = b.account_id
         where a.name = $1 and b.free + b.locked > 0 order by b.asset`,
          [ACCOUNT],
        );
        return { orders: orders.rows, book: book.rows };
      } finally {
        await c.end();
      }
    };

    it('ScheduleV2: orders reach the emulator and the ledger has them; the EventBridge retry is skipped and sends nothing', async () => {
      const include = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'];
      const secrets = { secretId: BINANCE_SECRET_ID, port: ext.port, sessionToken: 'session-token' };
      const envOf = (extra: Record<string, string> = {}) =>
        lambdaEnv(tmp, db.url, secrets, {
          LOG_LEVEL: 'warn',
          REBALANCER_EXCHANGE_KIND: 'testnet',
          REBALANCER_EXCHANGE_BASE_URL: emu.baseUrl,
          REBALANCER_PAPER_ACCOUNT: ACCOUNT,
          REBALANCER_UNIVERSE_INCLUDE: include.join(','),
          REBALANCER_STRATEGY_TOP_N: '2',
          ...extra,
        });
      const handler = createHandler(envOf());
      const first = await handler({ job: 'rebalance' });
      // A fresh account of 10000 USDT and top 2: two BUYs, nothing to sell.
      expect(first).toMatchObject({ job: 'rebalance', account: ACCOUNT, status: 'completed', orders: 2 });
      const onExchange = await emulatorOrders(include);
      expect(onExchange).toHaveLength(2);
      expect(onExchange.every((o) => o.side === 'BUY' && o.status === 'FILLED')).toBe(true);
      const recorded = await ledger();
      // The ledger holds exactly the orders the exchange executed, under the same clientOrderIds.
      expect(recorded.orders.map((o) => [o.client_order_id, o.symbol, o.side, o.status])).toEqual(
        onExchange.map((o) => [o.clientOrderId, o.symbol, 'BUY', 'FILLED']),
      );
      // The saved book equals the emulator account, asset by asset (exact decimals).
      const balances = emu
        .balances(API_KEY)
        .map((b) => ({ asset: b.asset, amount: new Decimal(b.free).plus(b.locked) }))
        .filter((b) => !b.amount.isZero());
      expect(recorded.book.map((b) => [b.asset, new Decimal(b.amount).toFixed()])).toEqual(
        balances.map((b) => [b.asset, b.amount.toFixed()]),
      );
      expect(recorded.book).toHaveLength(3); // two base assets and the USDT left over

      const second = await handler(SCHEDULED_EVENT);
      expect(second).toMatchObject(skippedIn(first.period));
      expect(await emulatorOrders(include)).toEqual(onExchange);
      expect((await ledger()).orders).toEqual(recorded.orders);
      expect(ext.seen).toHaveLength(1); // the keys were read once, at cold start

      // The intraday slot `{"job":"intraday"}` (issue 11 item 3): one pass over the two positions with a
      // take-profit far above the price — evaluated, nothing fires, no order reaches the emulator.
      const intraday = createHandler(envOf({ REBALANCER_RISK_TAKE_PROFIT: '0.9' }));
      const pass = await intraday({ job: 'intraday' });
      expect(pass).toMatchObject({ job: 'intraday', account: ACCOUNT, status: 'completed', orders: 0 });
      expect(await emulatorOrders(include)).toEqual(onExchange);
    }, 180_000);
  },
);
