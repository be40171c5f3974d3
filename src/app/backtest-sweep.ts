/**
 * Parameter sweeps: one backtest per configuration of a grid (`--sweep lookback_days=3,7,14 top_n=5,10`),
 * run in parallel on every core with `node:worker_threads`. Each worker loads the dataset and lays it out
 * once (src/app/backtest-worker.ts), then runs the configurations it is sent, one message each; only the
 * strategy is simulated (no benchmarks, no trade list), and each worker sends back its metrics and
 * equity curve.
 *
 * Workers run from the bundle (`dist/backtest-worker.mjs`, built next to `dist/cli.mjs` by
 * scripts/build.mjs) when this module is itself bundled, and from the TypeScript sources through tsx
 * otherwise (tests, `tsx src/cli/main.ts`, or a bundle without its worker file).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { dec, decStr } from '../domain/decimal.ts';
import type { SweepParamSpec, SweepValue } from '../domain/metrics/sweep-grid.ts';
import type { BacktestSettings, BacktestSummary } from './backtest.ts';

/** A config section and key, as `loadConfig` overrides name them. */
export type ConfigKey = readonly [section: 'strategy' | 'universe' | 'portfolio' | 'execution', key: string];

/**
 * The sweepable parameters: how each value is validated (`parseSweep`) and the config key it sets (every
 * value is then validated again by `loadConfig`, with the config's own bounds).
 */
export const SWEEP_PARAMS: Readonly<Record<string, SweepParamSpec & { readonly config: ConfigKey }>> = {
  lookback_days: { kind: 'int', min: 1, max: 365, config: ['strategy', 'lookback_days'] },
  top_n: { kind: 'int', min: 1, max: 500, config: ['strategy', 'top_n'] },
  rebalance_every_days: { kind: 'int', min: 1, max: 365, config: ['strategy', 'rebalance_every_days'] },
  mode: { kind: 'enum', values: ['momentum', 'reversal'], config: ['strategy', 'mode'] },
  rebalance_mode: { kind: 'enum', values: ['full', 'delta'], config: ['portfolio', 'rebalance_mode'] },
  min_age_days: { kind: 'int', min: 0, max: 3650, config: ['universe', 'min_age_days'] },
  cash_buffer: { kind: 'number', min: 0, max: 1, config: ['portfolio', 'cash_buffer'] },
  band: { kind: 'number', min: 0, max: 1, config: ['portfolio', 'band'] },
  min_quote_volume: { kind: 'number', min: 0, config: ['universe', 'min_quote_volume'] },
  min_market_cap: { kind: 'number', min: 0, config: ['universe', 'min_market_cap'] },
  slippage_bps: { kind: 'number', min: 0, max: 1000, config: ['execution', 'slippage_bps'] },
  fee_rate: { kind: 'number', min: 0, max: 0.1, config: ['execution', 'fee_rate'] },
};

/** One configuration of a sweep. */
export interface SweepJob {
  /** Position in the grid (as `expandGrid` produced it). */
  readonly index: number;
  readonly settings: BacktestSettings;
  /** `YYYY-MM-DD`, already checked against the data. */
  readonly from: string;
  readonly to: string;
}

/** Main → worker. */
export type ToWorker = { readonly type: 'job'; readonly job: SweepJob } | { readonly type: 'exit' };

/** Worker → main. */
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly index: number; readonly summary: BacktestSummary }
  | { readonly type: 'error'; readonly index: number; readonly name: string; readonly message: string };

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

/** How to start a worker: a module URL, or eval code that registers tsx first. */
function workerEntry(): { readonly entry: URL | string; readonly eval: boolean } {
  const here = import.meta.url;
  const tsxWorker = (src: URL) => {
    const api = pathToFileURL(createRequire(here).resolve('tsx/esm/api')).href;
    const code = `import(${JSON.stringify(api)}).then((m) => { (m.register ?? m.default.register)(); return import(${JSON.stringify(src.href)}); });`;
    return { entry: code, eval: true };
  };
  if (here.endsWith('.ts')) return tsxWorker(new URL('./backtest-worker.ts', here));
  const bundled = new URL('./backtest-worker.mjs', here);
  if (existsSync(fileURLToPath(bundled))) return { entry: bundled, eval: false };
  return tsxWorker(new URL('../src/app/backtest-worker.ts', here));
}

/**
 * Runs every job on a pool of worker threads and returns the summaries in job order.
 * @throws Error naming the configuration when a job fails, or the worker's error when a worker cannot
 *   start (e.g. the data directory cannot be loaded); the other workers are stopped.
 */
export async function runSweep(opts: SweepOptions): Promise<BacktestSummary[]> {
  const jobs = opts.jobs;
  const results: (BacktestSummary | undefined)[] = new Array(jobs.length);
  if (jobs.length === 0) return [];
  const threads = Math.max(1, Math.min(opts.threads ?? os.availableParallelism(), jobs.length));
  const { entry, eval: isEval } = workerEntry();
  const workers: Worker[] = [];
  let next = 0;
  let done = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const fail = (err: Error) => {
        if (failed) return;
        failed = true;
        reject(err);
      };
      const dispatch = (w: Worker) => {
        if (failed) return;
        const job = jobs[next];
        if (job === undefined) {
          w.postMessage({ type: 'exit' } satisfies ToWorker);
          return;
        }
        next++;
        w.postMessage({ type: 'job', job } satisfies ToWorker);
      };
      for (let t = 0; t < threads; t++) {
        const w = new Worker(entry, { eval: isEval, workerData: { dataDir: opts.dataDir } });
        workers.push(w);
        w.on('message', (msg: FromWorker) => {
          if (msg.type === 'ready') return dispatch(w);
          if (msg.type === 'error') {
            const e = new Error(`sweep configuration #${msg.index + 1}: ${msg.message}`);
            e.name = msg.name;
            return fail(e);
          }
          results[msg.index] = msg.summary;
          done++;
          opts.onProgress?.(done, jobs.length);
          if (done === jobs.length) resolve();
          else dispatch(w);
        });
        w.on('error', (err) => fail(err instanceof Error ? err : new Error(String(err))));
        w.on('exit', (code) => {
          if (code !== 0 && done < jobs.length) fail(new Error(`a sweep worker exited with code ${code}`));
        });
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results as BacktestSummary[];
}

/** The value of a swept parameter as written in a config override (plain decimal, never an exponent). */
export function overrideValue(v: SweepValue): string {
  return typeof v === 'string' ? v : decStr(dec(v));
}
