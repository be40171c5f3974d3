import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../../src/adapters/data/bundled-dataset.ts';
import { DAY_MS, dayToMs } from '../../../src/domain/time.ts';
import { evaluateUniverse, type UniverseParams } from '../../../src/domain/universe/eligibility.ts';

const DATA = fileURLToPath(new URL('../../../data/', import.meta.url));

describe('segment splits on the real data (strategy-semantics §2; shared/data/SOURCES.md quirks)', async () => {
  const ds = await loadDataset(DATA);

  it('COCOSUSDT: x1000 redenomination, last old candle 2021-01-19 (close 0.000695), new from 2021-01-23 (open 0.695)', async () => {
    const info = await ds.segmentInfo('COCOSUSDT');
    expect(info.splits).toEqual([
      expect.objectContaining({ dayMs: dayToMs('2021-01-23'), closeBefore: '0.000695', openAfter: '0.695' }),
    ]);
  });

  it('LUNAUSDT: Terra → Terra 2.0, new segment from 2022-05-31', async () => {
    const info = await ds.segmentInfo('LUNAUSDT');
    expect(info.splits.map((s) => s.dayMs)).toContain(dayToMs('2022-05-31'));
  });

  it('BTCUSDT has no split (maintenance gaps are not swaps)', async () => {
    expect((await ds.segmentInfo('BTCUSDT')).splits).toEqual([]);
  });

  it('windowed candles + segment info decide exactly as the whole series does (every symbol, several days)', async () => {
    const params: UniverseParams = {
      quoteAsset: 'USDT',
      lookbackDays: 7,
      minAgeDays: 30,
      minMarketCap: 0,
      minQuoteVolume: 1e6,
      exclude: [],
      include: [],
      tradingRule: 'history',
    };
    for (const day of ['2021-01-25', '2021-06-20', '2022-06-05', '2025-03-01']) {
      const D = dayToMs(day);
      const infos = ds.symbolList();
      const full = evaluateUniverse(
        D,
        infos.map((info) => ({ info, candles: ds.candlesBetween(info.symbol, 0, D) })),
        new Map(),
        params,
      );
      const windowed = evaluateUniverse(
        D,
        infos.map((info) => {
          const seg = ds.segmentInfoOf(info.symbol);
          return {
            info,
            candles: ds.candlesBetween(info.symbol, D - 8 * DAY_MS, D),
            splits: seg.splits,
            firstOpenTime: seg.firstOpenTime,
          };
        }),
        new Map(),
        params,
      );
      expect(windowed).toEqual(full);
    }
  });
});
