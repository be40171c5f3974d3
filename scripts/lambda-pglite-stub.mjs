// Stand-in for @electric-sql/pglite in the Lambda bundle (scripts/build-lambda.mjs): the embedded ledger
// is refused on Lambda (jobs/lambda.ts checks DATABASE_URL first), so its 10 MB of WASM is not shipped.
export class PGlite {
  constructor() {
    throw new Error('the embedded PGlite ledger is not available on AWS Lambda: set DATABASE_URL');
  }
}
