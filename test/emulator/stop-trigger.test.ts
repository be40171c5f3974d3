/**
 * The trigger rules of resting STOP_LOSS / TAKE_PROFIT orders (src/emulator/stop-trigger.ts), pure:
 * faqs/trailing-stop-faq.md scenarios A and B (the market-order variants: STOP_LOSS instead of
 * STOP_LOSS_LIMIT triggers on the same condition), a gap through a stop (traded at the price jumped
 * to), a level crossed inside a move (traded at the level, time interpolated), and the candle path.
 * Expected values by hand from the FAQ's numbers.
 */
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/decimal.ts';
import {
  initialState,
  intrabarPath,
  jump,
  move,
  type StopSpec,
  type Trigger,
} from '../../src/emulator/stop-trigger.ts';

/** Runs a sequence of linear moves through `prices` (times 0, 1000, 2000…) until a trigger. */
function walk(spec: StopSpec, prices: string[]): { trigger: Trigger | null; step: number } {
  const st = initialState(spec, dec(prices[0] as string));
  for (let i = 1; i < prices.length; i++) {
    const hit = move(
      spec,
      st,
      dec(prices[i - 1] as string),
      dec(prices[i] as string),
      (i - 1) * 1000,
      i * 1000,
    );
    if (hit) return { trigger: hit, step: i };
  }
  return { trigger: null, step: -1 };
}

const tick = dec('0.01');

/** A STOP_LOSS of `side` at `stopPrice` with `trailingDelta` (bps), tickSize 0.01. */
const trailingStopLoss = (side: StopSpec['side'], stopPrice: number, trailingDelta: number): StopSpec => ({
  type: 'STOP_LOSS',
  side,
  stopPrice: dec(stopPrice),
  trailingDelta,
  tickSize: tick,
});

describe('stop triggers', () => {
  it('FAQ scenario B: STOP_LOSS SELL stopPrice 39000, trailingDelta 1000 fires at 36900 = 41000 × 0.90', () => {
    const spec = trailingStopLoss('SELL', 39000, 1000);
    // 40000 → 41500 (not tracking yet) → 37000 (tracks from 39000: level 35100, not reached) → 41000
    // (new high) → 36900 (= 41000 × 0.9: fires).
    const r = walk(spec, ['40000', '41500', '37000', '41000', '36900']);
    expect(r.step).toBe(4);
    expect(r.trigger?.price.toFixed(2)).toBe('36900.00');
    expect(r.trigger?.time).toBe(4000); // reached at the end of the last move
    // Stops short of it (36901): no trigger.
    expect(walk(spec, ['40000', '41500', '37000', '41000', '36901']).trigger).toBeNull();
  });

  it('FAQ scenario A: STOP_LOSS BUY stopPrice 44000, trailingDelta 500 fires at 44100 = 42000 × 1.05', () => {
    const spec = trailingStopLoss('BUY', 44000, 500);
    // 40000 → 37000 (ignored: not tracking) → 45000 (tracks from 44000; level 46200) → 46000 (below the
    // level) → 42000 (new low) → 44100 (fires).
    const r = walk(spec, ['40000', '37000', '45000', '46000', '42000', '44100']);
    expect(r.step).toBe(5);
    expect(r.trigger?.price.toFixed(2)).toBe('44100.00');
  });

  it('a fixed STOP_LOSS SELL crossed inside a move trades at the stop, at the interpolated time', () => {
    const spec: StopSpec = { type: 'STOP_LOSS', side: 'SELL', stopPrice: dec(100), tickSize: tick };
    const st = initialState(spec, dec(105));
    // 105 at t=0 → 90 at t=1500: 100 is passed a third of the way, t = 500.
    expect(move(spec, st, dec(105), dec(90), 0, 1500)).toEqual({ price: dec(100), time: 500 });
  });

  it('a gap through the stop (a candle opening below it) trades at the open', () => {
    const spec: StopSpec = { type: 'STOP_LOSS', side: 'SELL', stopPrice: dec(100), tickSize: tick };
    const st = initialState(spec, dec(105));
    expect(jump(spec, st, dec(101), 10)).toBeNull();
    expect(jump(spec, st, dec(95), 20)).toEqual({ price: dec(95), time: 20 });
  });

  it('TAKE_PROFIT BUY triggers at price ≤ stop; TAKE_PROFIT SELL at price ≥ stop', () => {
    const buy: StopSpec = { type: 'TAKE_PROFIT', side: 'BUY', stopPrice: dec(100), tickSize: tick };
    expect(walk(buy, ['110', '104', '99']).trigger?.price.toFixed(2)).toBe('100.00');
    expect(walk(buy, ['110', '104', '101']).trigger).toBeNull();
    const sell: StopSpec = { type: 'TAKE_PROFIT', side: 'SELL', stopPrice: dec(100), tickSize: tick };
    expect(walk(sell, ['90', '99', '100']).trigger?.price.toFixed(2)).toBe('100.00');
    expect(walk(sell, ['90', '120']).trigger?.time).toBe(333); // (100 − 90) / (120 − 90) of 1000 ms
  });

  it('a trailing BUY level is traded at the tick above it', () => {
    // Lowest 100.003 (tracked from the placement price); level 100.003 × 1.001 = 100.103003 → 100.11.
    const spec: StopSpec = { type: 'STOP_LOSS', side: 'BUY', trailingDelta: 10, tickSize: tick };
    expect(walk(spec, ['100.003', '101']).trigger?.price.toFixed(8)).toBe('100.11000000');
  });

  it('the candle path: rising o → l → h → c, falling o → h → l → c, at +1/3, +2/3 and the last ms', () => {
    const bar = { openTime: 0, len: 3_600_000, open: dec(10), high: dec(12), low: dec(9), close: dec(11) };
    expect(intrabarPath(bar).map((p) => [p.price.toNumber(), p.time])).toEqual([
      [9, 1_200_000],
      [12, 2_400_000],
      [11, 3_599_999],
    ]);
    expect(intrabarPath({ ...bar, close: dec('9.5') }).map((p) => p.price.toNumber())).toEqual([12, 9, 9.5]);
  });
});
