import { describe, expect, it } from 'vitest';
import {
  buysAllowed,
  type HaltEvent,
  type HaltState,
  nextHaltState,
  RUNNING,
} from '../../../../src/domain/risk/halt.ts';

const t0 = Date.UTC(2021, 4, 10, 13);
const risk = (dailyLoss: boolean, drawdown: boolean, atMs = t0): HaltEvent => ({
  type: 'risk',
  dailyLoss,
  drawdown,
  atMs,
});
const walk = (events: HaltEvent[], from: HaltState = RUNNING) => events.reduce(nextHaltState, from);

describe('the halt state machine (strategy-semantics §10 "Portfolio risk", issue 10 item 5)', () => {
  it('running allows buys; a quiet hour changes nothing', () => {
    expect(buysAllowed(RUNNING)).toBe(true);
    expect(nextHaltState(RUNNING, risk(false, false))).toBe(RUNNING);
  });

  it('a daily loss stops buying until the next decision day’s rebalance, which lifts it', () => {
    const stopped = nextHaltState(RUNNING, risk(true, false));
    expect(stopped).toEqual({ status: 'daily_loss_stop', sinceMs: t0 });
    expect(buysAllowed(stopped)).toBe(false);
    // a second daily loss the same day keeps the first time
    expect(nextHaltState(stopped, risk(true, false, t0 + 3_600_000))).toEqual(stopped);
    const lifted = nextHaltState(stopped, { type: 'rebalance', atMs: t0 + 11 * 3_600_000 });
    expect(lifted).toEqual(RUNNING);
    expect(buysAllowed(lifted)).toBe(true);
  });

  it('a daily-loss stop set after the decision time (a forced re-run that day) waits for the next decision day', () => {
    // stop at t0 = 2021-05-10 13:00; the rebalance of 2021-05-10 (00:00) is earlier: the stop stays;
    // the rebalance of 2021-05-11 00:00 lifts it (§10: "no BUY until the next decision day's rebalance").
    const stopped = nextHaltState(RUNNING, risk(true, false));
    expect(nextHaltState(stopped, { type: 'rebalance', atMs: Date.UTC(2021, 4, 10) })).toEqual(stopped);
    expect(nextHaltState(stopped, { type: 'rebalance', atMs: Date.UTC(2021, 4, 11) })).toEqual(RUNNING);
    // a stop set at the close of 23:00 (= the next day's 00:00) is lifted by that day's rebalance
    const atMidnight = nextHaltState(RUNNING, risk(true, false, Date.UTC(2021, 4, 11)));
    expect(nextHaltState(atMidnight, { type: 'rebalance', atMs: Date.UTC(2021, 4, 11) })).toEqual(RUNNING);
  });

  it('a drawdown halts; rebalances do not lift it; an operator reset does', () => {
    const halted = nextHaltState(RUNNING, risk(false, true));
    expect(halted).toEqual({ status: 'halted', sinceMs: t0, reason: 'max_drawdown' });
    expect(
      walk(
        [
          { type: 'rebalance', atMs: t0 + 1 },
          { type: 'rebalance', atMs: t0 + 2 },
        ],
        halted,
      ),
    ).toEqual(halted);
    expect(buysAllowed(halted)).toBe(false);
    expect(nextHaltState(halted, { type: 'operator_reset', atMs: t0 + 3 })).toEqual(RUNNING);
  });

  it('both firing in one hour sets the halt; a later daily loss does not downgrade it', () => {
    const both = nextHaltState(RUNNING, risk(true, true));
    expect(both.status).toBe('halted');
    expect(nextHaltState(both, risk(true, false, t0 + 5))).toEqual(both);
  });

  it('a drawdown during a daily-loss stop escalates to halted; a reset clears a daily-loss stop too', () => {
    const s = walk([risk(true, false), risk(false, true, t0 + 7)]);
    expect(s).toEqual({ status: 'halted', sinceMs: t0 + 7, reason: 'max_drawdown' });
    expect(walk([risk(true, false), { type: 'operator_reset', atMs: t0 + 9 }])).toEqual(RUNNING);
  });
});
