/**
 * One job on adapters opened for it (the one-shot commands and the Lambda handler): the adapters are
 * closed (ledger, instance lock) before the job's result or error goes further, e.g. to the notifications
 * (src/compose/notify.ts: notifications go out after the run, adapters closed).
 */

/**
 * Awaits the adapters `opened`, runs `use` on them and closes them whether `use` returned or threw. An
 * error of the close is swallowed: the job's rows are written, its result or error is the outcome.
 * @returns what `use` returned. @throws what `opened` or `use` threw.
 */
export async function withAdapters<A extends { close(): Promise<void> }, R>(
  opened: Promise<A>,
  use: (adapters: A) => Promise<R>,
): Promise<R> {
  const adapters = await opened;
  try {
    return await use(adapters);
  } finally {
    await adapters.close().catch(() => {});
  }
}
