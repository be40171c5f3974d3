/**
 * The length of a Binance kline interval (rest-api.md "Kline/Candlestick chart intervals": m, h, d, w;
 * `1M` has no fixed length and is refused for the intraday pass).
 */

/**
 * @param interval e.g. `5m`, `1h`, `1d`.
 * @returns its length in ms.
 * @throws Error naming the interval when it has no fixed length.
 */
export function intervalMs(interval: string): number {
  const m = /^(\d+)([mhdw])$/.exec(interval);
  if (!m)
    throw new Error(`[intraday] interval ${JSON.stringify(interval)}: the intraday pass needs m, h, d or w`);
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as 'm' | 'h' | 'd' | 'w'];
  return Number(m[1]) * unit;
}
