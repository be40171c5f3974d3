/**
 * Fixed-window counters for Binance's rate limiters (rest-api.md "LIMITS"; enums.md "Rate limiters"):
 * REQUEST_WEIGHT per IP per 1 MINUTE (the window resets at the start of each minute of the emulator
 * clock) and ORDERS per account per 10 SECOND and per 1 DAY.
 */

/** Counts per key within fixed windows of `windowMs` aligned to the epoch (UTC). */
export class WindowCounter {
  private readonly counts = new Map<string, { window: number; count: number }>();

  /** @param windowMs window length, ms (60 000 for 1 MINUTE). */
  constructor(readonly windowMs: number) {}

  /** Adds `n` for `key` in the window containing `now` (UTC ms) and returns the window's total. */
  add(key: string, n: number, now: number): number {
    const window = Math.floor(now / this.windowMs);
    const e = this.counts.get(key);
    if (!e || e.window !== window) {
      if (this.counts.size > 10_000) this.prune(window);
      this.counts.set(key, { window, count: n });
      return n;
    }
    e.count += n;
    return e.count;
  }

  /** The total of `key` in the window containing `now`. */
  used(key: string, now: number): number {
    const e = this.counts.get(key);
    return e && e.window === Math.floor(now / this.windowMs) ? e.count : 0;
  }

  /** Whole seconds until the window containing `now` ends (at least 1): the `Retry-After` value. */
  retryAfterSec(now: number): number {
    const end = (Math.floor(now / this.windowMs) + 1) * this.windowMs;
    return Math.max(1, Math.ceil((end - now) / 1000));
  }

  /** Forgets every count (all keys). */
  clear(): void {
    this.counts.clear();
  }

  private prune(window: number): void {
    for (const [k, e] of this.counts) if (e.window !== window) this.counts.delete(k);
  }
}
