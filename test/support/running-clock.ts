/** An exchange clock for the emulator that runs in real time from a start the test sets. */
import { dayToMs } from '../../src/domain/time.ts';

/** A running clock: `now()` = the start + the real time elapsed since it was set. */
export interface RunningClock {
  /** UTC ms. */
  now(): number;
  /** Restarts the clock at `msIntoDay` ms after 00:00 UTC of `day` (YYYY-MM-DD). */
  set(day: string, msIntoDay: number): void;
  /**
   * Like {@link set}, but the clock stands at that time until it is first read (the first request the
   * emulator serves), then runs: a test's window starts at the run's first request, however long the
   * run took to start on a loaded machine.
   */
  setAtFirstRead(day: string, msIntoDay: number): void;
}

/**
 * A clock starting now at `msIntoDay` ms into `day` (or at 0 until {@link RunningClock.set}). It must
 * advance in real time where the emulator counts request weight per minute window.
 */
export function runningClock(day?: string, msIntoDay = 0): RunningClock {
  let base = day === undefined ? 0 : dayToMs(day) + msIntoDay;
  let t0 = Date.now();
  let startOnRead = false;
  return {
    now: () => {
      if (startOnRead) {
        startOnRead = false;
        t0 = Date.now();
      }
      return base + (Date.now() - t0);
    },
    set(d, ms) {
      base = dayToMs(d) + ms;
      t0 = Date.now();
      startOnRead = false;
    },
    setAtFirstRead(d, ms) {
      base = dayToMs(d) + ms;
      startOnRead = true;
    },
  };
}
