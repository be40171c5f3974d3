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

/**
 * Automated IP bans (rest-api.md "IP Limits": "Repeatedly violating rate limits and/or failing to back off
 * after receiving 429s will result in an automated IP ban (HTTP status 418)"; "IP bans are tracked and
 * scale in duration for repeat offenders, from 2 minutes to 3 days"). An IP that is answered 429 more than
 * `tolerated` times within one window of `windowMs` is banned for 2 minutes; each later ban of the same IP
 * lasts twice as long as the one before, at most 3 days.
 */
export class IpBans {
  /** The first ban's length, ms. */
  static readonly FIRST_BAN_MS = 2 * 60_000;
  /** The longest ban, ms. */
  static readonly MAX_BAN_MS = 3 * 86_400_000;
  private readonly rejected: WindowCounter;
  private readonly bans = new Map<string, { until: number; count: number }>();

  /**
   * @param tolerated 429 answers an IP may get within one window before it is banned.
   * @param windowMs the window (the REQUEST_WEIGHT minute).
   */
  constructor(
    readonly tolerated: number,
    windowMs: number,
  ) {
    this.rejected = new WindowCounter(windowMs);
  }

  /** The end of the ban of `ip` (UTC ms) when it is banned at `now`, else null. */
  bannedUntil(ip: string, now: number): number | null {
    const b = this.bans.get(ip);
    return b && now < b.until ? b.until : null;
  }

  /** Records a 429 answered to `ip` at `now`; bans the IP when that was one too many. */
  rejectedOnce(ip: string, now: number): void {
    if (this.rejected.add(ip, 1, now) <= this.tolerated) return;
    const count = (this.bans.get(ip)?.count ?? 0) + 1;
    const length = Math.min(IpBans.MAX_BAN_MS, IpBans.FIRST_BAN_MS * 2 ** (count - 1));
    this.bans.set(ip, { until: now + length, count });
  }
}
