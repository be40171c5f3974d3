/**
 * The error of the data adapters: a data directory or file that is missing, has the wrong layout or is
 * corrupt (bad gzip, wrong header, malformed or unsorted rows). Its message names the file and the problem.
 */
export class DataError extends Error {
  /** The file or directory the problem is about (as given to the loader, resolved). */
  readonly path: string;
  /** Process exit code for the CLI: 66 (EX_NOINPUT). */
  readonly exitCode = 66;

  /**
   * @param path the offending file or directory.
   * @param problem what is wrong with it; the message becomes `<path>: <problem>`.
   */
  constructor(path: string, problem: string, options?: { cause?: unknown }) {
    super(`${path}: ${problem}`, options);
    this.name = 'DataError';
    this.path = path;
  }
}

/** The directory layout the loader expects, for error messages. */
export const EXPECTED_LAYOUT =
  'expected layout: <dir>/binance/klines-1d/<SYMBOL>.csv[.gz], <dir>/binance/exchangeInfo.json[.gz] ' +
  '(+ optional exchangeInfo-YYYY-MM-DD.json[.gz], symbols.csv[.gz]), ' +
  '<dir>/marketcap/cmc_monthly_top200_2020-01_to_2025-10.csv[.gz] (optional) — e.g. the bundled data/ or ../shared/data';
