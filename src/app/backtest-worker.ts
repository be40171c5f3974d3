/**
 * Worker-thread entry of backtest sweeps (see src/app/backtest-sweep.ts): loads the dataset of
 * `workerData.dataDir` and lays it out once, says `ready`, then runs each configuration it is sent
 * (`runBacktestSummary`: the strategy alone) and answers with its metrics and equity curve, or its error.
 * Bundled to `dist/backtest-worker.mjs` by scripts/build.mjs; run from the sources through tsx otherwise.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadDataset } from '../adapters/data/bundled-dataset.ts';
import { backtestMarketOf, runBacktestSummary } from './backtest.ts';
import type { FromWorker, ToWorker } from './backtest-sweep.ts';

const port = parentPort;
if (!port) throw new Error('backtest-worker.ts must run in a worker thread');
const { dataDir } = workerData as { dataDir: string };
const market = backtestMarketOf(await loadDataset(dataDir));
port.on('message', (msg: ToWorker) => {
  if (msg.type === 'exit') {
    port.close();
    return;
  }
  const { job } = msg;
  let reply: FromWorker;
  try {
    const summary = runBacktestSummary(market, { settings: job.settings, from: job.from, to: job.to });
    reply = { type: 'result', index: job.index, summary };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    reply = { type: 'error', index: job.index, name: e.name, message: e.message };
  }
  port.postMessage(reply);
});
port.postMessage({ type: 'ready' } satisfies FromWorker);
