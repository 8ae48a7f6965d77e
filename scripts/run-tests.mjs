#!/usr/bin/env node
// Runs every test file under test/ with Node's own test runner (TypeScript through tsx).
// Node 20's runner takes no glob patterns, so the files are found here. Arguments narrow the run
// to the files whose path contains one of them (`npm test -- sm4`).
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);
// Suites that must exist and run in a full run: a missing folder is a failure, not a pass.
// test/hsm needs SoftHSM2: with ARCA_REQUIRE_HSM=1 (set by .ci/run) or CI=true it is required
// too, and its files fail instead of skipping when the token cannot be reached
// (test/support/softhsm.ts).
const REQUIRED_SUITES = ['test/crypto', 'test/domain', 'test/keystore', 'test/protection', 'test/api', 'test/pipeline', 'test/e2e'];
if (process.env.ARCA_REQUIRE_HSM === '1' || process.env.CI === 'true') REQUIRED_SUITES.push('test/hsm');

function findTests(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return findTests(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const files = findTests(join(root, 'test'))
  .map((file) => relative(root, file))
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();

if (files.length === 0) {
  console.error('run-tests: no test files matched');
  process.exit(1);
}
if (filters.length === 0) {
  const missing = REQUIRED_SUITES.filter((suite) => !files.some((file) => file.startsWith(`${suite}/`)));
  if (missing.length > 0) {
    console.error(`run-tests: required suites have no tests: ${missing.join(', ')}`);
    process.exit(1);
  }
}

const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
