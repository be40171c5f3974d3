/**
 * How the provisioner recognises what it made: a marker line at the end of the object's `description`,
 * e.g. `[managed by momentum-rebalancer: card=equity]`. Objects without it were made by hand: the
 * provisioner never deletes them and updates them only with `--adopt`.
 */

/** The kinds of object the provisioner makes. */
export type ManagedKind = 'collection' | 'card' | 'dashboard';

const PREFIX = '[managed by momentum-rebalancer:';

/** The marker of a managed object: `kind` and its key (card key, dashboard name, collection name). */
export function managedMarker(kind: ManagedKind, key: string): string {
  return `${PREFIX} ${kind}=${key}]`;
}

/** True when `description` carries the marker of this `kind` and `key`. */
export function hasMarker(description: unknown, kind: ManagedKind, key: string): boolean {
  return typeof description === 'string' && description.includes(managedMarker(kind, key));
}

/** True when `description` carries any marker of the provisioner. */
export function isManaged(description: unknown): boolean {
  return typeof description === 'string' && description.includes(PREFIX);
}
