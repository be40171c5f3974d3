/**
 * The webhook channel (issue 11 item 4): each event is POSTed as one JSON object to `[notify] webhook_url`
 * — the event's own fields (src/ports/notifier.ts, `type` first) plus `text`, its plain-text rendering
 * (so Slack-style incoming webhooks show it as is). Only the URL's host is ever logged: a webhook URL often
 * carries its secret in the path.
 */
import type { NotifyChannel, NotifyEvent } from '../../ports/notifier.ts';
import { postJson, type RetryPolicy } from './http-post.ts';
import { messageText } from './message-text.ts';

/** The JSON body POSTed for `event`: `{ type, …fields, text }`. */
export function webhookBody(event: NotifyEvent): Record<string, unknown> {
  return { ...event, text: messageText(event) };
}

/**
 * A channel POSTing to `url` (http or https) with `policy`'s timeout and retries.
 * @param url the full webhook URL; its path and query are treated as secret (never logged).
 */
export function webhookChannel(url: string, policy: RetryPolicy): NotifyChannel {
  const u = new URL(url);
  const name = `webhook ${u.host}`;
  const secrets = [u.pathname.length > 1 ? u.pathname : '', u.search, u.password].filter((s) => s !== '');
  return {
    name,
    async deliver(event, signal) {
      const r = await postJson({
        url,
        body: webhookBody(event),
        what: name,
        policy,
        secrets,
        ...(signal ? { signal } : {}),
      });
      return r.error === undefined
        ? { ok: r.ok, attempts: r.attempts }
        : { ok: r.ok, attempts: r.attempts, error: r.error };
    },
  };
}
