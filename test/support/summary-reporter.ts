/**
 * Vitest reporter that ends the run with the plain line `N passed, N failed`, which CI reads (vitest's
 * own summary is decorated and not parsed there). Skipped tests are counted on the line before it.
 *
 * A test that did not run because a hook of its suite or file failed (a `beforeAll` that throws, a
 * database that is not there) is counted as failed, not skipped: vitest reports such tests as skipped
 * and only the suite as failed, which would otherwise read as "0 failed".
 */
import type { Reporter, TestCase, TestModule, TestSuite } from 'vitest/node';

/** True when the test's suite, an enclosing suite or its file recorded an error (a failed hook). */
function underFailedHook(test: TestCase): boolean {
  for (let p: TestSuite | TestModule = test.parent; ; p = p.parent) {
    if (p.errors().length > 0) return true;
    if (p.type === 'module') return false;
  }
}

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const mod of testModules) {
      const tests = [...mod.children.allTests()];
      // A file that failed to load (syntax error, failing import) counts as one failure.
      if (mod.state() === 'failed' && tests.length === 0) failed += 1;
      for (const test of tests) {
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed' || underFailedHook(test)) failed += 1;
        else skipped += 1;
      }
    }
    failed += unhandledErrors.length;
    const skippedLine = skipped > 0 ? `${skipped} skipped\n` : '';
    process.stdout.write(`\n${skippedLine}${passed} passed, ${failed} failed\n`);
  }
}
