/**
 * End-to-end on the real exchange path (issue 10 items 5 and 8: "a halt blocks the next rebalance's
 * buys"): the CLI with `[exchange] kind = testnet` at the local Binance emulator, through binance-api-node
 * over HTTP, ledger on the Postgres server when DATABASE_URL is set (else PGlite). A recording proxy between
 * the client and the emulator keeps every order request, so the test sees what reached the exchange.
 *
 * Reproduces: a halt set in the ledger through the port (as the intraday pass sets it) → the next
 * rebalance sends only SELLs (no BUY reaches the emulator), ends `halted`, exit 0, and the emulator's
 * account agrees with the ledger.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresAccountLookup } from '../../src/adapters/postgres/account-lookup.ts';
import { openLedger } from '../../src/adapters/postgres/connect.ts';
import type { RebalanceResult } from '../../src/app/rebalance-result.ts';
import { decStr } from '../../src/domain/decimal.ts';
import { type RunningEmulator, startEmulator } from '../../src/emulator/server.ts';
import { cli } from '../support/cli.ts';
import { freshServerDatabase } from '../support/postgres-server.ts';

const serverUrl = process.env.DATABASE_URL;
const KEY = 'ks-emu-key';
const SECRET = 'ks-emu-secret-0123456789';
const ACCOUNT = 'ks-emu';

/** A pass-through HTTP proxy that records `METHOD url body` of every request. */
async function startRecorder(
  target: string,
): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push(`${req.method} ${req.url} ${body}`);
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(
          ([k, v]) => typeof v === 'string' && k !== 'host' && k !== 'connection',
        ),
      ) as Record<string, string>;
      try {
        const up = await fetch(`${target}${req.url}`, {
          method: req.method ?? 'GET',
          headers,
          ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body }),
        });
        const text = await up.text();
        const out: Record<string, string> = {};
        up.headers.forEach((v, k) => {
          if (k !== 'content-length' && k !== 'transfer-encoding' && k !== 'content-encoding') out[k] = v;
        });
        res.writeHead(up.status, out);
        res.end(text);
      } catch (err) {
        res.writeHead(502);
        res.end(String(err));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('kill switch on the testnet path (binance-api-node → emulator)', () => {
  let cwd: string;
  let emu: RunningEmulator;
  let recorder: Awaited<ReturnType<typeof startRecorder>>;
  let db: { url: string; drop: () => Promise<void> } | undefined;

  beforeAll(async () => {
    cwd = mkdtempSync(path.join(os.tmpdir(), 'e2e-kill-switch-emu-'));
    if (serverUrl) db = await freshServerDatabase(serverUrl, 'e2e_kill_switch_emu');
    emu = await startEmulator({
      asOf: '2021-06-01',
      accounts: [{ apiKey: KEY, secret: SECRET, balances: { USDT: '10000' } }],
    });
    recorder = await startRecorder(emu.baseUrl);
  });
  afterAll(async () => {
    await recorder?.close();
    await emu?.close();
    await db?.drop();
    rmSync(cwd, { recursive: true, force: true });
  });

  const env = () => ({
    BINANCE_API_KEY: KEY,
    BINANCE_API_SECRET: SECRET,
    ...(db ? { DATABASE_URL: db.url } : {}),
  });
  const rebalance = async () => {
    const r = await cli(
      cwd,
      [
        'rebalance',
        '--json',
        '--exchange',
        'testnet',
        '--base-url',
        recorder.url,
        '--top-n',
        '2',
        '--account',
        ACCOUNT,
      ],
      env(),
    );
    expect(r.stderr).not.toMatch(/error/i);
    return { code: r.code, result: JSON.parse(r.stdout) as RebalanceResult };
  };
  /** The order requests (POST /api/v3/order) that reached the emulator, by side. */
  const orderSides = () =>
    recorder.seen
      .filter((s) => s.startsWith('POST /api/v3/order'))
      .map((s) => /side=(BUY|SELL)/.exec(s)?.[1] ?? '?');

  it('a halt set through the port: the next rebalance sends no BUY (only SELLs), halted, exit 0', async () => {
    // Day 1 (emulator clock 2021-06-01 00:00 + a few s): the basket is bought; the recorder sees BUYs.
    const d1 = await rebalance();
    expect(d1.code).toBe(0);
    expect(d1.result.run.status).toBe('completed');
    expect(orderSides()).toEqual(['BUY', 'BUY']);

    // The intraday pass halts the account (max_drawdown) during 2021-06-01.
    const ledger = await openLedger(db ? { url: db.url } : { dataDir: path.join(cwd, 'var', 'pglite') });
    try {
      const id = await new PostgresAccountLookup(ledger.db).accountIdOf(ACCOUNT);
      await ledger.applyHaltEvent(
        id as string,
        { type: 'risk', dailyLoss: false, drawdown: true, atMs: Date.UTC(2021, 5, 1, 9) },
        { actor: 'intraday', detail: { drawdown: '0.3' } },
      );
    } finally {
      await ledger.close();
    }

    // Day 2: only SELLs reach the exchange.
    recorder.seen.length = 0;
    emu.control({ setClock: '2021-06-02T00:00:30Z' });
    const d2 = await rebalance();
    expect(d2.code).toBe(0);
    expect(d2.result.run.period).toBe('2021-06-02');
    expect(d2.result.run.status).toBe('halted');
    expect(d2.result.run.exit_reason).toContain('since 2021-06-01T09:00:00.000Z');
    expect(d2.result.run.exit_reason).toContain(`momentum-rebalancer risk reset --yes --account ${ACCOUNT}`);
    expect(orderSides()).toEqual(['SELL', 'SELL']);
    // The emulator's account and the ledger agree: USDT and the dust under one step of each asset sold.
    expect(d2.result.exchange?.reconciliation).toEqual([]);
    const emuHeld = emu
      .balances(KEY)
      .map((b) => ({ asset: b.asset, free: decStr(b.free), locked: decStr(b.locked) }))
      .filter((b) => b.free !== '0' || b.locked !== '0');
    expect(emuHeld).toEqual(d2.result.balances);
  }, 180_000);
});
