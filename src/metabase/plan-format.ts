/**
 * The provisioner's plan as text: one line per object, what will be done to it and why.
 */

/** One step of the plan. `untouched`: same name outside the collection; `conflict`: blocks the run. */
export interface PlanStep {
  readonly action: 'create' | 'update' | 'use' | 'untouched' | 'conflict' | 'note';
  readonly kind: 'setup' | 'database' | 'collection' | 'card' | 'dashboard';
  readonly id?: number;
  readonly name: string;
  readonly note?: string;
}

/** The plan as printed (with a header naming the URL, the reported and the pinned version). */
export function formatPlan(
  url: string,
  version: string | undefined,
  plan: readonly PlanStep[],
  dryRun: boolean,
): string {
  const head = `Metabase plan for ${url} (Metabase ${version ?? 'version not reported'})${dryRun ? ' — dry run, nothing will be changed' : ''}:`;
  const lines = plan.map((s) => {
    const what = `${s.action.padEnd(9)} ${s.kind.padEnd(10)} ${s.id !== undefined ? `#${s.id} ` : ''}"${s.name}"`;
    return `  ${what}${s.note !== undefined ? ` — ${s.note}` : ''}`;
  });
  return [head, ...lines].join('\n');
}
