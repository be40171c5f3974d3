/**
 * The browser side of the HTML backtest report, as plain ES2017 source inlined into the page by
 * src/report/html-report.ts (a string rather than a file next to this one so that the esbuild bundle
 * dist/cli.mjs carries it too). It must not contain a backtick, `${` or `</script`; the e2e test
 * compiles it with `node:vm` and runs the page in Chromium.
 *
 * Page contract (used by test/e2e/html-report.test.ts):
 * - reads the JSON in `<script type="application/json" id="report-data">` (see ReportChartData);
 * - draws four uPlot charts (the equity chart marks the intraday exits, §10, as dots) into `#chart-equity`, `#chart-drawdown`, `#chart-fees-turnover` and
 *   `#chart-holdings`; each container gets `data-drawn="true"` once its chart has drawn on a canvas of
 *   non-zero size, and `document.body.dataset.chartsReady` becomes the number of charts when all have;
 * - `#log-toggle` (checkbox) re-creates the equity chart with a log y scale (`scales.y.distr` 3) or
 *   back to linear (1);
 * - the instances are exposed as `window.__charts.{equity,drawdown,fees,holdings}`;
 * - errors (and any Content-Security-Policy violation, i.e. an attempted network load) land in
 *   `document.body.dataset.error` (the handlers are installed by {@link ERROR_HANDLER_SCRIPT}).
 */

/** Installed in `<head>` before anything else runs: any error becomes `body[data-error]` and a banner. */
// biome-ignore lint/complexity/noUselessStringRaw: raw, so that a backslash in the browser code stays as written
export const ERROR_HANDLER_SCRIPT = String.raw`(function () {
  'use strict';
  function report(msg) {
    msg = String(msg || 'unknown error');
    var b = document.body || document.documentElement;
    if (!b.dataset.error) b.dataset.error = msg;
    var banner = document.getElementById('error-banner');
    if (banner) {
      banner.hidden = false;
      banner.textContent = 'Error while drawing the report: ' + msg;
    }
  }
  window.__reportError = report;
  window.addEventListener('error', function (e) {
    report(e && (e.message || (e.error && e.error.message)));
  });
  document.addEventListener('securitypolicyviolation', function (e) {
    report('blocked by the page policy: ' + e.violatedDirective + ' ' + e.blockedURI);
  });
  window.addEventListener('unhandledrejection', function (e) {
    report(e && e.reason && (e.reason.message || e.reason));
  });
})();`;

/** Draws the charts (runs after uPlot's IIFE has defined `window.uPlot`). */
// biome-ignore lint/complexity/noUselessStringRaw: raw, so that a backslash in the browser code stays as written
export const REPORT_CLIENT_SCRIPT = String.raw`(function () {
  'use strict';
  if (typeof uPlot !== 'function') throw new Error('uPlot failed to load');
  var DAY = 86400;
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var quote = data.quote;
  var charts = {};
  window.__charts = charts;

  var CHART_IDS = ['chart-equity', 'chart-drawdown', 'chart-fees-turnover', 'chart-holdings'];
  var drawn = {};

  function markDrawn(u) {
    var el = u.root.parentNode;
    var c = u.ctx && u.ctx.canvas;
    if (!el || !c || !(c.width > 0) || !(c.height > 0)) return;
    el.dataset.drawn = 'true';
    drawn[el.id] = true;
    var n = 0;
    for (var i = 0; i < CHART_IDS.length; i++) if (drawn[CHART_IDS[i]]) n++;
    if (n === CHART_IDS.length && !document.body.dataset.chartsReady) {
      document.body.dataset.chartsReady = String(n);
    }
  }

  // ---- formatting -------------------------------------------------------------------------------
  var nf0 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
  var nf2 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  function compact(v) {
    if (v == null || !isFinite(v)) return '';
    var a = Math.abs(v);
    if (a >= 1e9) return (v / 1e9).toFixed(a >= 1e10 ? 0 : 1) + 'B';
    if (a >= 1e6) return (v / 1e6).toFixed(a >= 1e7 ? 0 : 1) + 'M';
    if (a >= 1e4) return (v / 1e3).toFixed(0) + 'k';
    if (a >= 1e3) return (v / 1e3).toFixed(1) + 'k';
    if (a >= 1) return String(Math.round(v * 100) / 100);
    return String(Number(v.toPrecision(2)));
  }
  function money(u, v) {
    return v == null ? '—' : (Math.abs(v) >= 100 ? nf0.format(v) : nf2.format(v)) + ' ' + quote;
  }
  function pct(u, v) {
    return v == null ? '—' : v.toFixed(2) + '%';
  }
  function pad2(n) {
    return n < 10 ? '0' + n : String(n);
  }
  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  function ymd(u, ts) {
    if (ts == null) return '—';
    var d = new Date(ts * 1000);
    return d.getUTCFullYear() + '-' + pad2(d.getUTCMonth() + 1) + '-' + pad2(d.getUTCDate());
  }
  function ym(u, ts) {
    if (ts == null) return '—';
    var d = new Date(ts * 1000);
    return MONTHS[d.getUTCMonth()] + ' ' + d.getUTCFullYear();
  }
  function utc(ts) {
    return uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC');
  }

  // ---- sizing ------------------------------------------------------------------------------------
  function widthOf(el) {
    return Math.max(280, Math.floor(el.clientWidth || el.getBoundingClientRect().width || 800));
  }
  function heightFor(el) {
    var h = Number(el.dataset.height) || 320;
    return window.innerWidth < 640 ? Math.round(h * 0.75) : h;
  }

  var COLORS = {
    strategy: '#2563eb',
    btc: '#f59e0b',
    ew: '#10b981',
  };
  var cursorSync = { key: 'report-time', setSeries: false };

  function seconds(days) {
    var out = new Array(days.length);
    for (var i = 0; i < days.length; i++) out[i] = days[i] * DAY;
    return out;
  }
  var xs = seconds(data.days);

  function make(key, el, opts, rows) {
    opts.width = widthOf(el);
    opts.height = heightFor(el);
    opts.tzDate = utc;
    opts.hooks = opts.hooks || {};
    opts.hooks.draw = [markDrawn];
    var u = new uPlot(opts, rows, el);
    charts[key] = u;
    return u;
  }

  var STRATEGY = data.strategy_label || 'Strategy';
  function hasAny(xs) {
    for (var i = 0; i < xs.length; i++) if (xs[i] != null) return true;
    return false;
  }
  var HAS_BTC = hasAny(data.btc_hold);
  var HAS_EW = hasAny(data.equal_weight);

  // ---- equity (linear / log) ----------------------------------------------------------------------
  function positive(arr) {
    var out = new Array(arr.length);
    for (var i = 0; i < arr.length; i++) out[i] = arr[i] != null && arr[i] > 0 ? arr[i] : null;
    return out;
  }
  // Log-axis ticks: the densest of these mantissa sets whose ticks stay >= 28 px apart (uPlot's own log
  // splits are whole decades, too sparse for a range of less than ~10x).
  var LOG_MANTISSAS = [
    [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8],
    [1, 1.5, 2, 3, 4, 5, 7],
    [1, 2, 3, 5],
    [1, 2, 5],
    [1, 3],
    [1],
  ];
  function logSplits(u, axisIdx, min, max) {
    if (!(min > 0) || !(max > min)) return [min, max];
    var lo = Math.floor(Math.log10(min));
    var hi = Math.ceil(Math.log10(max));
    var ticks = [];
    for (var k = 0; k < LOG_MANTISSAS.length; k++) {
      ticks = [];
      for (var e = lo; e <= hi; e++) {
        for (var j = 0; j < LOG_MANTISSAS[k].length; j++) {
          var v = Number((LOG_MANTISSAS[k][j] * Math.pow(10, e)).toPrecision(3));
          if (v >= min && v <= max) ticks.push(v);
        }
      }
      var ok = true;
      for (var t = 1; t < ticks.length && ok; t++) {
        ok = Math.abs(u.valToPos(ticks[t], 'y') - u.valToPos(ticks[t - 1], 'y')) >= 28;
      }
      if (ok && ticks.length >= 2) return ticks;
    }
    return ticks;
  }
  function drawEquity(log) {
    var el = document.getElementById('chart-equity');
    if (charts.equity) {
      charts.equity.destroy();
      delete el.dataset.drawn;
    }
    var ys = [data.equity, data.btc_hold, data.equal_weight, data.exits || data.equity.map(function () { return null; })];
    if (log) ys = ys.map(positive);
    make(
      'equity',
      el,
      {
        cursor: { sync: cursorSync },
        scales: {
          x: { time: true },
          y: log
            ? {
                distr: 3,
                log: 10,
                // Tight range (uPlot's default snaps to whole decades, leaving the plot mostly empty).
                range: function (u, min, max) {
                  return min > 0 && max > 0 ? [min / 1.06, max * 1.06] : uPlot.rangeLog(min, max, 10, true);
                },
              }
            : { distr: 1 },
        },
        series: [
          { label: 'Date', value: ymd },
          { label: STRATEGY, stroke: COLORS.strategy, width: 2, value: money },
          { label: 'BTC hold', show: HAS_BTC, stroke: COLORS.btc, width: 1.5, value: money },
          { label: 'Equal weight', show: HAS_EW, stroke: COLORS.ew, width: 1.5, value: money },
          // Intraday exits (§10): a dot on the strategy's equity of each day with an exit, no line.
          {
            label: 'Intraday exits',
            stroke: '#c0392b',
            fill: '#c0392b',
            width: 0,
            paths: function () {
              return null;
            },
            points: { show: true, size: 7, stroke: '#c0392b', fill: '#c0392b' },
            value: function (u, v, si, i) {
              var n = data.exit_counts ? data.exit_counts[i] : 0;
              return v == null || !n ? '–' : n + (n === 1 ? ' exit' : ' exits');
            },
          },
        ],
        axes: [
          {},
          {
            size: 64,
            splits: log ? logSplits : undefined,
            // Label every split (uPlot's default log filter blanks some; logSplits already spaces them).
            filter: function (u, splits) {
              return splits;
            },
            values: function (u, splits) {
              return splits.map(compact);
            },
          },
        ],
      },
      [xs].concat(ys),
    );
  }

  // ---- drawdown -------------------------------------------------------------------------------------
  function drawdown(arr) {
    var out = new Array(arr.length);
    var peak = -Infinity;
    for (var i = 0; i < arr.length; i++) {
      var v = arr[i];
      if (v == null || !isFinite(v)) {
        out[i] = null;
        continue;
      }
      if (v > peak) peak = v;
      out[i] = peak > 0 ? Math.min(0, (v / peak - 1) * 100) : null;
    }
    return out;
  }
  function drawDrawdown() {
    make(
      'drawdown',
      document.getElementById('chart-drawdown'),
      {
        cursor: { sync: cursorSync },
        scales: {
          x: { time: true },
          y: {
            range: function (u, min, max) {
              return [Math.min(isFinite(min) ? min * 1.05 : -1, -1), 0];
            },
          },
        },
        series: [
          { label: 'Date', value: ymd },
          {
            label: STRATEGY,
            stroke: COLORS.strategy,
            fill: 'rgba(37, 99, 235, 0.18)',
            width: 1.5,
            value: pct,
          },
          { label: 'BTC hold', show: HAS_BTC, stroke: COLORS.btc, width: 1, value: pct },
          { label: 'Equal weight', show: HAS_EW, stroke: COLORS.ew, width: 1, value: pct },
        ],
        axes: [
          {},
          {
            size: 56,
            values: function (u, splits) {
              var step = splits.length > 1 ? Math.abs(splits[1] - splits[0]) : 1;
              var dec = step >= 1 ? 0 : step >= 0.1 ? 1 : 2;
              return splits.map(function (v) {
                var s = v.toFixed(dec);
                return (Number(s) === 0 ? (0).toFixed(dec) : s) + '%';
              });
            },
          },
        ],
      },
      [xs, drawdown(data.equity), drawdown(data.btc_hold), drawdown(data.equal_weight)],
    );
  }

  // ---- turnover and fees per month -------------------------------------------------------------------
  function drawFees() {
    var m = data.monthly;
    var mx = seconds(m.months);
    var half = 15 * DAY;
    function zeroTo(u, min, max) {
      return [0, max > 0 ? max * 1.08 : 1];
    }
    function times(u, v) {
      return v == null ? '—' : v.toFixed(2) + '×';
    }
    function feeSeries(label, stroke, width) {
      return {
        label: label + ' (' + quote + ')',
        scale: 'fees',
        stroke: stroke,
        width: width,
        points: { show: false },
        value: money,
      };
    }
    make(
      'fees',
      document.getElementById('chart-fees-turnover'),
      {
        cursor: { points: { show: false } },
        scales: {
          x: {
            time: true,
            range: function (u, min, max) {
              return [min - half, max + half];
            },
          },
          turnover: { range: zeroTo },
          fees: { range: zeroTo },
        },
        series: [
          { label: 'Month', value: ym },
          {
            label: 'Turnover (× equity)',
            scale: 'turnover',
            stroke: '#7c3aed',
            fill: 'rgba(124, 58, 237, 0.45)',
            width: 1,
            paths: uPlot.paths.bars({ size: [0.6, 40] }),
            points: { show: false },
            value: times,
          },
          feeSeries('Fees paid so far', '#dc2626', 2),
          feeSeries('Fees of the month', 'rgba(220, 38, 38, 0)', 0),
        ],
        axes: [
          {},
          {
            scale: 'turnover',
            size: 56,
            stroke: '#6d28d9',
            values: function (u, splits) {
              return splits.map(function (v) {
                return v + '×';
              });
            },
          },
          {
            scale: 'fees',
            side: 1,
            size: 64,
            stroke: '#b91c1c',
            grid: { show: false },
            values: function (u, splits) {
              return splits.map(compact);
            },
          },
        ],
      },
      [mx, m.turnover, m.cum_fees, m.fees],
    );
  }

  // ---- holdings (stacked weights) --------------------------------------------------------------------
  var PALETTE = [
    '#2563eb', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#06b6d4',
    '#ec4899', '#84cc16', '#f97316', '#14b8a6', '#6366f1', '#a16207',
  ];
  function hexToRgba(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return 'rgba(' + ((n >> 16) & 255) + ', ' + ((n >> 8) & 255) + ', ' + (n & 255) + ', ' + a + ')';
  }
  function drawHoldings() {
    var h = data.holdings;
    var hx = seconds(h.days);
    var raw = [hx];
    var stacked = [hx];
    var acc = new Array(hx.length).fill(0);
    var series = [{ label: 'Date', value: ymd }];
    var bands = [];
    for (var k = 0; k < h.names.length; k++) {
      var w = h.weights[k];
      raw.push(w);
      var s = new Array(hx.length);
      for (var i = 0; i < hx.length; i++) {
        acc[i] += w[i];
        s[i] = Math.round(acc[i] * 100) / 100;
      }
      stacked.push(s);
      var isCash = h.has_cash && k === h.names.length - 1;
      var isOther = h.names[k] === 'other' && !isCash;
      var color = isCash ? '#94a3b8' : isOther ? '#64748b' : PALETTE[k % PALETTE.length];
      series.push({
        label: isCash ? h.names[k] + ' (cash)' : isOther ? 'other' : h.names[k] + (k === 0 ? ' (largest)' : ''),
        stroke: color,
        fill: hexToRgba(color, isCash ? 0.35 : 0.75),
        width: 0.5,
        points: { show: false },
        value: (function (idx, rank) {
          return function (u, v, si, i) {
            if (i == null) return '—';
            var pct = raw[idx][i].toFixed(1) + '%';
            var of = rank ? h.asset_of[idx - 1][i] : -1;
            return of >= 0 ? h.assets[of] + ' ' + pct : pct;
          };
        })(k + 1, k < h.asset_of.length),
      });
      if (k > 0) bands.push({ series: [k + 1, k] });
    }
    make(
      'holdings',
      document.getElementById('chart-holdings'),
      {
        cursor: { sync: cursorSync },
        scales: { x: { time: true }, y: { range: [0, 100] } },
        series: series,
        bands: bands,
        axes: [
          {},
          {
            size: 50,
            values: function (u, splits) {
              return splits.map(function (v) {
                return v + '%';
              });
            },
          },
        ],
      },
      stacked,
    );
  }

  // ---- wiring ----------------------------------------------------------------------------------------
  var toggle = document.getElementById('log-toggle');
  drawEquity(toggle.checked);
  toggle.addEventListener('change', function () {
    drawEquity(toggle.checked);
  });
  drawDrawdown();
  drawFees();
  drawHoldings();

  var pending = 0;
  window.addEventListener('resize', function () {
    if (pending) cancelAnimationFrame(pending);
    pending = requestAnimationFrame(function () {
      pending = 0;
      for (var key in charts) {
        var u = charts[key];
        var el = u.root.parentNode;
        u.setSize({ width: widthOf(el), height: heightFor(el) });
      }
    });
  });
})();`;
