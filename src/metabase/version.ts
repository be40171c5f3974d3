/**
 * The Metabase version the provisioner is written and checked against (README "Dashboards (Metabase)").
 *
 * The request bodies are checked in the tests against the OpenAPI subset in test/fixtures/metabase/, cut
 * from metabase/metabase `docs/api.json` at commit {@link METABASE_SPEC_COMMIT}. That document carries no
 * version; its `GET /api/card/{id}` text says "As of v57", so it is v57 or later (an inference, see
 * test/fixtures/metabase/README.md). Nothing here was run against a live Metabase.
 */

/** The pinned Metabase release line (`GET /api/session/properties` → `version.tag` starts with it). */
export const METABASE_VERSION = 'v0.57';

/** The commit of metabase/metabase `docs/api.json` the request schemas come from. */
export const METABASE_SPEC_COMMIT = '001e7eaa6d520f3fab0134e18f3e7bd926eb74aa';

/**
 * True when a `version.tag` reported by Metabase (`v0.57.3`, `v1.57.3` for the Enterprise build) is on
 * the pinned release line. `undefined` (not reported) is treated as unknown → false.
 */
export function isPinnedVersion(tag: string | undefined): boolean {
  if (tag === undefined) return false;
  const m = /^v[01]\.(\d+)(?:\.|$)/.exec(tag);
  return m !== null && m[1] === METABASE_VERSION.slice('v0.'.length);
}
