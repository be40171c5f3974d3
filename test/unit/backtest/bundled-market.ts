/** The bundled real data (data/, see ../shared/data/SOURCES.md) as a backtest market, through the real loader. */
import { fileURLToPath } from 'node:url';
import { loadDataset } from '../../../src/adapters/data/bundled-dataset.ts';
import { type BacktestMarket, backtestMarketOf } from '../../../src/app/backtest.ts';
import { dayToMs } from '../../../src/domain/time.ts';

const DATA = fileURLToPath(new URL('../../../data/', import.meta.url));

/** `loadDataset(data/)` as a backtest market over the UTC days `fromDay`..`toDay` (YYYY-MM-DD, inclusive). */
export async function bundledMarket(fromDay: string, toDay: string): Promise<BacktestMarket> {
  return backtestMarketOf(await loadDataset(DATA), { fromMs: dayToMs(fromDay), toMs: dayToMs(toDay) });
}
