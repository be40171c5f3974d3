/**
 * The AWS deployment checked by machines (issue 11 item 3):
 * - deploy/aws/template.yaml validates with ajv against the AWS SAM JSON schema (aws-sam-translator's
 *   `schema_source/sam.schema.json`, vendored with its provenance in test/fixtures/aws/): it knows
 *   ScheduleV2, so a misspelt ScheduleV2 property or an unknown event type fails it (checked below on
 *   mutated copies, so the check can fail);
 * - it passes cfn-lint (it runs the SAM transform — aws-sam-translator — and validates the result against
 *   the CloudFormation resource specification): a misspelt property or an unknown runtime fails it.
 * - the keys the issue requires, read with the `yaml` parser: esbuild build, Node 20+ runtime, ScheduleV2
 *   at 00:05 UTC with ScheduleExpressionTimezone UTC and a retry policy, the secret from Secrets Manager,
 *   the intraday slot DISABLED.
 * - `npm run build:lambda`: the zip is under the 5 MB target, and the bundle runs on its own (copied
 *   outside the package, no node_modules): without DATABASE_URL it refuses PGlite with exit code 78.
 * cfn-lint comes from pip/apt (.ci/run installs it when missing).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { useTempDirs } from '../support/temp-dirs.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TEMPLATE = path.join(ROOT, 'deploy', 'aws', 'template.yaml');

/** CloudFormation short-form tags (!Ref, !GetAtt, …) read as plain values. */
const CFN_TAGS = ['Ref', 'GetAtt', 'Sub', 'Join', 'FindInMap', 'If', 'Select', 'Split'].map((t) => ({
  tag: `!${t}`,
  resolve: (v: unknown) => ({ [t]: v }),
}));
/**
 * The same tags in their long form (`!Sub x` = `{"Fn::Sub": x}`, `!Ref x` = `{"Ref": x}`), as CloudFormation
 * reads them: what the SAM schema's intrinsic-function branches expect.
 */
const CFN_LONG_TAGS = ['Ref', 'GetAtt', 'Sub', 'Join', 'FindInMap', 'If', 'Select', 'Split'].map((t) => ({
  tag: `!${t}`,
  resolve: (v: unknown) => ({ [t === 'Ref' ? 'Ref' : `Fn::${t}`]: v }),
}));

const SAM_SCHEMA = path.join(ROOT, 'test', 'fixtures', 'aws', 'sam.schema.json');
/** Keywords whose meaning is the same in JSON Schema draft-04 (the file's `$schema`) and draft-07 (ajv 8). */
const DRAFT4_EQUALS_DRAFT7 = new Set([
  ...['$ref', 'type', 'properties', 'additionalProperties', 'required', 'enum', 'pattern', 'items'],
  ...['allOf', 'anyOf', 'oneOf', 'not', 'minimum', 'maximum', 'minLength', 'maxLength', 'minItems'],
  ...['maxItems', 'uniqueItems', 'patternProperties', 'format', 'definitions', 'default'],
]);
/** Annotations: ignored by validation (ajv strict: false). */
const ANNOTATIONS = new Set([
  ...['$schema', 'title', 'description', 'markdownDescription', 'markdownDescriptionOverride'],
  ...['__samPassThrough', 'deprecated', 'examples'],
]);

const tempDir = useTempDirs('lambda-bundle-');

describe('deploy/aws/template.yaml', () => {
  describe('against the AWS SAM JSON schema (ajv)', () => {
    // biome-ignore lint/suspicious/noExplicitAny: a JSON schema
    const schema = JSON.parse(readFileSync(SAM_SCHEMA, 'utf8')) as any;
    const template = () =>
      // biome-ignore lint/suspicious/noExplicitAny: a parsed YAML document
      parseYaml(readFileSync(TEMPLATE, 'utf8'), { customTags: CFN_LONG_TAGS }) as any;
    const compile = () => {
      const { $schema: _draft4, ...rest } = schema;
      return new Ajv({ strict: false, allErrors: true }).compile(rest);
    };

    it('the vendored schema is draft-04 using only keywords draft-07 reads the same way', () => {
      expect(schema.$schema).toBe('http://json-schema.org/draft-04/schema#');
      const keywords = new Set<string>();
      const walk = (node: unknown, inMap: boolean): void => {
        if (Array.isArray(node)) for (const x of node) walk(x, false);
        else if (node !== null && typeof node === 'object')
          for (const [k, v] of Object.entries(node)) {
            if (!inMap) keywords.add(k);
            // The values of properties/definitions/patternProperties are maps of names → schemas.
            const isMap = !inMap && ['properties', 'definitions', 'patternProperties'].includes(k);
            if (!inMap && (k === 'enum' || k === 'default' || k === 'examples' || k === '__samPassThrough'))
              continue;
            walk(v, isMap);
          }
      };
      walk(schema, false);
      const other = [...keywords].filter((k) => !DRAFT4_EQUALS_DRAFT7.has(k) && !ANNOTATIONS.has(k));
      expect(other).toEqual([]);
      // It knows ScheduleV2 and its timezone and retry policy (the pre-2023 schema did not).
      const v2 =
        schema.definitions
          .samtranslator__internal__schema_source__aws_serverless_function__ScheduleV2EventProperties;
      expect(Object.keys(v2.properties)).toEqual(
        expect.arrayContaining([
          'ScheduleExpression',
          'ScheduleExpressionTimezone',
          'RetryPolicy',
          'Input',
          'State',
        ]),
      );
    });

    it('validates the template', () => {
      const validate = compile();
      const ok = validate(template());
      expect(validate.errors ?? [], 'SAM schema errors').toEqual([]);
      expect(ok).toBe(true);
    });

    it('fails a misspelt ScheduleV2 property and an unknown event type (the check can fail)', () => {
      const validate = compile();
      const misspelt = template();
      const daily = misspelt.Resources.RebalanceFunction.Properties.Events.DailyRebalance.Properties;
      daily.ScheduleExpresionTimezone = daily.ScheduleExpressionTimezone;
      delete daily.ScheduleExpressionTimezone;
      expect(validate(misspelt)).toBe(false);
      expect(validate.errors).toContainEqual(
        expect.objectContaining({
          instancePath: '/Resources/RebalanceFunction/Properties/Events/DailyRebalance/Properties',
          keyword: 'additionalProperties',
          params: { additionalProperty: 'ScheduleExpresionTimezone' },
        }),
      );
      const unknownType = template();
      unknownType.Resources.RebalanceFunction.Properties.Events.DailyRebalance.Type = 'ScheduleV3';
      expect(validate(unknownType)).toBe(false);
    });
  });

  it('passes cfn-lint (SAM transform + CloudFormation resource specification)', () => {
    const r = spawnSync('cfn-lint', [TEMPLATE], { encoding: 'utf8' });
    expect(r.error, 'cfn-lint missing: pip install cfn-lint (or apt-get install cfn-lint)').toBeUndefined();
    expect(`${r.stdout}${r.stderr}`).toBe('');
    expect(r.status).toBe(0);
  });

  it('builds with esbuild for Node 20+, schedules 00:05 UTC with retries, reads the secret; intraday slot disabled', () => {
    // biome-ignore lint/suspicious/noExplicitAny: a parsed YAML document
    const t = parseYaml(readFileSync(TEMPLATE, 'utf8'), { customTags: CFN_TAGS }) as any;
    const fn = t.Resources.RebalanceFunction;
    expect(t.Transform).toBe('AWS::Serverless-2016-10-31');
    expect(fn.Type).toBe('AWS::Serverless::Function');
    expect(fn.Metadata.BuildMethod).toBe('esbuild');
    expect(fn.Metadata.BuildProperties.EntryPoints).toEqual(['jobs/lambda.ts']);
    expect(Number(/^nodejs(\d+)\.x$/.exec(fn.Properties.Runtime)?.[1])).toBeGreaterThanOrEqual(20);
    expect(fn.Properties.Handler).toBe('lambda.handler');
    expect(fn.Properties.Environment.Variables.BINANCE_SECRET_ID).toEqual({ Ref: 'BinanceSecretArn' });
    expect(fn.Properties.Policies).toContainEqual({
      AWSSecretsManagerGetSecretValuePolicy: { SecretArn: { Ref: 'BinanceSecretArn' } },
    });
    const daily = fn.Properties.Events.DailyRebalance;
    expect(daily.Type).toBe('ScheduleV2');
    // EventBridge Scheduler cron: minutes hours day-of-month month day-of-week year → 00:05 every day.
    expect(daily.Properties.ScheduleExpression).toBe('cron(5 0 * * ? *)');
    expect(daily.Properties.ScheduleExpressionTimezone).toBe('UTC');
    expect(JSON.parse(daily.Properties.Input)).toEqual({ job: 'rebalance' });
    expect(daily.Properties.RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
    const intraday = fn.Properties.Events.IntradaySlot;
    expect(intraday.Properties.State).toBe('DISABLED');
    expect(JSON.parse(intraday.Properties.Input)).toEqual({ job: 'intraday' });
  });
});

describe('npm run build:lambda', () => {
  it('zips under 5 MB, and the bundle alone refuses PGlite (exit code 78) without DATABASE_URL', () => {
    const out = execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-lambda.mjs')], {
      encoding: 'utf8',
    });
    const m = /zipped (\d+\.\d\d) MB \(target < 5\.00 MB\)/.exec(out);
    expect(m, out).not.toBeNull();
    expect(Number(m?.[1])).toBeLessThan(5);
    const dir = tempDir({});
    copyFileSync(path.join(ROOT, 'dist', 'lambda', 'lambda.mjs'), path.join(dir, 'lambda.mjs'));
    const env: NodeJS.ProcessEnv = { ...process.env, LAMBDA_TASK_ROOT: dir };
    delete env.DATABASE_URL;
    const r = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(path.join(dir, 'lambda.mjs'))});
         try { await m.handler({ job: 'rebalance' }); console.log('no error'); }
         catch (e) { console.log(JSON.stringify({ name: e.name, exitCode: e.exitCode, message: e.message })); }`,
      ],
      { cwd: dir, env, encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({
      name: 'ConfigError',
      exitCode: 78,
      message: expect.stringMatching(/DATABASE_URL: required on AWS Lambda/),
    });
  });
});
