"""Oracle for strategy-semantics.md §10 (intraday exits: stops, take-profit, exit signals, portfolio risk)
and §11 (entry filter). Standard library only, exact `decimal` (60 digits, set by backtest.py). Written from
the contract alone, without reading the project's src/ or test/ outside test/oracle/. Imported by
backtest.py when an intraday flag is given; the choices the contract left open are listed in README.md
("The choices §10–§11 left open")."""
import bisect
import csv
import os
from decimal import Decimal

from backtest import (DAY_MS, ONE, ZERO, QUOTE, Engine, date_of, dstr, floor_step, last_close,
                      open_text, exists)

HOUR_MS = 3600000


class Hourly:
    """One symbol's hourly candles: parallel lists sorted by open time (UTC ms), exact Decimal prices."""
    __slots__ = ("t", "open", "high", "low", "close", "pos", "days", "csum")

    def __init__(self):
        self.t, self.open, self.high, self.low, self.close = [], [], [], [], []


def load_hourly(data_dir, interval="1h"):
    """symbol -> Hourly, from `<data>/binance/klines-<interval>/<SYMBOL>.csv` (or .csv.gz). {} if no dir."""
    kdir = os.path.join(data_dir, "binance", "klines-" + interval)
    out = {}
    if not os.path.isdir(kdir):
        return out
    names = sorted({fn[: fn.index(".csv")] for fn in os.listdir(kdir) if fn.endswith((".csv", ".csv.gz"))})
    for name in names:
        h = Hourly()
        with open_text(os.path.join(kdir, name + ".csv")) as f:
            for r in csv.DictReader(f):
                h.t.append(int(r["open_time_ms"]))
                h.open.append(Decimal(r["open"]))
                h.high.append(Decimal(r["high"]))
                h.low.append(Decimal(r["low"]))
                h.close.append(Decimal(r["close"]))
        h.pos = {t: i for i, t in enumerate(h.t)}
        h.days = {t // DAY_MS for t in h.t}
        cs = [ZERO]
        acc = ZERO
        for c in h.close:
            acc += c
            cs.append(acc)
        h.csum = cs  # csum[k] = sum of the first k closes (exact)
        out[name] = h
    return out


def rule_on(cfg):
    """§10: an intraday rule is on when a risk level is > 0 or exit_signal is not none."""
    return (cfg.stop_loss > 0 or cfg.trailing_stop > 0 or cfg.take_profit > 0 or cfg.max_daily_loss > 0
            or cfg.max_drawdown > 0 or cfg.exit_signal != "none")


def trend_up(s, D, cfg):
    """§11 entry filter on daily candles up to D-1 (the candle at D-1 exists: not_trading passed)."""
    i = s.idx[D - 1]
    seg = s.seg[i]
    first = bisect.bisect_left(s.days, s.seg_first_day[seg])  # index of the segment's first candle
    if cfg.entry_filter == "sma_trend":
        f, sl = cfg.entry_sma_fast, cfg.entry_sma_slow
        if i - first + 1 < sl or i - first + 1 < f:
            return False
        sf = sum(s.close[i - f + 1:i + 1], ZERO)
        ss = sum(s.close[i - sl + 1:i + 1], ZERO)
        return sf * sl > ss * f  # SMA_f > SMA_s, exact
    # breakout
    N = cfg.entry_breakout_days
    if i - first < N:
        return False
    lo = bisect.bisect_left(s.days, D - 1 - N)
    hi = bisect.bisect_right(s.days, D - 2)
    if hi <= lo:
        return False
    return s.close[i] > max(s.high[lo:hi])


class IntradayEngine(Engine):
    """Engine with §10's daily timeline on hourly candles and §11's entry filter."""

    def __init__(self, syms, cfg, hourly, mcap=None, top_n=None, record=True):
        super().__init__(syms, cfg, mcap=mcap, top_n=top_n, record=record)
        self.hourly = hourly
        self.intraday = rule_on(cfg)
        self.cost = {}      # symbol -> C_s (quote)
        self.peak = {}      # symbol -> P_s
        self.pending = {}   # symbol -> reason of an exit that executes at the symbol's next bar open
        self.exits = []
        self.halted_at = None
        self.buy_blocked = False
        self.risk_peak = cfg.initial
        self.prev_eq = cfg.initial
        self._reb = None    # during a rebalance: (set of positions before the orders, set of whole sells filled)

    # ---- eligibility rows 8 and 9 (§4, §11) ----
    def eligibility(self, D):
        elig, reasons = super().eligibility(D)
        cfg = self.cfg
        keep = []
        for r, name in elig:
            s = self.syms[name]
            if cfg.entry_filter != "none" and not trend_up(s, D, cfg):
                reasons[name] = "no_trend"; continue
            if self.intraday:
                h = self.hourly.get(name)
                if h is None or (D - 1) not in h.days:
                    reasons[name] = "no_intraday_data"; continue
            keep.append((r, name))
        return keep, reasons

    # ---- position state ----
    def is_position(self, s, h, open_px):
        """§10: a SELL of the holding could execute at `open_px` (unslipped)."""
        q = floor_step(h, s.step)
        return q > 0 and q >= s.min_qty and q * open_px >= s.min_notional

    def _after_sell(self, name, h_before, q):
        c = self.cost.get(name)
        if c is not None:
            self.cost[name] = c - c * q / h_before
        if name not in self.hold:
            self.cost.pop(name, None)
            self.peak.pop(name, None)
            self.pending.pop(name, None)

    def sell(self, day, s, q_wanted):
        h_before = self.hold.get(s.name, ZERO)
        n0 = self.n_trades
        super().sell(day, s, q_wanted)
        if self.n_trades > n0:
            q = h_before - self.hold.get(s.name, ZERO)
            self._after_sell(s.name, h_before, q)
            if self._reb is not None and q_wanted == h_before:
                self._reb[1].add(s.name)

    def buy(self, day, s, Q):
        n0 = self.n_trades
        h_before = self.hold.get(s.name, ZERO)
        super().buy(day, s, Q)
        if self.n_trades > n0:
            p = s.open[s.idx[day]] * self.buy_mult
            h_after = self.hold[s.name]
            q = (h_after - h_before) / (ONE - self.cfg.fee)  # filled q: the holding grew by q - q*f (exact)
            self.cost[s.name] = self.cost.get(s.name, ZERO) + q * p
            opens = self._reb is None or s.name not in self._reb[0] or s.name in self._reb[1]
            if opens or s.name not in self.peak:
                self.peak[s.name] = self.cost[s.name] / h_after
            else:
                self.peak[s.name] = max(self.peak[s.name], p)

    def rebalance(self, D):
        self.pending = {}  # a rebalance cancels every pending exit
        self.buy_blocked = False
        before = set()
        for name, h in self.hold.items():
            s = self.syms[name]
            i = s.idx.get(D)
            if i is not None and self.is_position(s, h, s.open[i]):
                before.add(name)
        self._reb = (before, set())
        saved = self.top_n
        if self.halted_at is not None:
            self.top_n = 0  # halted: K = 0, sell what is left, buy nothing
        try:
            super().rebalance(D)
        finally:
            self.top_n = saved
            self._reb = None

    def apply_splits(self, t):
        for name in list(self.hold):
            sp = self.syms[name].splits.get(t)
            if sp is not None and name in self.peak:
                cb, oa = sp
                self.peak[name] = self.peak[name] * oa / cb
        super().apply_splits(t)
        for name in list(self.cost):
            if name not in self.hold:
                self.cost.pop(name, None)
                self.peak.pop(name, None)

    # ---- intraday SELL (§10 fill = §7 SELL of the whole holding at x * (1 - slippage)) ----
    def exit_sell(self, H, s, x, reason, level):
        h = self.hold[s.name]
        p = x * self.sell_mult
        q = floor_step(h, s.step)
        why = self._check(q, p, s)
        day = H // DAY_MS
        if why:
            if self.record:
                self.rejected.append({"date": date_of(day), "symbol": s.name, "side": "SELL", "reason": why,
                                      "time": H, "exit_reason": reason})
            return False
        gross, comm = self._sell_fill(s, h, q, p)
        self._after_sell(s.name, h, q)
        self._record_trade(day, s, "SELL", q, p, gross, comm, QUOTE)
        if self.record:
            self.exits.append({"time": H, "symbol": s.name, "reason": reason,
                               "level": None if level is None else dstr(level),
                               "quantity": dstr(q), "price": dstr(p)})
        return True

    def signal(self, h, i):
        """§10 exit signal at the close of hourly bar i (all the symbol's candles, gaps ignored)."""
        cfg = self.cfg
        if cfg.exit_signal == "sma_cross":
            f, sl = cfg.exit_sma_fast, cfg.exit_sma_slow
            if i + 1 < sl + 1 or i + 1 < f + 1:
                return False
            cs = h.csum

            def below(k):  # SMA_f(k) < SMA_s(k), exact
                return (cs[k + 1] - cs[k + 1 - f]) * sl < (cs[k + 1] - cs[k + 1 - sl]) * f
            return below(i) and not below(i - 1)
        if cfg.exit_signal == "breakout":
            B = cfg.exit_breakout_bars
            if i < B:
                return False
            return h.close[i] < min(h.low[i - B:i])
        return False

    def evaluate(self, H, s, h, i):
        """One bar of a position, §10 steps 1-6."""
        cfg = self.cfg
        name = s.name
        o, hi, lo = h.open[i], h.high[i], h.low[i]
        e = self.cost[name] / self.hold[name]
        P = self.peak[name]
        F = e * (ONE - cfg.stop_loss) if cfg.stop_loss > 0 else None
        R = None
        if cfg.trailing_stop > 0 and P >= e * (ONE + cfg.trailing_activation):
            R = P * (ONE - cfg.trailing_stop)
        if F is None and R is None:
            S, s_reason = None, None
        elif R is not None and (F is None or R > F):
            S, s_reason = R, "trailing_stop"
        else:
            S, s_reason = F, "stop_loss"
        T = e * (ONE + cfg.take_profit) if cfg.take_profit > 0 else None
        fire = None
        if S is not None and o <= S:
            fire = (o, s_reason, S)
        elif T is not None and o >= T:
            fire = (o, "take_profit", T)
        elif S is not None and lo <= S:
            fire = (S, s_reason, S)
        elif T is not None and hi >= T:
            fire = (T, "take_profit", T)
        if fire is not None:
            self.exit_sell(H, s, fire[0], fire[1], fire[2])
            return  # filled or rejected: P unchanged
        if self.signal(h, i):
            self.pending[name] = "signal"
            return
        if hi > P:
            self.peak[name] = hi

    def mark(self, name, H):
        """§10: close of the most recent candle (hourly, or daily if more recent; hourly on a tie) closed by H+1h."""
        s = self.syms[name]
        end = H + HOUR_MS
        h = self.hourly.get(name)
        hc = hct = None
        if h is not None:
            k = bisect.bisect_right(h.t, H) - 1
            if k >= 0:
                hc, hct = h.close[k], h.t[k] + HOUR_MS
        dmax = end // DAY_MS - 1
        k = bisect.bisect_right(s.days, dmax) - 1
        if k >= 0:
            dct = (s.days[k] + 1) * DAY_MS
            if hct is None or dct > hct:
                return s.close[k]
        return hc

    def hour_equity(self, H):
        e = self.cash
        for name, q in self.hold.items():
            m = self.mark(name, H)
            if m is None:
                m = last_close(self.syms[name], H // DAY_MS)
            e += q * m
        return e

    def intraday_day(self, D):
        cfg = self.cfg
        risk = cfg.max_daily_loss > 0 or cfg.max_drawdown > 0
        for hr in range(24):
            H = D * DAY_MS + hr * HOUR_MS
            for name in sorted(self.pending):
                h = self.hourly.get(name)
                i = h.pos.get(H) if h is not None else None
                if i is None or name not in self.hold:
                    continue
                reason = self.pending.pop(name)
                s = self.syms[name]
                if self.is_position(s, self.hold[name], h.open[i]):
                    self.exit_sell(H, s, h.open[i], reason, None)
            for name in sorted(self.hold):
                if name not in self.hold or name in self.pending:
                    continue
                h = self.hourly.get(name)
                i = h.pos.get(H) if h is not None else None
                if i is None or name not in self.peak:
                    continue
                s = self.syms[name]
                if not self.is_position(s, self.hold[name], h.open[i]):
                    continue
                self.evaluate(H, s, h, i)
            if risk:
                E = self.hour_equity(H)
                dl = cfg.max_daily_loss > 0 and E <= self.prev_eq * (ONE - cfg.max_daily_loss)
                dd = cfg.max_drawdown > 0 and E <= self.risk_peak * (ONE - cfg.max_drawdown)
                if E > self.risk_peak:
                    self.risk_peak = E
                if dl or dd:
                    reason = "daily_loss" if dl else "max_drawdown"
                    for name in self.hold:
                        self.pending.setdefault(name, reason)
                    if dl:
                        self.buy_blocked = True
                    if dd and self.halted_at is None:
                        self.halted_at = H + HOUR_MS

    def run(self, start, end, every):
        if not self.intraday:
            return super().run(start, end, every)
        decision = set(range(start, end + 1, every))
        eq = [(start - 1, self.cfg.initial)]
        self.prev_eq = self.cfg.initial
        for t in range(start, end + 1):
            self.apply_splits(t)
            if t in decision:
                self.rebalance(t)
            self.intraday_day(t)
            e = self.equity(t)
            eq.append((t, e))
            self.prev_eq = e
        return eq
