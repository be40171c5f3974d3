/**
 * The {@link Notifier} over notification channels (issue 11 item 4): `send` starts one delivery per
 * channel for the event types selected by `[notify] on` and returns at once; each delivery is bounded by
 * its attempts' timeouts and the finite backoff ({@link deliveryCapMs}), so `settle` is bounded too. (No
 * separate total timer: a busy event loop — e.g. Node loading its fetch implementation on first use —
 * could fire it before the first attempt was even sent.) A delivery that gives up is logged as a warning (channel, event type, attempts, the
 * redacted reason) and nothing else happens: a notification never fails a job.
 */
import type { Logger } from 'pino';
import type { Notifier, NotifyChannel, NotifyEvent, NotifyEventType } from '../../ports/notifier.ts';
import { deliveryCapMs, type RetryPolicy } from './http-post.ts';

/** What {@link channelNotifier} needs. */
export interface ChannelNotifierOptions {
  readonly channels: readonly NotifyChannel[];
  /** The event types to send (`[notify] on`). */
  readonly on: ReadonlySet<NotifyEventType>;
  readonly policy: RetryPolicy;
  readonly logger: Logger;
}

/** A notifier delivering to `opts.channels`; with no channel it does nothing and `capMs` is 0. */
export function channelNotifier(opts: ChannelNotifierOptions): Notifier {
  const log = opts.logger.child({ component: 'notify' });
  const capMs = opts.channels.length === 0 ? 0 : deliveryCapMs(opts.policy);
  const pending = new Set<Promise<void>>();
  const deliver = async (channel: NotifyChannel, event: NotifyEvent): Promise<void> => {
    try {
      const r = await channel.deliver(event);
      if (r.ok)
        log.info({ channel: channel.name, event: event.type, attempts: r.attempts }, 'notification sent');
      else
        log.warn(
          { channel: channel.name, event: event.type, attempts: r.attempts, error: r.error },
          'notification not delivered (the job is not affected)',
        );
    } catch (err) {
      // A channel must not throw; if one does, its message is not trusted to be free of secrets.
      log.warn(
        { channel: channel.name, event: event.type, error: (err as Error)?.name ?? 'Error' },
        'notification not delivered (the job is not affected)',
      );
    }
  };
  return {
    capMs,
    send(event) {
      if (!opts.on.has(event.type)) return;
      for (const channel of opts.channels) {
        const p = deliver(channel, event);
        pending.add(p);
        void p.finally(() => pending.delete(p));
      }
    },
    async settle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
