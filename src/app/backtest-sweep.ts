/**
 * Parameter sweeps: one backtest per configuration of a grid (`--sweep lookback_days=3,7,14 top_n=5,10`),
 * run in parallel on every core with `node:worker_threads`. Each worker loads the dataset and lays it out
 * once (src/compose/backtest-worker.ts), then runs the configurations it is sent, one message each; only the
 * strategy is simulated (no benchmarks, no trade list), and each worker sends back its metrics and
 * equity curve.
 *
 * Workers run from the bundle (`dist/backtest-worker.mjs`, built next to `dist/cli.mjs` by
 * scripts/build.mjs) when this module is itself bundled, and from the TypeScript sources through tsx
 * otherwise (tests, `tsx src/cli/main.ts`, or a bundle without its worker file).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { dec, decStr } from '../domain/decimal.ts';
import type { SweepValue } from '../domain/metrics/sweep-grid.ts';
import type { BacktestSettings, BacktestSummary } from './backtest.ts';

/** One backtest for a worker: the strategy alone (`runBacktestSummary`). */
export interface BacktestJob {
  readonly settings: BacktestSettings;
  /** `YYYY-MM-DD`, already checked against the data. */
  readonly from: string;
  readonly to: string;
  /** The days to lay out (`backtestWindow`); jobs with the same window share one market. Default: all. */
  readonly window?: { readonly fromMs: number; readonly toMs: number };
}

/** One configuration of a sweep. */
export interface SweepJob extends BacktestJob {
  /** Position in the grid (as `expandGrid` produced it). */
  readonly index: number;
}

/** Main → worker. */
export type ToWorker =
  | { readonly type: 'job'; readonly id: number; readonly job: BacktestJob }
  | { readonly type: 'exit' };

/** Worker → main. */
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly id: number; readonly summary: BacktestSummary }
  | { readonly type: 'error'; readonly id: number; readonly name: string; readonly message: string };

/** Options of {@link runSweep}. */
export interface SweepOptions {
  /** The data directory (absolute), loaded by every worker. */
  readonly dataDir: string;
  readonly jobs: readonly SweepJob[];
  /** Worker threads (default: the available parallelism, at most one per job). */
  readonly threads?: number;
  /** Called after each finished configuration. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * The file URL of tsx's ESM API (`tsx/esm/api`, the `import` condition), from its package.json exports:
 * `createRequire().resolve` would give the CommonJS build, which cannot register the ESM hooks when imported.
 */
function tsxEsmApi(from: string): string {
  const pkgFile = createRequire(from).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as {
    exports: Record<string, string | { import: { default: string } }>;
  };
  const entry = pkg.exports['./esm/api'];
  const rel = typeof entry === 'string' ? entry : (entry?.import.default ?? './dist/esm/api/index.mjs');
  return pathToFileURL(path.join(path.dirname(pkgFile), rel)).href;
}

/** How to start a worker: a module URL, or eval code that registers tsx first. */
function workerEntry(): { readonly entry: URL | string; readonly eval: boolean } {
  const here = import.meta.url;
  const tsxWorker = (src: URL) => {
    const api = tsxEsmApi(here);
    const code = `import(${JSON.stringify(api)}).then((m) => { (m.register ?? m.default.register)(); return import(${JSON.stringify(src.href)}); });`;
    return { entry: code, eval: true };
  };
  if (here.endsWith('.ts')) return tsxWorker(new URL('../compose/backtest-worker.ts', here));
  const bundled = new URL('./backtest-worker.mjs', here);
  if (existsSync(fileURLToPath(bundled))) return { entry: bundled, eval: false };
  return tsxWorker(new URL('../src/compose/backtest-worker.ts', here));
}

/**
 * A pool of backtest worker threads. Each worker starts loading the dataset as soon as it is created (so it
 * can overlap with other work), then runs the jobs it is given one at a time.
 */
export class BacktestWorkerPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: { id: number; job: BacktestJob }[] = [];
  private readonly pending = new Map<
    number,
    { resolve: (s: BacktestSummary) => void; reject: (e: Error) => void }
  >();
  private nextId = 0;
  private failure: Error | null = null;
  private closed = false;

  /**
   * Starts `threads` workers on `dataDir` (absolute).
   * @param threads at least 1.
   */
  constructor(dataDir: string, threads: number) {
    const { entry, eval: isEval } = workerEntry();
    for (let t = 0; t < Math.max(1, threads); t++) {
      const w = new Worker(entry, { eval: isEval, workerData: { dataDir } });
      this.workers.push(w);
      w.on('message', (msg: FromWorker) => this.onMessage(w, msg));
      w.on('error', (err) => this.fail(err instanceof Error ? err : new Error(String(err))));
      w.on('exit', (code) => {
        if (code !== 0 && !this.closed) this.fail(new Error(`a backtest worker exited with code ${code}`));
      });
    }
  }

  /** Number of worker threads. */
  get size(): number {
    return this.workers.length;
  }

  /**
   * Queues a job; resolves with its summary.
   * @throws (rejects) the job's error, or the pool's when a worker failed (e.g. the data cannot be loaded).
   */
  run(job: BacktestJob): Promise<BacktestSummary> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const p = new Promise<BacktestSummary>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.queue.push({ id, job });
    this.dispatch();
    return p;
  }

  /** Stops every worker (pending jobs reject). */
  async close(): Promise<void> {
    this.closed = true;
    this.fail(new Error('the backtest worker pool was closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.shift() as Worker;
      const { id, job } = this.queue.shift() as { id: number; job: BacktestJob };
      w.postMessage({ type: 'job', id, job } satisfies ToWorker);
    }
  }

  private onMessage(w: Worker, msg: FromWorker): void {
    if (msg.type !== 'ready') {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.type === 'result') p?.resolve(msg.summary);
      else {
        const e = new Error(msg.message);
        e.name = msg.name;
        p?.reject(e);
      }
    }
    this.idle.push(w);
    this.dispatch();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
    this.queue.length = 0;
  }
}

/**
 * Runs every job on a pool of worker threads (one per core, at most one per job) and returns the summaries
 * in job order.
 * @throws Error naming the configuration when a job fails, or the worker's error when a worker cannot
 *   start (e.g. the data directory cannot be loaded); the workers are stopped either way.
 */
export async function runSweep(opts: SweepOptions): Promise<BacktestSummary[]> {
  const jobs = opts.jobs;
  if (jobs.length === 0) return [];
  const threads = Math.max(1, Math.min(opts.threads ?? os.availableParallelism(), jobs.length));
  const pool = new BacktestWorkerPool(opts.dataDir, threads);
  let done = 0;
  try {
    return await Promise.all(
      jobs.map((job) =>
        pool.run(job).then(
          (summary) => {
            done++;
            opts.onProgress?.(done, jobs.length);
            return summary;
          },
          (err: Error) => {
            const e = new Error(`sweep configuration #${job.index + 1}: ${err.message}`);
            e.name = err.name;
            throw e;
          },
        ),
      ),
    );
  } finally {
    await pool.close();
  }
}

/** The value of a swept parameter as written in a config override (plain decimal, never an exponent). */
export function overrideValue(v: SweepValue): string {
  return typeof v === 'string' ? v : decStr(dec(v));
}
