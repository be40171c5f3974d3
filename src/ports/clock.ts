/** Wall clock, injected so that the domain and tests never read the system time directly. */
export interface Clock {
  /** Current time, UTC ms. */
  now(): number;
}

/** The system clock. */
export const systemClock: Clock = { now: () => Date.now() };
