/** UTC day helpers. A day is `YYYY-MM-DD`; its start is 00:00 UTC in Unix ms. */

/** Milliseconds in one UTC day. */
export const DAY_MS = 86_400_000;

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses `YYYY-MM-DD` to the day's 00:00 UTC in ms. Throws on any other shape or an impossible date. */
export function dayToMs(day: string): number {
  const m = DAY_RE.exec(day);
  if (!m) throw new Error(`not a UTC day (YYYY-MM-DD): ${JSON.stringify(day)}`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (msToDay(ms) !== day) throw new Error(`not a calendar date: ${day}`);
  return ms;
}

/** Formats a UTC ms timestamp as the `YYYY-MM-DD` of its UTC day. */
export function msToDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Floors a UTC ms timestamp to 00:00 UTC of its day. */
export function startOfDayMs(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}
