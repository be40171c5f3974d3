/**
 * Errors of the Metabase provisioner, each with the process exit code the CLI uses
 * (src/cli/exit-codes.ts: 69 unavailable, 77 no permission, 78 config). Messages never hold a secret:
 * they name the URL, the endpoint and the auth method, never a password, session id or API key.
 */
import { exitCodeError } from '../ports/exit-code-error.ts';
import { METABASE_VERSION } from './version.ts';

/** Metabase could not be reached (connection refused, DNS, timeout, 5xx after retries). Exit 69. */
export class MetabaseUnreachableError extends exitCodeError('MetabaseUnreachableError', 69) {}

/** Metabase refused the credentials (401/403); the message names the auth method. Exit 77. */
export class MetabaseAuthError extends exitCodeError('MetabaseAuthError', 77) {}

/**
 * An endpoint answered 404 where Metabase {@link METABASE_VERSION} has it: the instance is another
 * version (or the URL is not Metabase's root). Exit 69.
 */
export class MetabaseEndpointMissingError extends exitCodeError('MetabaseEndpointMissingError', 69) {
  constructor(
    readonly endpoint: string,
    readonly url: string,
  ) {
    super(
      `this Metabase version lacks ${endpoint} (404 from ${url}); the provisioner is pinned to Metabase ${METABASE_VERSION}.x — check the version of the instance and that --url is Metabase's root URL`,
    );
  }
}

/** Metabase refused a request (4xx other than 401/403/404): names the endpoint and Metabase's message. Exit 1. */
export class MetabaseRequestError extends exitCodeError('MetabaseRequestError', 1) {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Bad provisioner configuration (a missing env var, a bad spec file, no database to use). Exit 78. */
export class MetabaseConfigError extends exitCodeError('MetabaseConfigError', 78) {}
