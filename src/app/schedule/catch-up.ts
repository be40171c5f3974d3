/**
 * Catch-up of a missed slot (issue 11 item 1): a scheduler that starts after today's rebalance slot has
 * passed runs the rebalance at once; the period guard of the rebalance use case (already rebalanced →
 * `skipped`) keeps that idempotent. Pure: the schedule is given as a matcher.
 */
import { DAY_MS } from '../../domain/time.ts';

/** A schedule as a predicate: does it fire at this instant (whole seconds)? */
export type SlotMatcher = (date: Date) => boolean;

/**
 * The latest instant in `[start of nowMs's UTC day, nowMs]` at which `match` fires, searching minute by
 * minute backwards (at most 1440 minutes × the pattern's seconds), or `null` when no slot has passed
 * today. The UTC day, because the decision day is a UTC day (strategy-semantics.md); `match` applies the
 * schedule's own time zone.
 * @param seconds the seconds of a minute at which the pattern may fire (`[0]` for 5-field cron), ascending.
 */
export function lastSlotToday(match: SlotMatcher, nowMs: number, seconds: readonly number[]): Date | null {
  const dayStart = nowMs - (((nowMs % DAY_MS) + DAY_MS) % DAY_MS);
  const latestSecond = Math.floor(nowMs / 1000) * 1000;
  for (let minute = latestSecond - (latestSecond % 60_000); minute >= dayStart; minute -= 60_000) {
    for (let i = seconds.length - 1; i >= 0; i--) {
      const at = minute + (seconds[i] as number) * 1000;
      if (at > latestSecond) continue;
      const d = new Date(at);
      if (match(d)) return d;
    }
  }
  return null;
}
