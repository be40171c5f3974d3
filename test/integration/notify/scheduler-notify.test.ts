/**
 * The scheduler daemon's notifications (issue 11 item 4), in process through the compose function
 * (runScheduler: replay exchange, bundled data; the ledger on a scratch database of the Postgres server
 * of DATABASE_URL when set, else embedded PGlite in a tmp directory) against a local
 * webhook receiver. Reproduces the daemon's contract: the job does NOT wait for its notification — the
 * receiver holds the summary unanswered until the job has logged "job finished" — and the daemon, when it
 * stops, waits for the delivery still under way ("notification sent" before "scheduler stopped").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScheduler } from '../../../src/compose/schedule.ts';
import { loadConfig } from '../../../src/config/loader.ts';
import { freshServerDatabase } from '../../support/postgres-server.ts';
import { json, Receiver } from './receiver.ts';

const serverUrl = process.env.DATABASE_URL;
let dir: string;
let dbUrl: string | undefined;
let drop: (() => Promise<void>) | undefined;
const hook = new Receiver(() => 'hang');
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'notify-daemon-'));
  if (serverUrl) ({ url: dbUrl, drop } = await freshServerDatabase(serverUrl, 'notify_daemon'));
});
afterAll(async () => {
  await hook.close();
  await drop?.();
  rmSync(dir, { recursive: true, force: true });
});

describe('scheduler daemon notifications', () => {
  it('the job does not wait for its summary; the daemon waits for it when it stops', async () => {
    const url = await hook.start();
    const lines: Record<string, unknown>[] = [];
    let onLine: (l: Record<string, unknown>) => void = () => {};
    const logger = pino(
      { level: 'info', base: undefined },
      new Writable({
        write(chunk: Buffer, _enc, done) {
          for (const l of String(chunk).split('\n').filter(Boolean)) {
            const line = JSON.parse(l) as Record<string, unknown>;
            lines.push(line);
            onLine(line);
          }
          done();
        },
      }),
    );
    const loaded = loadConfig({
      cwd: dir,
      env: {},
      overrides: {
        strategy: { top_n: '3' },
        database: { data_dir: path.join(dir, 'pglite'), lock_wait_ms: '0', ...(dbUrl ? { url: dbUrl } : {}) },
        // 00:00 UTC has always passed: the catch-up runs the rebalance at once.
        schedule: { rebalance_at: '00:00', catch_up: 'true' },
        notify: { webhook_url: `${url}/hook`, timeout_ms: '60000', retries: '0' },
      },
    });
    const stop = new AbortController();
    const jobFinished = new Promise<void>((resolve) => {
      onLine = (l) => {
        if (l.msg === 'job finished') resolve();
      };
    });
    const daemon = runScheduler(loaded.config, logger, {
      signal: stop.signal,
      effectiveConfig: loaded.redacted(),
    });
    // The job finished while its summary was still unanswered at the receiver.
    await jobFinished;
    await hook.waitFor(1);
    expect(lines.some((l) => l.msg === 'notification sent')).toBe(false);
    const stopping = new Promise<void>((resolve) => {
      onLine = (l) => {
        if (String(l.msg).startsWith('stopping: no new slot starts')) resolve();
      };
    });
    stop.abort();
    // Answer only once the daemon is stopping: it must still be waiting for this delivery.
    await stopping;
    expect(lines.some((l) => l.msg === 'notification sent' || l.msg === 'scheduler stopped')).toBe(false);
    const held = hook.held()[0];
    if (held === undefined) throw new Error('no request held');
    json(held, 200, { ok: true });
    const summary = await daemon;
    expect(summary).toEqual({ runs: 1, failures: 0 });
    const finished = lines.find((l) => l.msg === 'job finished');
    expect(hook.bodies()).toHaveLength(1);
    expect(hook.bodies()[0]).toMatchObject({
      type: 'summary',
      account: 'replay',
      period: finished?.period,
      status: finished?.status,
      orders: { total: finished?.orders },
    });
    const order = (msg: string) => lines.findIndex((l) => l.msg === msg);
    expect(order('job finished')).toBeGreaterThanOrEqual(0);
    expect(order('job finished')).toBeLessThan(order('notification sent'));
    expect(order('notification sent')).toBeLessThan(order('scheduler stopped'));
  });
});
