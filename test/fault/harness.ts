/**
 * The seeded fault and crash harness (issue 9 item 7, issue 14 item 7): drives the REAL CLI
 * (`node bin/momentum-rebalancer.js rebalance --exchange testnet --base-url …`, credentials in
 * `BINANCE_API_KEY` / `BINANCE_API_SECRET`) in its own process, through a proxy in front of the local
 * Binance emulator (src/emulator/server.ts, one fresh emulator and one fresh account per case), on a fresh
 * ledger per case (a PGlite directory in a tmp dir, or a scratch database on the Postgres server of
 * `DATABASE_URL`). Nothing of ours is mocked: binance-api-node, HTTP, the emulator and the ledgers are real;
 * only the wire is tampered with (`../shared/tools/fault-proxy.mjs`, seeded) or the process is killed
 * (`SIGKILL`, at a wire event of a phase or at a seeded time).
 *
 * After a case, the invariants are read from the two sources of truth, never from the CLI's own report:
 *  - CONVERGED: the ledger's book (`balances` table; `initial_quote` of the account when no state was ever
 *    saved) equals the emulator account's balances, asset by asset (free + locked), exactly;
 *  - no DUPLICATE: no clientOrderId executed twice on the emulator (`GET /api/v3/allOrders`, signed with
 *    the case's key, per symbol the ledger ordered or the account holds);
 *  - NOT CHURNED: the orders executed on the emulator for the period, dust excepted, are no more than a
 *    clean run's (a re-run must not sell and re-buy the basket).
 *
 * Used by test/fault/fault-suite.test.ts (CI) and bench/faults.mjs (timings).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Decimal } from 'decimal.js';
import pg from 'pg';
import type { Dataset } from '../../src/adapters/data/bundled-dataset.ts';
import { type RunningEmulator, startEmulator } from '../../src/emulator/server.ts';
import { signed } from '../emulator/support.ts';
import { collectOutput } from '../support/child-output.ts';
import { freshServerDatabase } from '../support/postgres-server.ts';

/** The repository root (the worktree this file is in). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The CLI entry point, as `npm run rebalance` runs it. */
export const BIN = path.join(ROOT, 'bin/momentum-rebalancer.js');
/** The seeded fault proxy (shared tools; `FAULT_PROXY_PATH` overrides). */
export const FAULT_PROXY_PATH =
  process.env.FAULT_PROXY_PATH ?? path.resolve(ROOT, '../shared/tools/fault-proxy.mjs');

/** Quote asset and starting balance of every case account (the emulator account holds only this). */
export const QUOTE = 'USDT';
export const INITIAL_QUOTE = '10000';
/**
 * An executed order below this quote amount is dust for the churn count: 1 % of the starting equity.
 * A basket sold and re-bought moves ~1/top_n of the equity per order (1,000 USDT with the default top 10,
 * issue 14: "19-20 extra orders"), far above it; a top-up of a rounding remainder stays below it.
 */
export const DUST_QUOTE = new Decimal(INITIAL_QUOTE).times('0.01');

const API_SECRET = 'fault-suite-secret-0123456789abcdef';

/** Which ledger a case runs on. */
export type LedgerKind = 'pglite' | 'postgres';

/** A fresh ledger for one case: the CLI's environment for it, a reader, and its removal. */
export interface CaseLedger {
  readonly kind: LedgerKind;
  /** Environment variables that point the CLI at this ledger. */
  readonly env: Record<string, string>;
  /** The book and the orders of account `account`, read after the CLI exited. */
  read(account: string): Promise<LedgerView>;
  drop(): Promise<void>;
}

/** What the ledger says about one account. */
export interface LedgerView {
  /** asset → free + locked (the saved book); `{USDT: initial_quote}` when no state was ever saved. */
  readonly book: Map<string, Decimal>;
  /** Whether a run ever saved the account's state (`accounts.state_run_id`). */
  readonly stateSaved: boolean;
  readonly orders: readonly { clientOrderId: string; symbol: string; status: string }[];
  /** Run statuses of the account's rebalance runs, oldest first. */
  readonly runStatuses: readonly string[];
}

/** Shared per process: the emulator's dataset, the migrated PGlite template, the Postgres base URL. */
export interface HarnessEnv {
  readonly dataset: Dataset;
  /** A migrated PGlite directory copied for each PGlite case (creating one costs seconds). */
  readonly pgliteTemplate: string;
  /** `DATABASE_URL` of the Postgres server, or null (then every case uses PGlite). */
  readonly serverUrl: string | null;
  readonly tmp: string;
  /**
   * `[universe] include` of every CLI run (`REBALANCER_UNIVERSE_INCLUDE`), or null for the whole universe.
   * A cold run fetches the klines of every symbol it considers (~400 requests for the whole universe):
   * a short list keeps a case at a few seconds while every phase (ranking, sells, buys, recovery) runs.
   */
  readonly include: string | null;
  /**
   * More environment variables of every CLI run, e.g. `REBALANCER_EXCHANGE_RECV_WINDOW_MS` (bench/faults.mjs
   * `--env`: to measure what a setting costs or saves); empty by default.
   */
  readonly cliEnv: Record<string, string>;
  /**
   * Whether each case's emulator answers one `GET /api/v3/ticker/price` before the CLI starts. A fresh
   * emulator builds its price index on that first call (2–10 s of CPU on a loaded machine, in THIS
   * process, where the front proxy also runs): a test-bed cost a real exchange does not have, which
   * bench/faults.mjs leaves out of the run's time by default. False unless asked for.
   */
  readonly warmEmulator: boolean;
  close(): void;
}

/** Child processes alive (CLI runs, fault proxies, readers): killed when this process exits. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});
/** Tracks `child` in {@link live} until it closes. */
function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('close', () => live.delete(child));
  return child;
}

/** Environment of every CLI process: no inherited ledger, JSON logs on stderr. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('REBALANCER_') || k.startsWith('BINANCE_')) continue;
    if (k === 'DATABASE_URL' || k === 'LOG_LEVEL' || k === 'NODE_OPTIONS' || k.startsWith('VITEST')) continue;
    env[k] = v;
  }
  env.LOG_LEVEL = process.env.FAULT_LOG_LEVEL ?? 'info';
  env.REBALANCER_LOG_FORMAT = 'json';
  return env;
}

/**
 * Prepares what every case shares: builds the bundled CLI once (so that concurrent CLI processes do not
 * race to build it), creates and migrates the PGlite template (`db:migrate`), takes the dataset.
 * @throws Error when the build or the migration fails (with the CLI's stderr).
 */
export function prepareHarness(
  dataset: Dataset,
  opts: { include?: string | null; cliEnv?: Record<string, string>; warmEmulator?: boolean } = {},
): HarnessEnv {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'fault-suite-'));
  const pgliteTemplate = path.join(tmp, 'pglite-template');
  const r = spawnSync(process.execPath, [BIN, 'db:migrate'], {
    cwd: tmp,
    env: { ...baseEnv(), REBALANCER_DATABASE_DATA_DIR: pgliteTemplate },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`db:migrate of the PGlite template exited ${r.status}:\n${r.stderr}`);
  return {
    dataset,
    pgliteTemplate,
    serverUrl: process.env.DATABASE_URL || null,
    tmp,
    include: opts.include ?? null,
    cliEnv: opts.cliEnv ?? {},
    warmEmulator: opts.warmEmulator ?? false,
    close: () => rmSync(tmp, { recursive: true, force: true }),
  };
}

const num = (v: unknown) => new Decimal(String(v));

/** The four reads of {@link LedgerView}, each with `$1` = the account name; numerics as text (exact). */
const VIEW_QUERIES = [
  'select initial_quote::text as iq, quote_asset, state_run_id::text as sr from accounts where name = $1',
  'select b.asset, b.free::text as free, b.locked::text as locked from balances b join accounts a on a.id = b.account_id where a.name = $1',
  'select o.client_order_id, o.symbol, o.status from orders o join accounts a on a.id = o.account_id where a.name = $1 order by o.id',
  "select r.status from runs r join accounts a on a.id = r.account_id where a.name = $1 and r.kind = 'rebalance' order by r.id",
] as const;

type Rows = Record<string, unknown>[];

/** The ledger view from the rows of {@link VIEW_QUERIES}. */
function viewOf([acct, bal, orders, runs]: Rows[]): LedgerView {
  const book = new Map<string, Decimal>();
  const a = acct?.[0] as { iq: string; quote_asset: string; sr: string | null } | undefined;
  if (!a) {
    book.set(QUOTE, num(INITIAL_QUOTE));
    return { book, stateSaved: false, orders: [], runStatuses: [] };
  }
  for (const b of bal ?? []) {
    const v = num(b.free).plus(num(b.locked));
    if (!v.isZero()) book.set(String(b.asset), v);
  }
  if (a.sr === null && (bal ?? []).length === 0) book.set(a.quote_asset, num(a.iq));
  return {
    book,
    stateSaved: a.sr !== null,
    orders: (orders ?? []).map((o) => ({
      clientOrderId: String(o.client_order_id),
      symbol: String(o.symbol),
      status: String(o.status),
    })),
    runStatuses: (runs ?? []).map((r) => String(r.status)),
  };
}

/**
 * Runs {@link VIEW_QUERIES} on a PGlite directory in a child process: an embedded database that a killed
 * CLI left behind is opened apart from the harness (PGlite aborts the whole process on some states), and
 * never two PGlite instances in one process.
 */
function readPGlite(dir: string, account: string): Promise<Rows[]> {
  return new Promise((resolve, reject) => {
    const child = track(
      spawn(
        process.execPath,
        [path.join(ROOT, 'test/fault/read-pglite.mjs'), dir, account, JSON.stringify(VIEW_QUERIES)],
        { cwd: ROOT, env: baseEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    );
    const { out, err } = collectOutput(child);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(out()) as Rows[]);
      else reject(new Error(`reading the PGlite ledger ${dir} failed (exit ${code}): ${err().slice(-2000)}`));
    });
  });
}

/**
 * A fresh ledger: a copy of the migrated PGlite template in a tmp dir, or a scratch database on the
 * Postgres server (created empty; the CLI migrates it on its first run).
 */
export async function freshLedger(h: HarnessEnv, kind: LedgerKind, name: string): Promise<CaseLedger> {
  if (kind === 'postgres') {
    if (!h.serverUrl) throw new Error('a postgres case needs DATABASE_URL');
    const db = await freshServerDatabase(h.serverUrl, 'fault_suite');
    return {
      kind,
      env: { DATABASE_URL: db.url },
      async read(account) {
        const c = new pg.Client({ connectionString: db.url, connectionTimeoutMillis: 5000 });
        await c.connect();
        try {
          const rows: Rows[] = [];
          for (const q of VIEW_QUERIES) rows.push((await c.query(q, [account])).rows);
          return viewOf(rows);
        } finally {
          await c.end();
        }
      },
      drop: db.drop,
    };
  }
  const dir = path.join(h.tmp, `pglite-${name}`);
  cpSync(h.pgliteTemplate, dir, { recursive: true });
  return {
    kind,
    env: { REBALANCER_DATABASE_DATA_DIR: dir },
    read: async (account) => viewOf(await readPGlite(dir, account)),
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A fresh emulator with one account holding {@link INITIAL_QUOTE} USDT only (so every asset is managed). */
export async function caseEmulator(h: HarnessEnv, apiKey: string): Promise<RunningEmulator> {
  return startEmulator({
    dataset: h.dataset,
    accounts: [
      {
        apiKey,
        secret: API_SECRET,
        balances: { [QUOTE]: INITIAL_QUOTE },
        takerCommission: '0.001',
        makerCommission: '0.001',
      },
    ],
  });
}

/** One CLI process's outcome. */
export interface CliRun {
  /** Exit code (null when killed). */
  readonly code: number | null;
  readonly signal: string | null;
  readonly ms: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Killed by the harness (a crash point or the watchdog). */
  readonly killed: boolean;
  /** `direct`: through the case's disarmed proxy, untouched (the same base URL as the first run). */
  readonly via: 'fault-proxy' | 'crash-proxy' | 'direct';
  /** `performance.now()` of this process when the CLI was spawned, ms (the origin of {@link WireTiming}s). */
  readonly startedAt: number;
}

/** Options of {@link runCli}. */
export interface CliOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly account: string;
  readonly ledger: CaseLedger;
  readonly via: CliRun['via'];
  /** Called with the child once spawned (crash points keep it to kill it). */
  readonly onSpawn?: (child: ChildProcess) => void;
  /** Kill -9 after this many ms (a seeded time-based crash point). */
  readonly killAfterMs?: number;
  /** Watchdog: kill -9 after this many ms and count the run as hung (default FAULT_RUN_TIMEOUT_MS or 300 s). */
  readonly timeoutMs?: number;
  readonly cwd: string;
  /** `[universe] include` (null: the whole universe). */
  readonly include?: string | null;
  /**
   * The command: `rebalance` (default: one run, `--json`) or `schedule` (the daemon: it runs until a
   * signal, so the caller stops it, e.g. from `onSpawn` on a log line).
   */
  readonly command?: 'rebalance' | 'schedule';
  /** More environment variables (e.g. `REBALANCER_SCHEDULE_*`). */
  readonly env?: Record<string, string>;
}

/**
 * Runs `momentum-rebalancer rebalance --exchange testnet --base-url … --account … --json` (or `schedule`
 * with the same flags but `--json`) in a new process.
 */
export function runCli(o: CliOptions): Promise<CliRun & { hung: boolean }> {
  const env = {
    ...baseEnv(),
    ...o.ledger.env,
    BINANCE_API_KEY: o.apiKey,
    BINANCE_API_SECRET: API_SECRET,
    ...(o.include ? { REBALANCER_UNIVERSE_INCLUDE: o.include } : {}),
    ...(o.env ?? {}),
  };
  const daemon = o.command === 'schedule';
  const t0 = performance.now();
  const child = track(
    spawn(
      process.execPath,
      [
        BIN,
        daemon ? 'schedule' : 'rebalance',
        ...['--exchange', 'testnet', '--base-url', o.baseUrl, '--account', o.account],
        ...(daemon ? [] : ['--json']),
      ],
      { cwd: o.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] },
    ),
  );
  o.onSpawn?.(child);
  const output = collectOutput(child);
  let killed = false;
  let hung = false;
  const timers: NodeJS.Timeout[] = [];
  if (o.killAfterMs !== undefined) {
    timers.push(
      setTimeout(() => {
        killed = child.kill('SIGKILL');
      }, o.killAfterMs),
    );
  }
  timers.push(
    setTimeout(
      () => {
        hung = child.kill('SIGKILL');
      },
      o.timeoutMs ?? Number(process.env.FAULT_RUN_TIMEOUT_MS ?? 300_000),
    ),
  );
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      for (const t of timers) clearTimeout(t);
      resolve({
        code,
        signal,
        ms: performance.now() - t0,
        stdout: output.out(),
        stderr: output.err(),
        killed: killed || (signal === 'SIGKILL' && !hung),
        hung,
        via: o.via,
        startedAt: t0,
      });
    });
  });
}

/** A running `fault-proxy.mjs` child. */
export interface SeededProxy {
  readonly baseUrl: string;
  /** Stops it (SIGTERM) and returns the faults it injected by kind. */
  close(): Promise<Record<string, number>>;
}

/** Default fault probabilities of fault-proxy.mjs, overridable per kind by env (FAULT_P_LOST, …). */
export function proxyProbabilityArgs(): string[] {
  const args: string[] = [];
  for (const [env, flag] of [
    ['FAULT_P_LOST', '--p-lost'],
    ['FAULT_P_503', '--p-503'],
    ['FAULT_P_429', '--p-429'],
    ['FAULT_P_RESET', '--p-reset'],
    ['FAULT_P_SLOW', '--p-slow'],
  ] as const) {
    const v = process.env[env];
    if (v !== undefined && v !== '') args.push(flag, v);
  }
  return args;
}

/**
 * Starts `../shared/tools/fault-proxy.mjs --target … --seed …` (its default probabilities unless
 * FAULT_P_* says otherwise) and waits for its `listening <port>` line.
 */
export function startSeededProxy(target: string, seed: number): Promise<SeededProxy> {
  const child = track(
    spawn(
      process.execPath,
      [
        FAULT_PROXY_PATH,
        '--target',
        target,
        '--port',
        '0',
        '--seed',
        String(seed),
        ...proxyProbabilityArgs(),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    ),
  );
  let out = '';
  let err = '';
  child.stderr?.on('data', (d) => {
    err += d;
  });
  const exited = new Promise<void>((r) => child.on('close', () => r()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fault proxy did not start: ${err}`)), 15_000);
    child.on('close', (code) => reject(new Error(`fault proxy exited ${code}: ${err}`)));
    child.stdout?.on('data', (d) => {
      out += d;
      const m = /listening (\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        baseUrl: `http://127.0.0.1:${m[1]}`,
        async close() {
          child.kill('SIGTERM');
          await exited;
          const counts: Record<string, number> = {};
          for (const line of err.split('\n')) {
            try {
              const j = JSON.parse(line) as { fault?: string };
              if (j.fault) counts[j.fault] = (counts[j.fault] ?? 0) + 1;
            } catch {
              /* not a JSON line */
            }
          }
          return counts;
        },
      });
    });
  });
}

/** What a crash point does with one request: kill the CLI before forwarding it, or after the upstream answered (the answer is never delivered), or after delivering the answer. */
export type CrashAction = 'kill-before' | 'kill-after-upstream' | 'kill-after-answer' | null;

/** One request as a crash point sees it. */
export interface WireEvent {
  readonly method: string;
  readonly path: string;
  /** 1-based index of this request among all requests / among `POST /api/v3/order` requests so far. */
  readonly n: number;
  readonly nthOrder: number;
  /** Orders answered so far (upstream replied) before this request arrived. */
  readonly ordersAnswered: number;
}

/**
 * An in-process proxy that kills the CLI at a wire event (the phase's first request, the k-th order).
 * It is also the one base URL every run of a case uses: an account's book belongs to one venue, the
 * base URL included (issue 9 item 1), so the re-runs go through the same proxy, disarmed and pointed
 * straight at the emulator ({@link CrashProxy.setTarget}).
 */
export interface CrashProxy {
  readonly baseUrl: string;
  /** Whether the trigger fired (the CLI was killed there). */
  readonly fired: () => boolean;
  /** The requests seen, `METHOD /path`. */
  readonly seen: string[];
  /** When each request seen came and went (for the timing figures of bench/faults.mjs). */
  readonly wire: WireTiming[];
  setVictim(child: ChildProcess): void;
  /** From now on forward to `target` (e.g. the emulator, after the fault proxy's run). */
  setTarget(target: string): void;
  /** From now on forward every request untouched (the trigger never fires again). */
  disarm(): void;
  close(): Promise<void>;
}

/**
 * One request as the crash proxy timed it: `start` when its body had arrived, `end` when its answer was
 * delivered or the connection dropped (`performance.now()` of this process, ms); `status` the HTTP status
 * delivered, or `dropped` (the upstream — e.g. the fault proxy — reset or lost it).
 */
export interface WireTiming {
  readonly method: string;
  readonly path: string;
  readonly start: number;
  end: number | null;
  status: number | 'dropped' | null;
}

const isOrder = (method: string, p: string) => method === 'POST' && p === '/api/v3/order';

/** Starts a crash proxy in front of `target`; `trigger` decides per request (it fires at most once). */
export async function startCrashProxy(
  target: string,
  trigger: ((e: WireEvent) => CrashAction) | null,
): Promise<CrashProxy> {
  let upstream = new URL(target);
  let armed = trigger;
  const agent = new http.Agent({ keepAlive: true });
  let victim: ChildProcess | null = null;
  let fired = false;
  let n = 0;
  let orders = 0;
  let ordersAnswered = 0;
  const seen: string[] = [];
  const wire: WireTiming[] = [];
  const kill = () => {
    victim?.kill('SIGKILL');
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const p = (req.url ?? '/').split('?')[0] as string;
      const method = req.method ?? 'GET';
      n += 1;
      const order = isOrder(method, p);
      if (order) orders += 1;
      seen.push(`${method} ${p}`);
      const timing: WireTiming = { method, path: p, start: performance.now(), end: null, status: null };
      wire.push(timing);
      const done = (status: number | 'dropped') => {
        if (timing.end !== null) return;
        timing.end = performance.now();
        timing.status = status;
      };
      const action =
        fired || !armed ? null : armed({ method, path: p, n, nthOrder: order ? orders : 0, ordersAnswered });
      if (action) fired = true;
      if (action === 'kill-before') {
        kill();
        res.socket?.destroy();
        return;
      }
      const up = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: req.url,
          method,
          headers: { ...req.headers, host: upstream.host },
          agent,
        },
        (ur) => {
          const body: Buffer[] = [];
          ur.on('data', (c: Buffer) => body.push(c));
          ur.on('end', () => {
            if (order) ordersAnswered += 1;
            if (action === 'kill-after-upstream') {
              kill();
              res.socket?.destroy();
              return;
            }
            res.writeHead(ur.statusCode ?? 502, ur.headers);
            done(ur.statusCode ?? 502);
            res.end(Buffer.concat(body), () => {
              if (action === 'kill-after-answer') setImmediate(kill);
            });
          });
        },
      );
      up.on('error', () => {
        done('dropped');
        res.socket?.destroy();
      });
      up.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    fired: () => fired,
    seen,
    wire,
    setVictim(child) {
      victim = child;
    },
    setTarget(t) {
      upstream = new URL(t);
    },
    disarm() {
      armed = null;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        agent.destroy();
      }),
  };
}

/** One order as the emulator executed it. */
export interface ExecutedOrder {
  readonly symbol: string;
  readonly clientOrderId: string;
  readonly side: string;
  readonly status: string;
  readonly executedQty: Decimal;
  readonly quote: Decimal;
}

/**
 * The account's orders with a non-zero executed quantity, asked of the emulator (`GET /api/v3/allOrders`,
 * weight 20, per symbol): every symbol the ledger ordered and every symbol of an asset the account holds.
 */
export async function executedOrders(
  emu: RunningEmulator,
  apiKey: string,
  ledgerSymbols: Iterable<string>,
): Promise<ExecutedOrder[]> {
  const symbols = new Set(ledgerSymbols);
  for (const b of emu.balances(apiKey)) if (b.asset !== QUOTE) symbols.add(b.asset + QUOTE);
  const out: ExecutedOrder[] = [];
  for (const symbol of [...symbols].sort()) {
    const r = await signed(
      emu.baseUrl,
      () => emu.now(),
      { apiKey, secret: API_SECRET },
      'GET',
      '/api/v3/allOrders',
      {
        symbol,
        limit: 1000,
      },
    );
    if (r.status !== 200) {
      throw new Error(`allOrders ${symbol}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    }
    for (const o of r.body as {
      clientOrderId: string;
      side: string;
      status: string;
      executedQty: string;
      cummulativeQuoteQty: string;
    }[]) {
      const q = num(o.executedQty);
      if (q.isZero()) continue;
      out.push({
        symbol,
        clientOrderId: o.clientOrderId,
        side: o.side,
        status: o.status,
        executedQty: q,
        quote: num(o.cummulativeQuoteQty),
      });
    }
  }
  return out;
}

/** The invariants of one case, read after its last run. */
export interface Verdict {
  readonly converged: boolean;
  /** `asset: ledger X, emulator Y` for each difference between the book and the exchange. */
  readonly differences: string[];
  /** clientOrderIds executed more than once (each listed once, with its count). */
  readonly duplicates: string[];
  /** Executions beyond the first of a clientOrderId (the "duplicate orders" count). */
  readonly duplicateCount: number;
  readonly executed: number;
  /** Executed orders of at least {@link DUST_QUOTE}. */
  readonly executedNonDust: number;
  readonly churned: boolean;
  readonly executedQuote: Decimal;
  readonly runStatuses: readonly string[];
  readonly pendingOrders: number;
}

/** Checks the three invariants against `clean` (the non-dust executed orders of one clean run). */
export async function verdict(
  emu: RunningEmulator,
  apiKey: string,
  ledger: CaseLedger,
  account: string,
  cleanNonDust: number,
): Promise<Verdict> {
  const view = await ledger.read(account);
  const exchange = new Map<string, Decimal>();
  for (const b of emu.balances(apiKey)) {
    const v = num(b.free).plus(num(b.locked));
    if (!v.isZero()) exchange.set(b.asset, v);
  }
  const differences: string[] = [];
  for (const asset of [...new Set([...view.book.keys(), ...exchange.keys()])].sort()) {
    const l = view.book.get(asset) ?? new Decimal(0);
    const e = exchange.get(asset) ?? new Decimal(0);
    if (!l.eq(e)) differences.push(`${asset}: ledger ${l.toFixed()}, emulator ${e.toFixed()}`);
  }
  const executed = await executedOrders(
    emu,
    apiKey,
    view.orders.map((o) => o.symbol),
  );
  const byId = new Map<string, number>();
  for (const o of executed) byId.set(o.clientOrderId, (byId.get(o.clientOrderId) ?? 0) + 1);
  const dups = [...byId].filter(([, c]) => c > 1);
  const nonDust = executed.filter((o) => o.quote.gte(DUST_QUOTE)).length;
  return {
    converged: differences.length === 0,
    differences,
    duplicates: dups.map(([id, c]) => `${id} ×${c}`),
    duplicateCount: dups.reduce((s, [, c]) => s + c - 1, 0),
    executed: executed.length,
    executedNonDust: nonDust,
    churned: nonDust > cleanNonDust,
    executedQuote: executed.reduce((s, o) => s.plus(o.quote), new Decimal(0)),
    runStatuses: view.runStatuses,
    pendingOrders: view.orders.filter((o) => o.status === 'PENDING').length,
  };
}

/** A clean run: the reference for the churn check and the time-based kills. */
export interface Baseline {
  readonly ms: number;
  readonly executed: number;
  readonly executedNonDust: number;
  /** Orders sent (`POST /api/v3/order`) and the wire sequence of the run, for the crash points. */
  readonly ordersSent: number;
  readonly seen: readonly string[];
}

/** The outcome of one case (a faulted or killed run, then at most two clean re-runs). */
export interface CaseOutcome {
  readonly name: string;
  readonly phase?: string;
  readonly family: 'fault' | 'crash';
  readonly ledger: LedgerKind;
  readonly runs: readonly (CliRun & { hung: boolean })[];
  /** Faults injected by the proxy (fault family), by kind. */
  readonly faults?: Record<string, number>;
  /** The requests of the first run as the case's front proxy timed them (origin: `runs[0].startedAt`). */
  readonly wire: readonly WireTiming[];
  /** Crash family: whether the kill point was reached. */
  readonly killed?: boolean;
  /** The last run exited 0. */
  readonly finishedOk: boolean;
  readonly verdict: Verdict;
}

/** Options of {@link runCase}. */
export interface CaseSpec {
  readonly name: string;
  readonly family: 'fault' | 'crash';
  readonly ledger: LedgerKind;
  /** Fault family: the fault proxy's seed. */
  readonly seed?: number;
  /** Crash family: the wire trigger, or a time in ms after spawn. */
  readonly crash?: ((e: WireEvent) => CrashAction) | { readonly afterMs: number };
  /** Crash family: the phase the kill point stands for (reported). */
  readonly phase?: string;
}

let caseNo = 0;

/**
 * Runs one case on a fresh emulator and ledger: the first run through the fault proxy (fault family) or
 * the crash proxy / timer (crash family); if it did not exit 0, at most two re-runs without faults (through
 * the same base URL: the account's venue); then the invariants.
 */
export async function runCase(
  h: HarnessEnv,
  spec: CaseSpec,
  baseline: Baseline | null,
): Promise<CaseOutcome> {
  caseNo += 1;
  const no = caseNo; // cases run concurrently: the counter moves on while this one awaits
  const apiKey = `fault-${process.pid}-${no}`;
  const account = `fault-${no}`;
  const emu = await caseEmulator(h, apiKey);
  if (h.warmEmulator) {
    const r = await fetch(`${emu.baseUrl}/api/v3/ticker/price`);
    if (r.status !== 200) throw new Error(`warming the emulator: ticker/price HTTP ${r.status}`);
    await r.arrayBuffer();
  }
  const ledger = await freshLedger(h, spec.ledger, `${no}`);
  const cwd = mkdtempSync(path.join(h.tmp, 'cwd-'));
  const runs: (CliRun & { hung: boolean })[] = [];
  let faults: Record<string, number> | undefined;
  let killed: boolean | undefined;
  let firstWire: number | null = null;
  // Every run of the case goes through this proxy's one base URL (the account's venue); only the first
  // run is faulted (through the fault proxy behind it) or killed.
  const front = await startCrashProxy(
    emu.baseUrl,
    spec.crash && !('afterMs' in spec.crash) ? spec.crash : null,
  );
  try {
    const common = {
      apiKey,
      account,
      ledger,
      cwd,
      baseUrl: front.baseUrl,
      include: h.include,
      env: h.cliEnv,
    };
    if (spec.family === 'fault') {
      const proxy = await startSeededProxy(emu.baseUrl, spec.seed ?? 1);
      front.setTarget(proxy.baseUrl);
      try {
        runs.push(await runCli({ ...common, via: 'fault-proxy' }));
        firstWire = front.wire.length;
      } finally {
        front.setTarget(emu.baseUrl);
        faults = await proxy.close();
      }
    } else if (spec.crash && 'afterMs' in spec.crash) {
      const r = await runCli({ ...common, via: 'direct', killAfterMs: spec.crash.afterMs });
      runs.push(r);
      killed = r.killed;
    } else if (spec.crash) {
      runs.push(await runCli({ ...common, via: 'crash-proxy', onSpawn: (c) => front.setVictim(c) }));
      killed = front.fired();
    }
    front.disarm();
    firstWire ??= front.wire.length;
    for (let i = 0; i < 2 && (runs.at(-1)?.code ?? 1) !== 0; i++) {
      runs.push(await runCli({ ...common, via: 'direct' }));
    }
    const v = await verdict(
      emu,
      apiKey,
      ledger,
      account,
      baseline?.executedNonDust ?? Number.POSITIVE_INFINITY,
    );
    return {
      name: spec.name,
      ...(spec.phase ? { phase: spec.phase } : {}),
      family: spec.family,
      ledger: spec.ledger,
      runs,
      ...(faults ? { faults } : {}),
      wire: front.wire.slice(0, firstWire),
      ...(killed !== undefined ? { killed } : {}),
      finishedOk: runs.at(-1)?.code === 0,
      verdict: v,
    };
  } finally {
    await front.close();
    await emu.close();
    await ledger.drop().catch(() => {});
    rmSync(cwd, { recursive: true, force: true });
  }
}

/** One clean run (no faults) through a pass-through crash proxy that records the wire sequence. */
export async function runBaseline(h: HarnessEnv): Promise<Baseline & { outcome: CaseOutcome }> {
  let seen: string[] = [];
  let ms = 0;
  const outcome = await runCase(
    h,
    {
      name: 'clean',
      family: 'crash',
      ledger: 'pglite',
      crash: (e) => {
        seen.push(`${e.method} ${e.path}`);
        return null;
      },
    },
    null,
  );
  ms = outcome.runs[0]?.ms ?? 0;
  if (!outcome.finishedOk || outcome.runs.length !== 1) {
    throw new Error(
      `the clean run failed (exit ${outcome.runs[0]?.code}):\n${outcome.runs[0]?.stderr.slice(-3000)}`,
    );
  }
  const ordersSent = seen.filter((s) => s === 'POST /api/v3/order').length;
  seen = seen.slice();
  return {
    ms,
    executed: outcome.verdict.executed,
    executedNonDust: outcome.verdict.executedNonDust,
    ordersSent,
    seen,
    outcome,
  };
}

/** The last lines of a run's stderr (JSON logs reduced to level + msg), for a failure message. */
export function tail(r: CliRun, lines = 12): string {
  return r.stderr
    .trim()
    .split('\n')
    .slice(-lines)
    .map((l) => {
      try {
        const j = JSON.parse(l) as { level?: number; msg?: string; err?: { message?: string } };
        return `  [${j.level}] ${j.msg ?? ''}${j.err?.message ? ` — ${j.err.message}` : ''}`;
      } catch {
        return `  ${l}`;
      }
    })
    .join('\n');
}

/** Whether the shared fault proxy is on this machine. */
export const haveFaultProxy = existsSync(FAULT_PROXY_PATH);
