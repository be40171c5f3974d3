/** The bundled real data (data/, see ../shared/data/SOURCES.md) as a backtest market, through the real loader. */
import { loadDataset } from '../../../src/adapters/data/bundled-dataset.ts';
import { type BacktestMarket, backtestMarketOf } from '../../../src/app/backtest.ts';
import { BUNDLED_DATA_DIR } from '../../../src/compose/settings.ts';
import { dayToMs } from '../../../src/domain/time.ts';

/** `loadDataset(data/)` as a backtest market over the UTC days `fromDay`..`toDay` (YYYY-MM-DD, inclusive). */
export async function bundledMarket(fromDay: string, toDay: string): Promise<BacktestMarket> {
  return backtestMarketOf(await loadDataset(BUNDLED_DATA_DIR), {
    fromMs: dayToMs(fromDay),
    toMs: dayToMs(toDay),
  });
}
