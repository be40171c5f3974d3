/** Parser of the CoinMarketCap monthly top-200 file (shared/data/SOURCES.md §4). */
import type { MarketCapObservation } from '../../ports/market-caps.ts';
import { DataError } from './data-error.ts';
import { splitLines } from './data-files.ts';

/** File name of the CMC top-200 snapshots under `<dir>/marketcap/` (optionally `.gz`). */
export const CMC_TOP200_FILE = 'cmc_monthly_top200_2020-01_to_2025-10.csv';

/** Its header (fixed; the file has no quoted fields). */
export const CMC_HEADER =
  'Rank,Name,Symbol,Market Cap,Price,Circulating Supply,Volume (24h),% 1h,% 24h,% 7d,snapshot_date';

const DATE_RE = /^(\d{4})(\d{2})(\d{2})$/;

function rowError(file: string, line: number, what: string): DataError {
  return new DataError(file, `line ${line}: ${what}`);
}

/**
 * Parses the CMC top-200 CSV into one observation per row: `ticker` = column `Symbol` (a CMC symbol),
 * `capUsd` = `Market Cap` (USD, float), `snapshotMs` = `snapshot_date` (YYYYMMDD) at 00:00 UTC in ms.
 * Duplicate tickers within a snapshot are kept (the consumer takes the larger cap, §4 filter 7).
 * @throws DataError on a wrong header, a row without 11 fields, an empty ticker, a non-numeric
 *   `Market Cap` or an invalid `snapshot_date`.
 */
export function parseCmcTop200Csv(text: string, file: string): MarketCapObservation[] {
  const lines = splitLines(text);
  const header = lines[0];
  if (header !== CMC_HEADER) {
    throw new DataError(
      file,
      `wrong header: expected "${CMC_HEADER}", got ${header === undefined ? 'an empty file' : JSON.stringify(header.slice(0, 200))}`,
    );
  }
  const out: MarketCapObservation[] = [];
  const dayCache = new Map<string, number>();
  const commas = new Int32Array(10);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    // Field boundaries without splitting (only 3 of the 11 fields are needed).
    let k = 0;
    for (let c = line.indexOf(','); c >= 0; c = line.indexOf(',', c + 1)) {
      if (k === 10)
        throw rowError(file, i + 1, `expected 11 fields, got more: ${JSON.stringify(line.slice(0, 200))}`);
      commas[k++] = c;
    }
    if (k !== 10) throw rowError(file, i + 1, `expected 11 fields, got ${k + 1}`);
    const ticker = line.slice((commas[1] as number) + 1, commas[2]);
    if (ticker === '') throw rowError(file, i + 1, 'empty Symbol');
    const capText = line.slice((commas[2] as number) + 1, commas[3]);
    const capUsd = +capText;
    if (capText === '' || !Number.isFinite(capUsd)) {
      throw rowError(file, i + 1, `Market Cap ${JSON.stringify(capText)} is not a number`);
    }
    const date = line.slice((commas[9] as number) + 1);
    let snapshotMs = dayCache.get(date);
    if (snapshotMs === undefined) {
      const m = DATE_RE.exec(date);
      const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
      if (!m || new Date(ms).toISOString().slice(0, 10) !== `${m[1]}-${m[2]}-${m[3]}`) {
        throw rowError(file, i + 1, `snapshot_date ${JSON.stringify(date)} is not a YYYYMMDD date`);
      }
      snapshotMs = ms;
      dayCache.set(date, ms);
    }
    out.push({ ticker, capUsd, snapshotMs });
  }
  return out;
}
