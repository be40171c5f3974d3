/** Builders for hand-made candle series in tests. */

import { DAY_MS, dayToMs } from '../../src/domain/time.ts';
import type { Candle } from '../../src/domain/types.ts';

/**
 * Daily candles starting at `firstDay`, one per entry; `null` entries are missing days.
 * Each entry is `[open, close]` or `[open, close, quoteVolume]`.
 */
export function series(
  firstDay: string,
  rows: ReadonlyArray<readonly [string, string, string?] | null>,
): Candle[] {
  const t0 = dayToMs(firstDay);
  const out: Candle[] = [];
  rows.forEach((r, i) => {
    if (!r) return;
    const [open, close, qv] = r;
    out.push({
      openTime: t0 + i * DAY_MS,
      open,
      high: open > close ? open : close,
      low: open < close ? open : close,
      close,
      volume: '1',
      quoteVolume: qv ?? null,
      trades: null,
    });
  });
  return out;
}
