/**
 * The end of a run command (rebalance, intraday): its result on stdout, its exit code (exit-codes.ts).
 */
import { exitCodeOfResult, type RunOutcome } from './exit-codes.ts';

/**
 * Writes `result` to stdout — one JSON line when `json` (the `--json` flag), else `format`'s report —
 * and returns the command's exit code ({@link exitCodeOfResult}).
 */
export function printOutcome<R extends RunOutcome>(
  result: R,
  json: boolean,
  format: (r: R) => string,
): number {
  process.stdout.write(json ? `${JSON.stringify(result)}\n` : `${format(result)}\n`);
  return exitCodeOfResult(result);
}
