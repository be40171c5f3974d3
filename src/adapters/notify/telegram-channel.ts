/**
 * The Telegram channel (issue 11 item 4): Bot API `POST <base>/bot<token>/sendMessage` with the JSON body
 * `{ chat_id, text, disable_web_page_preview: true }` (https://core.telegram.org/bots/api#sendmessage),
 * plain text (no parse_mode). The token is part of the URL: it is removed from every error text, and the
 * channel is named `telegram` in logs (never the URL).
 */
import type { NotifyChannel } from '../../ports/notifier.ts';
import { postJson, type RetryPolicy } from './http-post.ts';
import { messageText } from './message-text.ts';

/** The default Bot API base URL. */
export const TELEGRAM_API_URL = 'https://api.telegram.org';

/** What the Telegram channel needs. */
export interface TelegramOptions {
  /** The bot token (env TELEGRAM_TOKEN); a secret. */
  readonly token: string;
  /** Target chat: a numeric id or `@channelusername`. */
  readonly chatId: string;
  /** Bot API base URL (`[notify] telegram_api_url`; a stand-in server in tests). */
  readonly baseUrl?: string;
  readonly policy: RetryPolicy;
}

/** Telegram's error answer `{ ok: false, error_code, description }` as a short reason. */
function describe(_status: number, text: string): string {
  try {
    const d = (JSON.parse(text) as { description?: unknown }).description;
    return typeof d === 'string' ? d.slice(0, 200) : '';
  } catch {
    return '';
  }
}

/** A channel sending every event as a Telegram message to `opts.chatId`. */
export function telegramChannel(opts: TelegramOptions): NotifyChannel {
  const base = (opts.baseUrl ?? TELEGRAM_API_URL).replace(/\/+$/, '');
  const url = `${base}/bot${opts.token}/sendMessage`;
  const secrets = [opts.token, encodeURIComponent(opts.token)];
  return {
    name: 'telegram',
    async deliver(event, signal) {
      const body = { chat_id: opts.chatId, text: messageText(event), disable_web_page_preview: true };
      const r = await postJson({
        url,
        body,
        what: 'telegram sendMessage',
        policy: opts.policy,
        secrets,
        ...(signal ? { signal } : {}),
        describe,
      });
      return r.error === undefined
        ? { ok: r.ok, attempts: r.attempts }
        : { ok: r.ok, attempts: r.attempts, error: r.error };
    },
  };
}
