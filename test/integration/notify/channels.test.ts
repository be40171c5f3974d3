/**
 * The notification channels and events (issue 11 item 4) against local HTTP receivers: which answers are
 * retried (5xx, 429) and which are final (4xx), that the Telegram token never reaches an error text, the
 * `[notify] on` selection, the events built from a rebalance result (exact fee sum, reconciliation
 * differences, nothing for a dry run), and the texts of the intraday `exit` / `halt` events.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { channelNotifier } from '../../../src/adapters/notify/channel-notifier.ts';
import { deliveryCapMs } from '../../../src/adapters/notify/http-post.ts';
import { messageText } from '../../../src/adapters/notify/message-text.ts';
import { telegramChannel } from '../../../src/adapters/notify/telegram-channel.ts';
import { webhookChannel } from '../../../src/adapters/notify/webhook-channel.ts';
import type { RebalanceResult } from '../../../src/app/rebalance-result.ts';
import { intradayEvents } from '../../../src/notify/intraday-events.ts';
import { failureEvent, rebalanceEvents } from '../../../src/notify/rebalance-events.ts';
import type { NotifyEvent } from '../../../src/ports/notifier.ts';
import { json, Receiver } from './receiver.ts';

const TOKEN = '987654321:BBF-channel_test_token';
const policy = { timeoutMs: 2000, retries: 2 };
const receivers: Receiver[] = [];
async function receiver(answer: (i: number, res: import('node:http').ServerResponse) => unknown) {
  const r = new Receiver(answer);
  receivers.push(r);
  return { r, url: await r.start() };
}
afterAll(async () => {
  for (const r of receivers) await r.close();
});

/** The account and venue every event here is about, and the context the event builders get. */
const MAIN = { account: 'main', venue: 'testnet https://testnet.binance.vision' };
const ctx = { ...MAIN, quoteAsset: 'USDT' };

const halt: NotifyEvent = {
  type: 'halt',
  ...MAIN,
  at: '2026-12-03T06:00:00.000Z',
  state: 'halted',
  reason: 'max_daily_loss 0.05 reached',
};

describe('channels', () => {
  it('deliveryCapMs: (retries + 1) x timeout + backoff 200 + 400 ms + 1 s slack (defaults: 16.6 s)', () => {
    expect(deliveryCapMs({ timeoutMs: 5000, retries: 2 })).toBe(3 * 5000 + 200 + 400 + 1000);
    expect(deliveryCapMs({ timeoutMs: 100, retries: 0 })).toBe(100 + 1000);
    expect(deliveryCapMs({ timeoutMs: 100, retries: 5 })).toBe(600 + 200 + 400 + 800 + 1000 + 1000 + 1000);
  });

  it('webhook: 503 is retried until the retries run out; a 400 is final at once', async () => {
    const { r: down, url: downUrl } = await receiver((_i, res) => json(res, 503, {}));
    const r1 = await webhookChannel(`${downUrl}/h`, policy).deliver(halt);
    expect(r1).toMatchObject({ ok: false, attempts: 3 });
    expect(down.requests).toHaveLength(3);
    expect(r1.error).toBe(`webhook ${new URL(downUrl).host}: HTTP 503`);

    const { r: bad, url: badUrl } = await receiver((_i, res) => json(res, 400, {}));
    const r2 = await webhookChannel(`${badUrl}/h`, policy).deliver(halt);
    expect(r2).toMatchObject({ ok: false, attempts: 1 });
    expect(bad.requests).toHaveLength(1);
    // The body: the event's fields, type first, plus the text.
    expect(Object.keys(bad.bodies()[0] ?? {})[0]).toBe('type');
    expect(bad.bodies()[0]).toEqual({ ...halt, text: messageText(halt) });
  });

  it('telegram: 429 then 200 is retried; the token is in no error text, even when the server is gone', async () => {
    const { r: tg, url } = await receiver((i, res) =>
      i === 0
        ? json(res, 429, { ok: false, description: 'Too Many Requests: retry after 1' })
        : json(res, 200, { ok: true }),
    );
    const ch = telegramChannel({ token: TOKEN, chatId: '@my_channel', baseUrl: `${url}/`, policy });
    expect(ch.name).toBe('telegram');
    expect(await ch.deliver(halt)).toEqual({ ok: true, attempts: 2 });
    expect(tg.requests.map((q) => q.url)).toEqual([`/bot${TOKEN}/sendMessage`, `/bot${TOKEN}/sendMessage`]);
    expect(tg.bodies()[1]).toEqual({
      chat_id: '@my_channel',
      text: 'Account halted: main (testnet https://testnet.binance.vision)\nreason: max_daily_loss 0.05 reached\n2026-12-03T06:00:00.000Z',
      disable_web_page_preview: true,
    });
    // A closed port: connection refused on every attempt.
    await tg.close();
    receivers.splice(receivers.indexOf(tg), 1);
    const gone = await telegramChannel({
      token: TOKEN,
      chatId: '1',
      baseUrl: url,
      policy: { timeoutMs: 500, retries: 1 },
    }).deliver(halt);
    expect(gone.ok).toBe(false);
    expect(gone.attempts).toBe(2);
    expect(gone.error).toMatch(/^telegram sendMessage: /);
    expect(gone.error).not.toContain(TOKEN);
    expect(gone.error).not.toContain('BBF-channel');
  });

  it('the notifier sends only the event types of [notify] on, logs each delivery, and settles', async () => {
    const { r, url } = await receiver((_i, res) => json(res, 200, {}));
    const logs: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'info', base: undefined },
      new Writable({
        write(chunk: Buffer, _e, done) {
          for (const l of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(l));
          done();
        },
      }),
    );
    const n = channelNotifier({
      channels: [webhookChannel(`${url}/x`, policy)],
      on: new Set(['halt', 'failure']),
      policy,
      logger,
    });
    n.send({
      ...halt,
      type: 'exit',
      symbol: 'BTCUSDT',
      reason: 'stop_loss',
      level: '27000',
      quantity: '0.01',
      price: '26950.5',
    });
    n.send(halt);
    await n.settle();
    expect(r.bodies().map((b) => b.type)).toEqual(['halt']);
    expect(logs.map((l) => [l.msg, l.event, l.channel])).toEqual([
      ['notification sent', 'halt', `webhook ${new URL(url).host}`],
    ]);
    const none = channelNotifier({ channels: [], on: new Set(['halt']), policy, logger });
    expect(none.capMs).toBe(0);
    none.send(halt);
    await none.settle();
  });
});

describe('events of a rebalance', () => {
  const fill = (commission_quote: string) => ({
    client_order_id: 'c',
    symbol: 'BTCUSDT',
    side: 'BUY' as const,
    quantity: '1',
    price: '1',
    quote_quantity: '1',
    commission: '0',
    commission_asset: 'BNB',
    commission_quote,
  });
  const order = (status: string, executed_qty: string) =>
    ({ status, executed_qty }) as RebalanceResult['orders'][number];
  const result = (over: Partial<RebalanceResult['run']>, reconciliation: unknown[] = []) =>
    ({
      run: {
        id: '7',
        account: 'main',
        period: '2026-12-03',
        status: 'completed',
        exit_reason: 'rebalanced',
        ...over,
      },
      orders: [order('FILLED', '0.5'), order('REJECTED', '0'), order('EXPIRED', '0.1')],
      fills: [fill('0.1'), fill('0.2')],
      equity: { equity: '10012.34' },
      pnl: { realized: '5', unrealized: '7.34', total: '12.34', fees: '0.3' },
      exchange: { reconciliation },
    }) as unknown as RebalanceResult;

  it('summary: orders counted, fees summed exactly (0.1 + 0.2 = 0.3, not 0.30000000000000004), equity and P/L as is', () => {
    const events = rebalanceEvents(result({}), ctx, Date.UTC(2026, 11, 3, 0, 6));
    expect(events).toEqual([
      {
        type: 'summary',
        ...MAIN,
        at: '2026-12-03T00:06:00.000Z',
        run_id: '7',
        period: '2026-12-03',
        status: 'completed',
        exit_reason: 'rebalanced',
        orders: { total: 3, filled: 2, rejected: 1 },
        fees: '0.3',
        quote_asset: 'USDT',
        equity: '10012.34',
        pnl: { realized: '5', unrealized: '7.34', total: '12.34' },
      },
    ]);
    expect(messageText(events[0] as NotifyEvent)).toBe(
      [
        'Rebalance 2026-12-03 completed: main (testnet https://testnet.binance.vision)',
        'reason: rebalanced',
        'orders: 3 (filled 2, rejected 1)',
        'fees: 0.3 USDT',
        'equity: 10012.34 USDT',
        'P/L: 12.34 USDT (realized 5, unrealized 7.34)',
        '2026-12-03T00:06:00.000Z',
      ].join('\n'),
    );
  });

  it('reconciliation differences follow the summary; a dry run sends nothing; a failure names the exit code', () => {
    const diff = {
      phase: 'after',
      asset: 'BTC',
      expected: '0.5',
      actual: '0.49',
      difference: '-0.01',
      note: 'fee in BTC',
    };
    const events = rebalanceEvents(result({}, [diff]), ctx, 0);
    expect(events.map((e) => e.type)).toEqual(['summary', 'reconciliation']);
    expect(events[1]).toMatchObject({ type: 'reconciliation', period: '2026-12-03', differences: [diff] });
    expect(messageText(events[1] as NotifyEvent)).toContain(
      'after BTC: ledger 0.5, exchange 0.49, difference -0.01 (fee in BTC)',
    );
    expect(rebalanceEvents(result({ status: 'dry_run' }), ctx, 0)).toEqual([]);
    const err = Object.assign(new Error('ledger unreachable at 127.0.0.1:5432'), {
      name: 'LedgerConnectionError',
      exitCode: 69,
    });
    expect(failureEvent('rebalance', err, ctx, 0)).toEqual({
      type: 'failure',
      account: 'main',
      venue: ctx.venue,
      at: '1970-01-01T00:00:00.000Z',
      job: 'rebalance',
      error: 'LedgerConnectionError',
      message: 'ledger unreachable at 127.0.0.1:5432',
      exit_code: 69,
    });
  });

  it('exit text (for the intraday worker): symbol, reason, level, quantity and price', () => {
    const exit: NotifyEvent = {
      ...halt,
      type: 'exit',
      symbol: 'ETHUSDT',
      reason: 'trailing_stop',
      level: '1800.5',
      quantity: '0.25',
      price: '1799.9',
    };
    expect(messageText(exit).split('\n')).toEqual([
      'Exit ETHUSDT (trailing_stop): main (testnet https://testnet.binance.vision)',
      'level: 1800.5',
      'quantity: 0.25 at 1799.9',
      '2026-12-03T06:00:00.000Z',
    ]);
  });
});

describe('events of an intraday pass (for the intraday worker)', () => {
  it('one exit per exit, then a halt when the kill switch changed, with the portfolio rule that fired', () => {
    const events = intradayEvents(
      {
        run: { account: 'main', exit_reason: '2 exit(s)' },
        halt: { before: 'running', after: 'daily_loss_stop' },
        exits: [
          { symbol: 'BTCUSDT', reason: 'stop_loss', level: '27000', quantity: '0.01', price: '26990.1' },
          { symbol: 'ETHUSDT', reason: 'max_daily_loss', level: null, quantity: '0', price: null },
        ],
        portfolio: { daily_loss: true, drawdown: false },
      },
      ctx,
      Date.UTC(2026, 11, 3, 6, 5),
    );
    const at = '2026-12-03T06:05:00.000Z';
    expect(events).toEqual([
      {
        type: 'exit',
        ...MAIN,
        at,
        symbol: 'BTCUSDT',
        reason: 'stop_loss',
        level: '27000',
        quantity: '0.01',
        price: '26990.1',
      },
      {
        type: 'exit',
        ...MAIN,
        at,
        symbol: 'ETHUSDT',
        reason: 'max_daily_loss',
        level: null,
        quantity: '0',
        price: null,
      },
      {
        type: 'halt',
        ...MAIN,
        at,
        state: 'daily_loss_stop',
        reason: 'max_daily_loss reached',
      },
    ]);
    expect(messageText(events[1] as NotifyEvent).split('\n')[1]).toBe('quantity: 0');
    // No change of the kill switch: no halt event.
    const quiet = intradayEvents(
      {
        run: { account: 'main', exit_reason: 'no exit' },
        halt: { before: 'running', after: 'running' },
        exits: [],
        portfolio: null,
      },
      ctx,
      0,
    );
    expect(quiet).toEqual([]);
  });
});
