/** The environment the Lambda handler tests give jobs/lambda.ts `createHandler`. */

/** Where the handler reads its secret: the Parameters and Secrets Lambda Extension (stand-in) on `port`. */
export interface SecretsExtension {
  /** `BINANCE_SECRET_ID`: the Secrets Manager secret's id. */
  readonly secretId: string;
  /** `PARAMETERS_SECRETS_EXTENSION_HTTP_PORT`. */
  readonly port: string;
  /** `AWS_SESSION_TOKEN`, which the extension checks. */
  readonly sessionToken: string;
}

/**
 * The handler's environment: the package root `root` (`LAMBDA_TASK_ROOT`), the ledger at `databaseUrl`
 * (`DATABASE_URL`), the secret through the extension `secrets`, then `over` (log level, `REBALANCER_*`).
 */
export function lambdaEnv(
  root: string,
  databaseUrl: string,
  secrets: SecretsExtension,
  over: Record<string, string>,
): Record<string, string> {
  return {
    LAMBDA_TASK_ROOT: root,
    DATABASE_URL: databaseUrl,
    BINANCE_SECRET_ID: secrets.secretId,
    PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: secrets.port,
    AWS_SESSION_TOKEN: secrets.sessionToken,
    ...over,
  };
}
