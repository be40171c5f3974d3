/**
 * Port: what the live account's HTML report reads from the ledger (issue 12 item 4) — no exchange call,
 * nothing written. Money values are exact decimal strings in the account's quote asset; days
 * `YYYY-MM-DD` (UTC); instants ISO 8601 UTC strings.
 */

/** The account the report is about. */
export interface ReportAccount {
  readonly name: string;
  /** `replay`, `paper`, `testnet` or `live`. */
  readonly exchange_kind: string;
  /** e.g. `testnet http://127.0.0.1:9000`; null when not adopted yet. */
  readonly venue: string | null;
  readonly quote_asset: string;
  readonly initial_quote: string;
}

/** The last equity snapshot of a UTC day, with the holdings' market values of that snapshot. */
export interface ReportDay {
  readonly day: string;
  readonly equity: string;
  readonly cash: string;
  /** Base asset → market value (quote) of the positions held at that snapshot. */
  readonly positions: Readonly<Record<string, string>>;
}

/** One fill of the account. */
export interface ReportFill {
  readonly filled_at: string;
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  readonly price: string;
  readonly quantity: string;
  readonly quote_quantity: string;
  readonly commission: string;
  readonly commission_asset: string;
  /** The commission valued in the quote asset. */
  readonly commission_quote: string;
}

/** One order of the account, with the execution quality the ledger recorded. */
export interface ReportOrder {
  readonly decided_at: string;
  readonly period: string;
  readonly run_kind: string;
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  readonly leg: string;
  readonly status: string;
  readonly decision_price: string;
  readonly avg_price: string | null;
  readonly executed_qty: string;
  readonly quote_qty: string;
  /** Signed so that a worse price than the decision price is positive (bps); null when not filled. */
  readonly slippage_bps: number | null;
  /** Decision-to-fill latency (ms), as the ledger recorded it; null when not filled. */
  readonly latency_ms: number | null;
  readonly reject_reason: string | null;
}

/** P/L of one asset at its latest position snapshot (quote asset). */
export interface ReportAssetPnl {
  readonly asset: string;
  readonly quantity: string;
  readonly market_value: string;
  readonly realized_pnl: string;
  readonly unrealized_pnl: string;
  readonly total_pnl: string;
  readonly fees: string;
}

/** Everything the account report shows. */
export interface AccountReportData {
  readonly account: ReportAccount;
  /** In day order. */
  readonly days: readonly ReportDay[];
  /** In time order. */
  readonly fills: readonly ReportFill[];
  /** In time order. */
  readonly orders: readonly ReportOrder[];
  /** By asset name. */
  readonly pnl: readonly ReportAssetPnl[];
}

/** Reads the report's data of an account. */
export interface AccountReportReader {
  /** The account's data, or null when the ledger has no account of that name. */
  accountReport(account: string): Promise<AccountReportData | null>;
}
