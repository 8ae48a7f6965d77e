// The long API fuzz run: `npm run fuzz -- --runs 20000 [--seed N]`. It starts a server in this
// process (SQLite in a temporary directory, real HTTP on 127.0.0.1), then runs the properties of
// test/fuzz/api-fuzzer.ts over `--runs` signed requests and half as many malformed ones, and
// prints the counts. A failure prints fast-check's counterexample and seed (rerun it with
// `--seed`) and exits 1.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import fc from 'fast-check';

import { DATABASE_FILE_NAME } from '../src/main.js';
import {
  assertHealthy,
  makeFixtures,
  newStatistics,
  rawCaseArbitrary,
  runCase,
  signedCaseArbitrary,
  storeDigest,
  type FuzzTarget,
} from '../test/fuzz/api-fuzzer.js';
import { TEST_CREDENTIALS } from '../test/support/environment.js';
import { startTestServer } from '../test/support/server.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5000' }, seed: { type: 'string' } } });
const runs = Number(values.runs);
if (!Number.isSafeInteger(runs) || runs < 1) throw new Error('--runs takes a positive whole number');
const seed = values.seed === undefined ? Date.now() | 0 : Number(values.seed);

const server = await startTestServer();
const target: FuzzTarget = {
  port: server.port,
  endpoint: server.endpoint,
  credentials: TEST_CREDENTIALS,
  databasePath: join(server.dataDir, DATABASE_FILE_NAME),
};
const stats = newStatistics();
const started = performance.now();
let failed = false;
try {
  const fixtures = await makeFixtures(target);
  const state = { digest: storeDigest(target.databasePath) };
  for (const [name, arbitrary, numRuns] of [
    ['signed', signedCaseArbitrary(fixtures), runs],
    ['malformed', rawCaseArbitrary(target, fixtures), Math.ceil(runs / 2)],
  ] as const) {
    const details = await fc.check(
      fc.asyncProperty(arbitrary, async (fuzzCase) => {
        await runCase(target, fuzzCase, state, stats);
      }),
      { numRuns, seed },
    );
    if (details.failed) {
      failed = true;
      process.stderr.write(`${name} requests: ${fc.defaultReportMessage(details) ?? 'failed'}\n`);
    }
  }
  await assertHealthy(target);
} finally {
  await server.close();
}
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  `${JSON.stringify({ seed, runs, seconds: Math.round(seconds), requestsPerSecond: Math.round(stats.requests / seconds), ...stats }, null, 2)}\n`,
);
process.exit(failed ? 1 : 0);
