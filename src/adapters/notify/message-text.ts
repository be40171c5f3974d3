/**
 * The plain-text rendering of a notification event (Telegram's message, the webhook's `text` field for
 * Slack-style receivers). Plain text only (no Markdown/HTML parse mode: nothing to escape). Figures are
 * the event's exact decimal strings, unrounded.
 */
import type { NotifyEvent } from '../../ports/notifier.ts';

/** Telegram's limit of one message (Bot API sendMessage: 1-4096 characters after entities parsing). */
export const MAX_TEXT = 4096;

/** The message text of `event`: a title line, then one fact per line; at most {@link MAX_TEXT} characters. */
export function messageText(event: NotifyEvent): string {
  const head = `${event.account} (${event.venue})`;
  const lines: string[] = [];
  switch (event.type) {
    case 'summary': {
      lines.push(`Rebalance ${event.period} ${event.status}: ${head}`);
      if (event.exit_reason) lines.push(`reason: ${event.exit_reason}`);
      lines.push(
        `orders: ${event.orders.total} (filled ${event.orders.filled}, rejected ${event.orders.rejected})`,
      );
      lines.push(`fees: ${event.fees} ${event.quote_asset}`);
      if (event.equity !== null) lines.push(`equity: ${event.equity} ${event.quote_asset}`);
      if (event.pnl !== null)
        lines.push(
          `P/L: ${event.pnl.total} ${event.quote_asset} (realized ${event.pnl.realized}, unrealized ${event.pnl.unrealized})`,
        );
      break;
    }
    case 'failure':
      lines.push(`FAILED ${event.job}: ${head}`);
      lines.push(`${event.error}: ${event.message}`);
      lines.push(`exit code ${event.exit_code}`);
      break;
    case 'reconciliation':
      lines.push(`Reconciliation differences ${event.period}: ${head}`);
      for (const d of event.differences)
        lines.push(
          `${d.phase} ${d.asset}: ledger ${d.expected}, exchange ${d.actual}, difference ${d.difference}${d.note ? ` (${d.note})` : ''}`,
        );
      break;
    case 'exit':
      lines.push(`Exit ${event.symbol} (${event.reason}): ${head}`);
      if (event.level !== null) lines.push(`level: ${event.level}`);
      lines.push(`quantity: ${event.quantity}${event.price !== null ? ` at ${event.price}` : ''}`);
      break;
    case 'halt':
      lines.push(`Account ${event.state}: ${head}`);
      lines.push(`reason: ${event.reason}`);
      break;
  }
  lines.push(event.at);
  const text = lines.join('\n');
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}
