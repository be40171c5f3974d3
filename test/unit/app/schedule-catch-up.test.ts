/**
 * lastSlotToday (src/app/schedule/catch-up.ts): which slot of today (UTC) a starting scheduler catches up.
 * Expected instants are hand-computed from the matchers below.
 */
import { describe, expect, it } from 'vitest';
import { lastSlotToday } from '../../../src/app/schedule/catch-up.ts';

const at = (iso: string) => Date.parse(iso);
/** Daily at hh:mm:00 UTC. */
const daily = (h: number, m: number) => (d: Date) =>
  d.getUTCHours() === h && d.getUTCMinutes() === m && d.getUTCSeconds() === 0;

describe('lastSlotToday', () => {
  it('finds 00:05 when started at 08:00 the same UTC day', () => {
    expect(lastSlotToday(daily(0, 5), at('2026-12-03T08:00:00Z'), [0])?.toISOString()).toBe(
      '2026-12-03T00:05:00.000Z',
    );
  });
  it("is null before today's slot (yesterday's is not caught up: the decision day has moved on)", () => {
    expect(lastSlotToday(daily(0, 5), at('2026-12-03T00:04:59Z'), [0])).toBeNull();
  });
  it('counts a slot at the very second of the start, not one second later', () => {
    expect(lastSlotToday(daily(0, 5), at('2026-12-03T00:05:00.400Z'), [0])?.toISOString()).toBe(
      '2026-12-03T00:05:00.000Z',
    );
  });
  it('with seconds (6-field cron), the latest matching second not in the future', () => {
    const everyTen = (d: Date) => d.getUTCSeconds() % 10 === 0;
    const tens = [0, 10, 20, 30, 40, 50];
    expect(lastSlotToday(everyTen, at('2026-12-03T12:34:27Z'), tens)?.toISOString()).toBe(
      '2026-12-03T12:34:20.000Z',
    );
  });
});
