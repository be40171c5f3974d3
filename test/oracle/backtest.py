#!/usr/bin/env python3
"""Independent reference implementation (oracle) of the momentum backtest contract
(docs/strategy-semantics.md). Standard library only. Written from the contract and the data's SOURCES.md
alone, without reading the project's src/ (see test/oracle/README.md); test/e2e/backtest-oracle.test.ts
compares the engine with it. Reads a data directory of the shared layout, plain (.csv, .json) or gzipped
(.csv.gz, .json.gz, the bundled data/)."""
import argparse
import gzip
import bisect
import csv
import datetime as dt
import json
import math
import os
import re
import statistics
import sys
import time
from decimal import Decimal, getcontext, ROUND_FLOOR

getcontext().prec = 60

DAY_MS = 86400000
ZERO = Decimal(0)
ONE = Decimal(1)
E8 = Decimal("1e-8")
TEN8 = Decimal(100000000)
QUOTE = "USDT"

STABLE = set("USDT USDC BUSD TUSD PAX USDP DAI FDUSD USDS USDSB SUSD UST USTC EUR GBP AUD "
             "AEUR EURI BKRW USD1 XUSD".split())
LEVERAGED_RE = re.compile(r"(UP|DOWN|BULL|BEAR)USDT$")


def day_of(date_str):
    d = dt.date.fromisoformat(date_str)
    return (d - dt.date(1970, 1, 1)).days


def date_of(day):
    return (dt.date(1970, 1, 1) + dt.timedelta(days=day)).isoformat()


def open_text(path):
    """Opens `path`, or `path + '.gz'` (the bundled data's gzipped copy), as UTF-8 text."""
    if os.path.exists(path):
        return open(path, newline="", encoding="utf-8")
    return gzip.open(path + ".gz", "rt", newline="", encoding="utf-8")


def exists(path):
    return os.path.exists(path) or os.path.exists(path + ".gz")


def round_down_8(x):
    return x.quantize(E8, rounding=ROUND_FLOOR)


def dstr(x):
    """Plain decimal string without exponent, trailing zeros removed."""
    if x == 0:
        return "0"
    s = format(x, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


# ----------------------------------------------------------------------------------------
# data
# ----------------------------------------------------------------------------------------
class Symbol:
    __slots__ = ("name", "base", "quote", "days", "idx", "open", "high", "close", "qv", "seg",
                 "seg_first_day", "splits", "step", "min_qty", "min_notional")

    def __init__(self, name):
        self.name = name


def load_rules(data_dir):
    """symbol -> (base, quote, step, minQty, minNotional) from the newest snapshot listing it."""
    snaps = []
    for fn in ("exchangeInfo.json", "exchangeInfo-2022-11-28.json"):
        p = os.path.join(data_dir, "binance", fn)
        if exists(p):
            with open_text(p) as f:
                snaps.append(json.load(f))
    snaps.sort(key=lambda d: d["serverTime"], reverse=True)  # newest first
    rules = {}
    for snap in snaps:
        for s in snap["symbols"]:
            name = s["symbol"]
            if name in rules:
                continue
            fl = {}
            for f in s.get("filters", []):
                fl.setdefault(f["filterType"], f)
            mls = fl.get("MARKET_LOT_SIZE", {})
            ls = fl.get("LOT_SIZE", {})
            m_step = Decimal(mls.get("stepSize", "0"))
            step = m_step if m_step > 0 else Decimal(ls.get("stepSize", "0"))
            m_min = Decimal(mls.get("minQty", "0"))
            min_qty = m_min if m_min > 0 else Decimal(ls.get("minQty", "0"))
            mn = ZERO
            if "NOTIONAL" in fl and fl["NOTIONAL"].get("applyMinToMarket"):
                mn = Decimal(fl["NOTIONAL"]["minNotional"])
            elif "MIN_NOTIONAL" in fl and fl["MIN_NOTIONAL"].get("applyToMarket"):
                mn = Decimal(fl["MIN_NOTIONAL"]["minNotional"])
            rules[name] = (s["baseAsset"], s["quoteAsset"], step, min_qty, mn)
    return rules


def load_symbols(data_dir):
    kdir = os.path.join(data_dir, "binance", "klines-1d")
    rules = load_rules(data_dir)
    syms = {}
    names = sorted({fn[: fn.index(".csv")] for fn in os.listdir(kdir) if fn.endswith((".csv", ".csv.gz"))})
    for name in names:
        fn = name + ".csv"
        s = Symbol(name)
        days, op, hi, cl, qv = [], [], [], [], []
        with open_text(os.path.join(kdir, fn)) as f:
            for r in csv.DictReader(f):
                t = int(r["open_time_ms"])
                days.append(t // DAY_MS)
                o = Decimal(r["open"])
                c = Decimal(r["close"])
                op.append(o)
                hi.append(Decimal(r["high"]))
                cl.append(c)
                q = r.get("quote_volume", "")
                if q is None or q.strip() == "":
                    qv.append(Decimal(r["volume"]) * c)
                else:
                    qv.append(Decimal(q))
        s.days, s.open, s.high, s.close, s.qv = days, op, hi, cl, qv
        s.idx = {d: i for i, d in enumerate(days)}
        # segments (§2)
        seg = [0] * len(days)
        seg_first = [days[0]] if days else []
        splits = {}
        sid = 0
        for i in range(1, len(days)):
            if days[i] - days[i - 1] >= 2:
                ratio = op[i] / cl[i - 1]
                if ratio > 5 or ratio < Decimal("0.2"):
                    sid += 1
                    seg_first.append(days[i])
                    splits[days[i]] = (cl[i - 1], op[i])
            seg[i] = sid
        s.seg, s.seg_first_day, s.splits = seg, seg_first, splits
        if name in rules:
            s.base, s.quote, s.step, s.min_qty, s.min_notional = rules[name]
        else:
            s.base = name[:-len(QUOTE)] if name.endswith(QUOTE) else name
            s.quote = QUOTE if name.endswith(QUOTE) else "?"
            s.step, s.min_qty, s.min_notional = ZERO, ZERO, Decimal(10)
        syms[name] = s
    return syms


def load_mcap(data_dir):
    p = os.path.join(data_dir, "marketcap", "cmc_monthly_top200_2020-01_to_2025-10.csv")
    snaps = {}
    with open_text(p) as f:
        for r in csv.DictReader(f):
            sd = r["snapshot_date"].strip()
            d = (dt.date(int(sd[:4]), int(sd[4:6]), int(sd[6:8])) - dt.date(1970, 1, 1)).days
            cap_s = r["Market Cap"].strip()
            if not cap_s:
                continue
            cap = Decimal(cap_s)
            m = snaps.setdefault(d, {})
            t = r["Symbol"].strip()
            if t not in m or cap > m[t]:
                m[t] = cap
    dates = sorted(snaps)
    return dates, snaps


def last_close(s, day):
    """close of the last candle with day <= `day`, or None."""
    i = bisect.bisect_right(s.days, day) - 1
    return s.close[i] if i >= 0 else None


# ----------------------------------------------------------------------------------------
# engine
# ----------------------------------------------------------------------------------------
class Cfg:
    pass


def floor_step(x, step):
    if step == 0:
        return round_down_8(x)
    return (x // step) * step


class Engine:
    def __init__(self, syms, cfg, mcap=None, top_n=None, record=True):
        self.syms = syms
        self.order = sorted(syms)
        self.cfg = cfg
        self.mcap = mcap
        self.top_n = top_n  # None = all eligible
        self.record = record
        self.cash = cfg.initial
        self.hold = {}
        self.trades = []
        self.rejected = []
        self.fees = ZERO
        self.notional = ZERO
        self.n_trades = 0
        up = cfg.slippage_bps / Decimal(10000)
        self.buy_mult = ONE + up
        self.sell_mult = ONE - up

    # ---- orders ----
    def _reject(self, day, s, side, reason):
        if self.record:
            self.rejected.append({"date": date_of(day), "symbol": s.name, "side": side, "reason": reason})

    def _check(self, q, p, s):
        if q == 0:
            return "zero_quantity"
        if q < s.min_qty:
            return "below_min_qty"
        if q * p < s.min_notional:
            return "below_min_notional"
        return None

    def sell(self, day, s, q_wanted):
        i = s.idx.get(day)
        if i is None:
            self._reject(day, s, "SELL", "no_price")
            return
        p = s.open[i] * self.sell_mult
        q = floor_step(q_wanted, s.step)
        h = self.hold.get(s.name, ZERO)
        if q > h:  # never sell more than held (cannot happen with the formulas above)
            q = floor_step(h, s.step)
        why = self._check(q, p, s)
        if why:
            self._reject(day, s, "SELL", why)
            return
        gross, comm = self._sell_fill(s, h, q, p)
        self._record_trade(day, s, "SELL", q, p, gross, comm, QUOTE)

    def _sell_fill(self, s, h, q, p):
        """§7 SELL of q (of h held) at p: cash += q*p - fee (commission in the quote asset). (gross, comm)"""
        gross = q * p
        comm = gross * self.cfg.fee
        self.cash += gross - comm
        nh = h - q
        if nh == 0:
            del self.hold[s.name]
        else:
            self.hold[s.name] = nh
        self.fees += comm
        self.notional += gross
        self.n_trades += 1
        return gross, comm

    def _record_trade(self, day, s, side, q, p, gross, comm, commission_asset):
        if self.record:
            self.trades.append({"date": date_of(day), "symbol": s.name, "side": side,
                                "quantity": dstr(q), "price": dstr(p), "quote_quantity": dstr(gross),
                                "commission": dstr(comm), "commission_asset": commission_asset})

    def buy(self, day, s, Q):
        i = s.idx[day]
        p = s.open[i] * self.buy_mult
        if s.step == 0:
            q = ((Q * TEN8) // p) / TEN8  # exact floor of Q/p to 8 decimals
        else:
            q = (Q // (p * s.step)) * s.step  # exact floor_step(Q/p)
        why = self._check(q, p, s)
        if why:
            self._reject(day, s, "BUY", why)
            return
        gross = q * p
        comm = q * self.cfg.fee
        self.cash -= gross
        self.hold[s.name] = self.hold.get(s.name, ZERO) + q - comm
        self.fees += comm * p
        self.notional += gross
        self.n_trades += 1
        self._record_trade(day, s, "BUY", q, p, gross, comm, s.base)

    # ---- eligibility (§4) ----
    def eligibility(self, D):
        cfg = self.cfg
        L = cfg.lookback
        elig = []
        reasons = {}
        mcap_snap = None
        if cfg.min_market_cap > 0:
            dates, snaps = self.mcap
            k = bisect.bisect_right(dates, D) - 1
            if k >= 0 and D - dates[k] <= 45:
                mcap_snap = snaps[dates[k]]
        for name in self.order:
            s = self.syms[name]
            if s.quote != QUOTE:
                reasons[name] = "quote"; continue
            if (s.base in STABLE or LEVERAGED_RE.search(name) or name in ("BULLUSDT", "BEARUSDT")
                    or name in cfg.exclude or (cfg.include and name not in cfg.include)):
                reasons[name] = "excluded"; continue
            i = s.idx.get(D - 1)
            if i is None or D not in s.idx:
                reasons[name] = "not_trading"; continue
            fot = s.seg_first_day[s.seg[i]]
            if D - fot < cfg.min_age:
                reasons[name] = "too_young"; continue
            j = s.idx.get(D - 1 - L)
            if j is None or s.seg[j] != s.seg[i]:
                reasons[name] = "no_history"; continue
            if cfg.min_quote_volume > 0:
                lo = bisect.bisect_left(s.days, D - L)
                hi = bisect.bisect_right(s.days, D - 1)
                n = hi - lo
                tot = sum(s.qv[lo:hi], ZERO)
                if n == 0 or tot < cfg.min_quote_volume * n:
                    reasons[name] = "illiquid"; continue
            if cfg.min_market_cap > 0:
                cap = None if mcap_snap is None else mcap_snap.get(s.base)
                if cap is None:
                    reasons[name] = "no_market_cap"; continue
                if cap < cfg.min_market_cap:
                    reasons[name] = "small_cap"; continue
            r = s.close[i] / s.close[j] - 1
            elig.append((r, name))
        if cfg.reversal:
            elig.sort(key=lambda x: (x[0], x[1]))
        else:
            elig.sort(key=lambda x: (-x[0], x[1]))
        return elig, reasons

    # ---- rebalance (§8) ----
    def rebalance(self, D):
        cfg = self.cfg
        elig, _ = self.eligibility(D)
        sel = [n for _, n in elig]
        if self.top_n is not None:
            sel = sel[:self.top_n]
        K = len(sel)
        if cfg.mode == "full":
            for name in sorted(self.hold):
                self.sell(D, self.syms[name], self.hold[name])
            if K > 0:
                Q = round_down_8(self.cash * (ONE - cfg.cash_buffer) / K)
                for name in sel:
                    self.buy(D, self.syms[name], Q)
        else:  # delta
            V = {}
            for name, h in self.hold.items():
                s = self.syms[name]
                i = s.idx.get(D)
                px = s.open[i] if i is not None else last_close(s, D - 1)
                V[name] = h * px
            E = self.cash + sum(V.values(), ZERO)
            selset = set(sel)
            if K == 0:
                for name in sorted(self.hold):
                    self.sell(D, self.syms[name], self.hold[name])
                return
            T = E * (ONE - cfg.cash_buffer) / K
            sells = []
            for name in sorted(self.hold):
                if name not in selset:
                    sells.append((name, self.hold[name]))
                elif V[name] > T * (ONE + cfg.band):
                    s = self.syms[name]
                    sells.append((name, (V[name] - T) / s.open[s.idx[D]]))
            for name, qw in sells:
                self.sell(D, self.syms[name], qw)
            wants = []
            for name in sel:
                v = V.get(name, ZERO)
                if v < T * (ONE - cfg.band):
                    wants.append((name, T - v))
            sumB = sum((b for _, b in wants), ZERO)
            cash = self.cash
            if sumB > cash:
                scale = cash / sumB
                wants = [(n, b * scale) for n, b in wants]
            for name, b in wants:
                self.buy(D, self.syms[name], round_down_8(b))

    def apply_splits(self, t):
        for name in list(self.hold):
            s = self.syms[name]
            sp = s.splits.get(t)
            if sp is not None:
                cb, oa = sp
                h = self.hold[name]
                nh = ((h * cb * TEN8) // oa) / TEN8  # exact round_down_8(h*cb/oa)
                if nh == 0:
                    del self.hold[name]
                else:
                    self.hold[name] = nh

    def equity(self, t):
        e = self.cash
        for name, h in self.hold.items():
            s = self.syms[name]
            i = s.idx.get(t)
            c = s.close[i] if i is not None else last_close(s, t)
            e += h * c
        return e

    def run(self, start, end, every):
        decision = set(range(start, end + 1, every))
        eq = [(start - 1, self.cfg.initial)]
        for t in range(start, end + 1):
            self.apply_splits(t)
            if t in decision:
                self.rebalance(t)
            eq.append((t, self.equity(t)))
        return eq




def run_btc_hold(syms, cfg, start, end):
    eng = Engine(syms, cfg, record=False)
    eq = [(start - 1, cfg.initial)]
    btc = syms["BTCUSDT"]
    for t in range(start, end + 1):
        eng.apply_splits(t)
        if t == start:
            eng.buy(t, btc, cfg.initial)
        eq.append((t, eng.equity(t)))
    return eng, eq


# ----------------------------------------------------------------------------------------
# metrics (§9)
# ----------------------------------------------------------------------------------------
def metrics(eq, initial, fees, notional, n_trades):
    E = [e for _, e in eq]  # Decimal, E[0] = E(start-1) = initial
    r = [float(E[k] / E[k - 1] - 1) for k in range(1, len(E))]
    n = len(r)
    end = E[-1]
    total_return = float(end / initial - 1)
    growth = float(end / initial)
    cagr = growth ** (365.0 / n) - 1 if growth > 0 else -1.0
    sd = statistics.stdev(r) if n >= 2 else float("nan")
    mu = statistics.fmean(r)
    vol = sd * math.sqrt(365)
    sharpe = mu / sd * math.sqrt(365) if sd and sd == sd else None
    dn = math.sqrt(statistics.fmean([min(x, 0.0) ** 2 for x in r]))
    sortino = mu / dn * math.sqrt(365) if dn > 0 else None
    peak = E[0]
    mdd = ZERO
    for e in E:
        if e > peak:
            peak = e
        dd = 1 - e / peak
        if dd > mdd:
            mdd = dd
    mdd = float(mdd)
    calmar = cagr / mdd if mdd > 0 else None
    meanE = sum(E[1:], ZERO) / len(E[1:])
    return {"total_return": total_return, "cagr": cagr, "volatility": vol, "sharpe": sharpe,
            "sortino": sortino, "max_drawdown": mdd, "calmar": calmar, "fees": float(fees),
            "turnover": float(notional / meanE), "n_trades": n_trades}


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--from", dest="start", required=True)
    ap.add_argument("--to", dest="end", required=True)
    ap.add_argument("--lookback", type=int, default=7)
    ap.add_argument("--top-n", type=int, default=10)
    ap.add_argument("--every", type=int, default=1)
    ap.add_argument("--mode", choices=["full", "delta"], default="full")
    ap.add_argument("--fee", default="0.001")
    ap.add_argument("--slippage-bps", default="0")
    ap.add_argument("--initial", default="10000")
    ap.add_argument("--min-age", type=int, default=30)
    ap.add_argument("--min-quote-volume", default="0")
    ap.add_argument("--min-market-cap", default="0")
    ap.add_argument("--cash-buffer", default="0")
    ap.add_argument("--band", default="0")
    ap.add_argument("--reversal", action="store_true")
    ap.add_argument("--exclude", default="")
    ap.add_argument("--include", default="")
    ap.add_argument("--no-benchmarks", action="store_true")
    ap.add_argument("--out", required=True)
    # §10-§11 (intraday.py); all off by default
    for flag in ("--stop-loss", "--trailing-stop", "--trailing-activation", "--take-profit",
                 "--max-daily-loss", "--max-drawdown"):
        ap.add_argument(flag, default="0")
    ap.add_argument("--exit-signal", choices=["none", "sma_cross", "breakout"], default="none")
    ap.add_argument("--exit-sma-fast", type=int, default=12)
    ap.add_argument("--exit-sma-slow", type=int, default=48)
    ap.add_argument("--exit-breakout-bars", type=int, default=24)
    ap.add_argument("--entry-filter", choices=["none", "sma_trend", "breakout"], default="none")
    ap.add_argument("--entry-sma-fast", type=int, default=10)
    ap.add_argument("--entry-sma-slow", type=int, default=30)
    ap.add_argument("--entry-breakout-days", type=int, default=20)
    ap.add_argument("--interval", choices=["1h"], default="1h")  # §10 timeline is hourly
    a = ap.parse_args(argv)

    cfg = Cfg()
    cfg.lookback = a.lookback
    cfg.mode = a.mode
    cfg.fee = Decimal(a.fee)
    cfg.slippage_bps = Decimal(a.slippage_bps)
    cfg.initial = Decimal(a.initial)
    cfg.min_age = a.min_age
    cfg.min_quote_volume = Decimal(a.min_quote_volume)
    cfg.min_market_cap = Decimal(a.min_market_cap)
    cfg.cash_buffer = Decimal(a.cash_buffer)
    cfg.band = Decimal(a.band)
    cfg.reversal = a.reversal
    cfg.exclude = set(x for x in a.exclude.split(",") if x)
    cfg.include = set(x for x in a.include.split(",") if x)
    cfg.stop_loss = Decimal(a.stop_loss)
    cfg.trailing_stop = Decimal(a.trailing_stop)
    cfg.trailing_activation = Decimal(a.trailing_activation)
    cfg.take_profit = Decimal(a.take_profit)
    cfg.max_daily_loss = Decimal(a.max_daily_loss)
    cfg.max_drawdown = Decimal(a.max_drawdown)
    cfg.exit_signal = a.exit_signal
    cfg.exit_sma_fast, cfg.exit_sma_slow = a.exit_sma_fast, a.exit_sma_slow
    cfg.exit_breakout_bars = a.exit_breakout_bars
    cfg.entry_filter = a.entry_filter
    cfg.entry_sma_fast, cfg.entry_sma_slow = a.entry_sma_fast, a.entry_sma_slow
    cfg.entry_breakout_days = a.entry_breakout_days
    extended = False
    if cfg.entry_filter != "none":
        extended = True
    else:
        import intraday
        extended = intraday.rule_on(cfg)

    t0 = time.time()
    syms = load_symbols(a.data)
    mcap = load_mcap(a.data) if cfg.min_market_cap > 0 else None
    start, end = day_of(a.start), day_of(a.end)

    if extended:
        import intraday
        hourly = intraday.load_hourly(a.data, a.interval) if intraday.rule_on(cfg) else {}

        def make(top_n, record):
            return intraday.IntradayEngine(syms, cfg, hourly, mcap=mcap, top_n=top_n, record=record)
    else:
        def make(top_n, record):
            return Engine(syms, cfg, mcap=mcap, top_n=top_n, record=record)
    eng = make(a.top_n, True)
    eq = eng.run(start, end, a.every)
    out = {
        "equity": [{"date": date_of(d), "equity": float(e)} for d, e in eq],
        "trades": eng.trades,
        "rejected": eng.rejected,
        "metrics": metrics(eq, cfg.initial, eng.fees, eng.notional, eng.n_trades),
        "benchmarks": {},
    }
    if extended:
        out["exits"] = eng.exits
        out["halted_at"] = eng.halted_at
    if not a.no_benchmarks:
        b, beq = run_btc_hold(syms, cfg, start, end)
        out["benchmarks"]["btc_hold"] = metrics(beq, cfg.initial, b.fees, b.notional, b.n_trades)
        ew = make(None, False)
        eweq = ew.run(start, end, a.every)
        out["benchmarks"]["equal_weight"] = metrics(eweq, cfg.initial, ew.fees, ew.notional, ew.n_trades)
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)
    sys.stderr.write("done in %.1fs: final equity %s\n" % (time.time() - t0, eq[-1][1]))


if __name__ == "__main__":
    main()
