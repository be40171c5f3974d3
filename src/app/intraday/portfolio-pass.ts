/**
 * Portfolio risk in a live pass (strategy-semantics.md §10 "Portfolio risk", §12 "the same marks"):
 * `E = cash + Σ h · last`, the daily-loss test against `E(D−1)` and the drawdown test against the equity
 * peak, both kept in the ledger (`intraday_accounts`); when one fires the kill switch gets a `risk`
 * event with the figures (journaled), and every position is to be sold now with the reason.
 * `E(D−1)` is the equity of the account's last pass of the day before (the first pass of an account uses
 * `initial_quote`); the peak is the max of `initial_quote` and every pass's equity.
 */
import { type Decimal, dec, decStr } from '../../domain/decimal.ts';
import { checkPortfolioRisk, equityAt } from '../../domain/risk/portfolio-risk.ts';
import type { RiskSettings } from '../../domain/risk/risk-settings.ts';
import type { HaltJournal } from '../../ports/halt-journal.ts';
import type { IntradayJournal } from '../../ports/intraday-journal.ts';

/** What the check found (null when portfolio risk is off). */
export interface PortfolioPass {
  /** The reason every position is sold now, or null. */
  readonly reason: 'daily_loss' | 'max_drawdown' | null;
  readonly report: {
    readonly equity: string;
    readonly previous_day_equity: string;
    readonly equity_peak: string;
    readonly daily_loss: boolean;
    readonly drawdown: boolean;
  };
}

/**
 * Checks portfolio risk at the pass's marks and stores its memory (not on a dry run).
 * @param holdings each position's holding (base units) and mark (last price; null = not valued, 0).
 * @returns null when `max_daily_loss` and `max_drawdown` are both off.
 */
export async function portfolioRiskAt(
  c: {
    readonly ledger: IntradayJournal & HaltJournal;
    readonly accountId: string;
    readonly settings: RiskSettings;
    readonly initialQuote: Decimal;
    readonly dryRun: boolean;
  },
  at: {
    readonly cash: Decimal;
    readonly holdings: readonly { readonly holding: Decimal; readonly mark: Decimal | null }[];
    /** UTC day of the pass. */
    readonly period: string;
    readonly nowMs: number;
    readonly runId: string | null;
  },
): Promise<PortfolioPass | null> {
  const { settings } = c;
  if (!(settings.maxDailyLoss > 0) && !(settings.maxDrawdown > 0)) return null;
  const equity = equityAt(
    at.cash,
    at.holdings.filter((h) => h.mark !== null).map((h) => ({ holding: h.holding, mark: h.mark as Decimal })),
  );
  const mem = await c.ledger.intradayAccount(c.accountId);
  const prev =
    mem === null ? c.initialQuote : dec(mem.equityDay < at.period ? mem.lastEquity : mem.prevDayEquity);
  const peakBefore = mem === null ? c.initialQuote : maxOf(c.initialQuote, dec(mem.equityPeak));
  const check = checkPortfolioRisk(equity, prev, peakBefore, settings);
  const report = {
    equity: decStr(equity),
    previous_day_equity: decStr(prev),
    equity_peak: decStr(check.newPeak),
    daily_loss: check.dailyLoss,
    drawdown: check.drawdown,
  };
  if (!c.dryRun) {
    await c.ledger.saveIntradayAccount(
      c.accountId,
      {
        equityPeak: decStr(check.newPeak),
        equityDay: at.period,
        prevDayEquity: decStr(prev),
        lastEquity: decStr(equity),
      },
      at.nowMs,
    );
    if (check.reason !== null) {
      await c.ledger.applyHaltEvent(
        c.accountId,
        { type: 'risk', dailyLoss: check.dailyLoss, drawdown: check.drawdown, atMs: at.nowMs },
        {
          actor: 'intraday',
          ...(at.runId ? { runId: at.runId } : {}),
          detail: {
            ...report,
            max_daily_loss: settings.maxDailyLoss,
            max_drawdown: settings.maxDrawdown,
          },
        },
      );
    }
  }
  return { reason: check.reason, report };
}

function maxOf(a: Decimal, b: Decimal): Decimal {
  return b.gt(a) ? b : a;
}
