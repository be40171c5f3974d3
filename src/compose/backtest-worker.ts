/**
 * The composition function of a backtest worker thread (it builds the data adapter, then runs the
 * backtest use case). Worker-thread entry of backtest worker pools (src/app/backtest-sweep.ts: sweeps, and the equal-weight
 * benchmark of a single backtest): loads the dataset of `workerData.dataDir` at once, says `ready`, then
 * runs each job it is sent (`runBacktestSummary`: the strategy alone, on the market of the job's window,
 * laid out once per window) and answers with its metrics and equity curve, or its error.
 * Bundled to `dist/backtest-worker.mjs` by scripts/build.mjs; run from the sources through tsx otherwise.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadDataset } from '../adapters/data/bundled-dataset.ts';
import { type BacktestMarket, backtestMarketOf, runBacktestSummary } from '../app/backtest.ts';
import type { FromWorker, ToWorker } from '../app/backtest-sweep.ts';

const port = parentPort;
if (!port) throw new Error('backtest-worker.ts must run in a worker thread');
const { dataDir } = workerData as { dataDir: string };
const dataset = await loadDataset(dataDir);
/** Markets by window (jobs of one sweep share theirs). */
const markets = new Map<string, BacktestMarket>();

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'exit') {
    port.close();
    return;
  }
  const { id, job } = msg;
  let reply: FromWorker;
  try {
    const key = job.window ? `${job.window.fromMs}:${job.window.toMs}` : 'all';
    let market = markets.get(key);
    if (!market) {
      market = backtestMarketOf(dataset, job.window);
      markets.set(key, market);
    }
    const summary = runBacktestSummary(market, { settings: job.settings, from: job.from, to: job.to });
    reply = { type: 'result', id, summary };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    reply = { type: 'error', id, name: e.name, message: e.message };
  }
  port.postMessage(reply);
});
port.postMessage({ type: 'ready' } satisfies FromWorker);
