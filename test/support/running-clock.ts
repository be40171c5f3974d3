/** An exchange clock for the emulator that runs in real time from a start the test sets. */
import { dayToMs } from '../../src/domain/time.ts';

/** A running clock: `now()` = the start + the real time elapsed since it was set. */
export interface RunningClock {
  /** UTC ms. */
  now(): number;
  /** Restarts the clock at `msIntoDay` ms after 00:00 UTC of `day` (YYYY-MM-DD). */
  set(day: string, msIntoDay: number): void;
}

/**
 * A clock starting now at `msIntoDay` ms into `day` (or at 0 until {@link RunningClock.set}). It must
 * advance in real time where the emulator counts request weight per minute window.
 */
export function runningClock(day?: string, msIntoDay = 0): RunningClock {
  let base = day === undefined ? 0 : dayToMs(day) + msIntoDay;
  let t0 = Date.now();
  return {
    now: () => base + (Date.now() - t0),
    set(d, ms) {
      base = dayToMs(d) + ms;
      t0 = Date.now();
    },
  };
}
