/**
 * "No period is traded twice in one UTC day" (issue 14 item 4), at the last moment it can be checked: the
 * orders of period D go to a real exchange only while the exchange's clock is still in UTC day D.
 *
 * The period is the exchange's UTC day when the run read exchangeInfo (`serverTime`); a run that started
 * at 23:59:59 of D and would send its orders after 00:00 of D+1 would trade period D on day D+1, and the
 * D+1 run of the same day would trade a second period on it. Such a run sends nothing and fails; the next
 * run trades D+1. The local clock plays no part: `exchangeNow` is the local clock plus the offset measured
 * from the exchange's server time (rest-api.md "Timing security"), and a local clock that disagrees with
 * the exchange near a day boundary is refused before this point (the kernel's `clock` guard).
 */
import { msToDay } from '../../domain/time.ts';

/** The exchange's UTC day ended before the orders of the run's period were sent (nothing was sent). */
export class PeriodEndedError extends Error {
  override readonly name = 'PeriodEndedError';
}

/**
 * @param period the run's period `YYYY-MM-DD` (the exchange's UTC day at the start of the run)
 * @param exchangeNowMs the exchange's clock now, UTC ms
 * @throws PeriodEndedError when `exchangeNowMs` is not in UTC day `period`
 */
export function checkPeriodStillCurrent(period: string, exchangeNowMs: number): void {
  const day = msToDay(exchangeNowMs);
  if (day === period) return;
  throw new PeriodEndedError(
    `period ${period}: the exchange's clock is now ${new Date(exchangeNowMs).toISOString()} (UTC day ${day}); the orders of ${period} were not sent, so that no UTC day trades two periods (issue 14.4). Run again: the next run trades period ${day}.`,
  );
}
