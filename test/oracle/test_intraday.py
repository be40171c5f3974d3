"""Hand-made scenarios for the oracle's §10-§11 reading (intraday.py), with hand-computed expectations.
Run: python3 -m unittest discover -s test/oracle -p "test_*.py"   (from the repository root; stdlib only)

Every scenario: one symbol AAAUSDT (no exchangeInfo in the tiny data dir, so §6's defaults: step 0 = 8 dp,
minQty 0, minNotional 10), initial 1000 USDT, fee 0, lookback 1, min-age 0, top-n 1, decision day
2021-01-03 (D). The rebalance buys Q = 1000 at open(D) = 100 -> q = 10, C = 1000, e = 100, P = 100.
Hourly candles are given as (hour of D, open, high, low, close); day D-1 (2021-01-02) has two flat hourly
candles at 22:00 and 23:00 (needed by §4 row 9, no_intraday_data)."""
import io
import json
import os
import sys
import tempfile
import unittest
from contextlib import redirect_stderr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import backtest  # noqa: E402

DAY = 86400000
HOUR = 3600000
D1 = 18628  # 2021-01-01 as a day number
D3 = D1 + 2  # decision day 2021-01-03


def t_of(day, hour=0):
    return day * DAY + hour * HOUR


def exit_at(hour, reason, level, price):
    """The oracle's exit record for the whole holding of the scenarios (10 AAA) at `hour` of D."""
    return {"time": t_of(D3, hour), "symbol": "AAAUSDT", "reason": reason, "level": level, "quantity": "10",
            "price": price}


def write_csv(path, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("open_time_ms,open,high,low,close,volume,quote_volume,trades\n")
        for r in rows:
            f.write(",".join(str(x) for x in r) + ",1,,\n")


def make_data(tmp, hours_d3, daily=None, prev_hours=None, symbol="AAAUSDT", extra_hours=None):
    """Daily candles 2021-01-01..01-04 (flat at 100 unless `daily`), hourly candles: D-1 22:00/23:00 flat at
    100 (or `prev_hours`), then `hours_d3` on D, then `extra_hours` [(day, hour, o, h, l, c)]."""
    daily = daily or [(D1 + k, 100, 100, 100, 100) for k in range(4)]
    write_csv(os.path.join(tmp, "binance", "klines-1d", symbol + ".csv"),
              [(d * DAY, o, h, lo, c) for d, o, h, lo, c in daily])
    prev_hours = prev_hours or [(22, 100, 100, 100, 100), (23, 100, 100, 100, 100)]
    rows = [(t_of(D3 - 1, hr), o, h, lo, c) for hr, o, h, lo, c in prev_hours]
    rows += [(t_of(D3, hr), o, h, lo, c) for hr, o, h, lo, c in hours_d3]
    rows += [(t_of(d, hr), o, h, lo, c) for d, hr, o, h, lo, c in (extra_hours or [])]
    if rows:
        write_csv(os.path.join(tmp, "binance", "klines-1h", symbol + ".csv"), rows)


def run(tmp, *flags, to="2021-01-03"):
    out = os.path.join(tmp, "out.json")
    argv = ["--data", tmp, "--from", "2021-01-03", "--to", to, "--lookback", "1", "--min-age", "0",
            "--top-n", "1", "--fee", "0", "--initial", "1000", "--no-benchmarks", "--out", out] + list(flags)
    with redirect_stderr(io.StringIO()):
        backtest.main(argv)
    with open(out) as f:
        return json.load(f)


class IntradayScenarios(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def test_gap_through_the_stop_fills_at_the_open(self):
        # F = 100 * (1 - 0.1) = 90. Bar 00:00 stays above (low 95). Bar 01:00 opens at 85 <= 90: §10 step 1,
        # x = open = 85. Cash 10 * 85 = 850; equity at the daily close = 850 (no holding).
        make_data(self.tmp, [(0, 100, 101, 95, 100), (1, 85, 86, 80, 82), (2, 82, 83, 81, 82)])
        o = run(self.tmp, "--stop-loss", "0.1")
        self.assertEqual(o["exits"], [exit_at(1, "stop_loss", "90", "85")])
        self.assertEqual(o["equity"][-1]["equity"], 850.0)
        self.assertIsNone(o["halted_at"])

    def test_stop_and_take_profit_in_one_bar_the_stop_wins(self):
        # F = 90, T = 100 * 1.2 = 120. Bar 00:00: open 100 (neither gap), low 88 <= 90 and high 125 >= 120:
        # step 3 comes before step 4, x = S = 90.
        make_data(self.tmp, [(0, 100, 125, 88, 110)])
        o = run(self.tmp, "--stop-loss", "0.1", "--take-profit", "0.2")
        self.assertEqual(o["exits"], [exit_at(0, "stop_loss", "90", "90")])
        self.assertEqual(o["equity"][-1]["equity"], 900.0)

    def test_take_profit_gap_fills_at_the_open(self):
        # T = 120; bar 01:00 opens at 130 >= 120: step 2, x = 130 (not 120).
        make_data(self.tmp, [(0, 100, 110, 99, 105), (1, 130, 131, 129, 130)])
        o = run(self.tmp, "--take-profit", "0.2")
        self.assertEqual([(e["reason"], e["level"], e["price"], e["time"]) for e in o["exits"]],
                         [("take_profit", "120", "130", t_of(D3, 1))])

    def test_trailing_stop_activates_only_above_the_activation(self):
        # trailing 0.1, activation 0.2: active when P >= 120.
        # 00:00 (P=100, inactive) -> P = 115. 01:00 (P=115 < 120, inactive; R would be 103.5 and low 100 would
        # have hit it) -> P = 119. 02:00 (P=119 inactive) -> P = 125. 03:00: P = 125 >= 120, R = 112.5,
        # low 112 <= 112.5 -> exit at 112.5, reason trailing_stop (no fixed stop). Cash 1125.
        make_data(self.tmp, [(0, 100, 115, 95, 110), (1, 110, 119, 100, 105), (2, 110, 125, 108, 120),
                             (3, 120, 121, 112, 113)])
        o = run(self.tmp, "--trailing-stop", "0.1", "--trailing-activation", "0.2")
        self.assertEqual(o["exits"], [exit_at(3, "trailing_stop", "112.5", "112.5")])
        self.assertEqual(o["equity"][-1]["equity"], 1125.0)

    def test_trailing_above_fixed_stop_names_the_reason(self):
        # stop 0.1 (F = 90), trailing 0.1 no activation (R = P * 0.9). 00:00: R = 90 = F -> not R > F, no
        # hit (low 95); P -> 110. 01:00: R = 99 > F = 90, low 98 <= 99 -> trailing_stop at 99.
        make_data(self.tmp, [(0, 100, 110, 95, 105), (1, 105, 106, 98, 100)])
        o = run(self.tmp, "--stop-loss", "0.1", "--trailing-stop", "0.1")
        self.assertEqual([(e["reason"], e["level"], e["price"]) for e in o["exits"]],
                         [("trailing_stop", "99", "99")])

    def test_breakout_signal_exits_at_the_next_open(self):
        # exit_breakout_bars 2. Lows of D-1 22:00/23:00: 98, 97. 00:00: close 100 vs min(98, 97) -> no.
        # 01:00: close 96 < min(97 (23:00), 99 (00:00)) = 97 -> signal at its close; SELL at the 02:00
        # open 95.5, reason signal, no level. Cash 955.
        make_data(self.tmp, [(0, 100, 101, 99, 100), (1, 100, 100, 95, 96), (2, 95.5, 97, 95, 96)],
                  prev_hours=[(22, 100, 100, 98, 100), (23, 100, 100, 97, 100)])
        o = run(self.tmp, "--exit-signal", "breakout", "--exit-breakout-bars", "2")
        self.assertEqual(o["exits"], [exit_at(2, "signal", None, "95.5")])
        self.assertEqual(o["equity"][-1]["equity"], 955.0)

    def test_sma_cross_needs_a_cross_not_just_below(self):
        # fast 1, slow 2: SMA1 < SMA2 <=> c(t) < c(t-1). Closes: 101 (D-1 22:00), 100 (23:00: a cross, but
        # no position yet), 99 (00:00: below, and below at 23:00 too -> no cross), 100 (01:00: above),
        # 100 (02:00: exact tie SMA1 = SMA2 = 100, not below), 98 (03:00: below, not below at 02:00 -> cross
        # at 03:00's close). SELL at the 04:00 open 97, reason signal.
        make_data(self.tmp, [(0, 100, 100, 99, 99), (1, 99, 100, 99, 100), (2, 100, 100, 100, 100),
                             (3, 100, 100, 98, 98), (4, 97, 98, 96, 97)],
                  prev_hours=[(22, 101, 101, 101, 101), (23, 100, 100, 100, 100)])
        o = run(self.tmp, "--exit-signal", "sma_cross", "--exit-sma-fast", "1", "--exit-sma-slow", "2")
        self.assertEqual([(e["reason"], e["time"], e["price"], e["level"]) for e in o["exits"]],
                         [("signal", t_of(D3, 4), "97", None)])

    def test_trailing_equal_to_fixed_stop_is_named_stop_loss(self):
        # stop 0.1 and trailing 0.1 without activation: at the first bar P = e = 100, R = F = 90; R > F is
        # false -> reason stop_loss. Low 89 <= 90 -> exit at 90.
        make_data(self.tmp, [(0, 100, 100, 89, 95)])
        o = run(self.tmp, "--stop-loss", "0.1", "--trailing-stop", "0.1")
        self.assertEqual([(e["reason"], e["level"], e["price"]) for e in o["exits"]], [("stop_loss", "90", "90")])

    def test_a_rebalance_cancels_the_pending_signal(self):
        # sma_cross fast 1 slow 2 fires at the close of D 23:00 (close 99 < 100, and 100 >= 100 before). Its
        # next bar is D+1 00:00, but D+1 is a decision day: the rebalance cancels the pending exit, so there
        # is no `signal` exit. Delta mode, so the rebalance itself does not trade: V = 10 * 100 = T = 1000.
        # The bar D+1 00:00 (flat 100) is evaluated: 100 < 99 is false, no new signal.
        hours = [(hr, 100, 100, 100, 100) for hr in range(23)] + [(23, 100, 100, 99, 99)]
        make_data(self.tmp, hours, extra_hours=[(D3 + 1, 0, 100, 100, 100, 100)])
        o = run(self.tmp, "--exit-signal", "sma_cross", "--exit-sma-fast", "1", "--exit-sma-slow", "2",
                "--mode", "delta", to="2021-01-04")
        self.assertEqual(o["exits"], [])
        self.assertEqual([t["side"] for t in o["trades"]], ["BUY"])

    def test_daily_loss_sells_at_the_next_open(self):
        # max_daily_loss 0.05, E(D-1) = initial 1000 -> threshold 950. 00:00 closes at 94: E_H = 10 * 94 =
        # 940 <= 950 -> daily_loss pending; SELL at the 01:00 open 93 -> cash 930. Not halted.
        make_data(self.tmp, [(0, 100, 100, 94, 94), (1, 93, 95, 92, 94)])
        o = run(self.tmp, "--max-daily-loss", "0.05")
        self.assertEqual(o["exits"], [exit_at(1, "daily_loss", None, "93")])
        self.assertIsNone(o["halted_at"])
        self.assertEqual(o["equity"][-1]["equity"], 930.0)

    def _mark_scenario(self, last_hour):
        # Daily candle of D closes at 90 (its close time D+1 00:00); hourly candles of D at 00:00 and
        # `last_hour`, all flat at 100; one hourly candle at D+1 05:00 (open 95). Decision day D only.
        daily = [(D1, 100, 100, 100, 100), (D1 + 1, 100, 100, 100, 100), (D3, 100, 100, 90, 90),
                 (D3 + 1, 90, 95, 90, 95)]
        make_data(self.tmp, [(0, 100, 100, 100, 100), (last_hour, 100, 100, 100, 100)], daily=daily,
                  extra_hours=[(D3 + 1, 5, 95, 95, 95, 95)])
        return run(self.tmp, "--max-daily-loss", "0.05", "--every", "2", to="2021-01-04")

    def test_mark_uses_the_daily_close_when_it_is_more_recent(self):
        # Last hourly candle of D at 22:00 (closes 23:00). At the close of hour 23:00 the daily candle of D
        # (closes D+1 00:00) is more recent: mark 90, E_H = 900 <= 1000 * 0.95 -> daily_loss pending; the
        # symbol's next bar is D+1 05:00: SELL 10 at 95.
        o = self._mark_scenario(22)
        self.assertEqual([(e["reason"], e["time"], e["price"]) for e in o["exits"]],
                         [("daily_loss", t_of(D3 + 1, 5), "95")])

    def test_mark_prefers_the_hourly_close_on_a_tie(self):
        # Hourly candle at 23:00 closes at D+1 00:00 like the daily one: hourly wins, mark 100, E_H = 1000
        # every hour of D. On D+1, E(D) = 900 (§9 daily close) -> threshold 855, marks stay 100 (hourly on
        # the tie) and 95: no check fires, no exit.
        o = self._mark_scenario(23)
        self.assertEqual(o["exits"], [])

    def test_drawdown_halts_and_the_next_rebalance_buys_nothing(self):
        # max_drawdown 0.1. 00:00 closes 110: E_H = 1100 = new peak. 01:00 closes 99: E_H = 990 <= 1100 * 0.9
        # = 990 -> max_drawdown, halted at the close of 01:00 (02:00). SELL at the 02:00 open 98 -> 980.
        # Decision day 2021-01-04: halted -> K = 0, no BUY; equity stays 980.
        make_data(self.tmp, [(0, 100, 110, 100, 110), (1, 110, 110, 98, 99), (2, 98, 99, 97, 98)],
                  extra_hours=[(D3 + 1, 0, 98, 99, 97, 98)])
        o = run(self.tmp, "--max-drawdown", "0.1", to="2021-01-04")
        self.assertEqual(o["exits"], [exit_at(2, "max_drawdown", None, "98")])
        self.assertEqual(o["halted_at"], t_of(D3, 2))
        self.assertEqual([t["side"] for t in o["trades"]], ["BUY", "SELL"])
        self.assertEqual([e["equity"] for e in o["equity"]], [1000.0, 980.0, 980.0])

    def test_fee_and_slippage_set_the_entry(self):
        # fee 0.001, slippage 10 bps: BUY p = 100.1, q = floor8(1000 / 100.1) = 9.99000999, holding
        # q * 0.999 = 9.98001998001, C = q * p = 999.999999999 -> e = C / h = 100.2002002002... The stop 0.5
        # is never hit; take_profit 0.01: T = e * 1.01 = 101.2022022022...; bar 00:00 high 102 -> x = T,
        # SELL p = T * 0.999, quantity floor8(h) = 9.98001998.
        from decimal import Decimal, getcontext
        getcontext().prec = 60
        make_data(self.tmp, [(0, 100, 102, 99, 101)])
        o = run(self.tmp, "--take-profit", "0.01", "--fee", "0.001", "--slippage-bps", "10")
        q = Decimal("9.99000999")
        h = q - q * Decimal("0.001")
        e = q * Decimal("100.1") / h
        T = e * Decimal("1.01")
        (x,) = o["exits"]
        self.assertEqual(x["quantity"], "9.98001998")
        self.assertEqual(Decimal(x["level"]), T)
        self.assertEqual(Decimal(x["price"]), T * Decimal("0.999"))

    def test_entry_filter_sma_trend_drops_a_downtrend(self):
        # entry sma_trend fast 1 slow 2: up <=> SMA1 > SMA2 <=> close(D-1) > close(D-2).
        # AAA: 100 -> 101 (up, r = +1 %); BBB: 100 -> 90 (down, r = -10 %). With --reversal BBB ranks first.
        daily_a = [(D1, 100, 100, 100, 100), (D1 + 1, 100, 101, 100, 101), (D1 + 2, 101, 101, 101, 101)]
        daily_b = [(D1, 100, 100, 100, 100), (D1 + 1, 100, 100, 90, 90), (D1 + 2, 90, 90, 90, 90)]
        make_data(self.tmp, [], daily=daily_a, prev_hours=[])
        make_data(self.tmp, [], daily=daily_b, prev_hours=[], symbol="BBBUSDT")
        # --reversal ranks BBB (r = -10 %) before AAA (r = +1 %); without the filter BBB is bought.
        o = run(self.tmp, "--reversal")
        self.assertEqual([t["symbol"] for t in o["trades"]], ["BBBUSDT"])
        self.assertNotIn("exits", o)
        o = run(self.tmp, "--reversal", "--entry-filter", "sma_trend", "--entry-sma-fast", "1",
                "--entry-sma-slow", "2")
        self.assertEqual([t["symbol"] for t in o["trades"]], ["AAAUSDT"])
        self.assertEqual(o["exits"], [])

    def test_entry_filter_breakout(self):
        # breakout N = 1: up when close(D-1) > high(D-2) and the segment has >= 1 candle before D-1.
        # AAA: high(01-01) = 100, close(01-02) = 101 -> up. BBB: high(01-01) = 105, close(01-02) = 102 -> not.
        daily_a = [(D1, 100, 100, 100, 100), (D1 + 1, 100, 101, 100, 101), (D1 + 2, 101, 101, 101, 101)]
        daily_b = [(D1, 100, 105, 100, 100), (D1 + 1, 100, 102, 100, 102), (D1 + 2, 102, 102, 102, 102)]
        make_data(self.tmp, [], daily=daily_a, prev_hours=[])
        make_data(self.tmp, [], daily=daily_b, prev_hours=[], symbol="BBBUSDT")
        o = run(self.tmp, "--entry-filter", "breakout", "--entry-breakout-days", "1")
        self.assertEqual([t["symbol"] for t in o["trades"]], ["AAAUSDT"])  # BBB (r = 2 %) would rank first

    def test_no_intraday_data_is_not_eligible_when_a_rule_is_on(self):
        # BBB ranks first (r = 10 %) but has no hourly file: with a rule on it is dropped (§4 row 9).
        daily_b = [(D1, 100, 100, 100, 100), (D1 + 1, 100, 110, 100, 110), (D1 + 2, 110, 110, 110, 110)]
        make_data(self.tmp, [(0, 100, 100, 100, 100)])
        write_csv(os.path.join(self.tmp, "binance", "klines-1d", "BBBUSDT.csv"),
                  [(d * DAY, o, h, lo, c) for d, o, h, lo, c in daily_b])
        self.assertEqual([t["symbol"] for t in run(self.tmp)["trades"]], ["BBBUSDT"])
        o = run(self.tmp, "--stop-loss", "0.5")
        self.assertEqual([t["symbol"] for t in o["trades"]], ["AAAUSDT"])


if __name__ == "__main__":
    unittest.main()
