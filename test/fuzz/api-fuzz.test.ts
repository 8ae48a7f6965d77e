// The bounded fuzz run of `npm test` (the long one is `npm run fuzz`): see api-fuzzer.ts for what
// is sent and which properties every answer must meet.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';

import { ACTION_TABLE } from '../../src/api/action-table.js';
import { DATABASE_FILE_NAME } from '../../src/main.js';
import { TEST_CREDENTIALS } from '../support/environment.js';
import { startTestServer, type TestServer } from '../support/server.js';
import {
  ACTION_PARAMETERS,
  assertHealthy,
  fuzzCaseArbitrary,
  makeFixtures,
  newStatistics,
  rawCaseArbitrary,
  runCase,
  signedCaseArbitrary,
  storeDigest,
  type FuzzFixtures,
  type FuzzTarget,
} from './api-fuzzer.js';

/** Cases per property in `npm test`; FUZZ_RUNS overrides. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

describe('API fuzzing over HTTP (bounded run)', () => {
  let server: TestServer;
  let target: FuzzTarget;
  let fixtures: FuzzFixtures;
  const stats = newStatistics();

  before(async () => {
    server = await startTestServer();
    target = {
      port: server.port,
      endpoint: server.endpoint,
      credentials: TEST_CREDENTIALS,
      databasePath: join(server.dataDir, DATABASE_FILE_NAME),
    };
    fixtures = await makeFixtures(target);
  });

  after(async () => {
    await server?.close();
  });

  it('knows the parameters of exactly the actions of the action table', () => {
    assert.deepEqual(Object.keys(ACTION_PARAMETERS).sort(), [...ACTION_TABLE.keys()].sort());
  });

  it(`signed requests for every action with random, boundary and malformed parameters (${RUNS} cases): no 5xx, catalog errors, refusals change nothing`, async () => {
    const state = { digest: storeDigest(target.databasePath) };
    await fc.assert(
      fc.asyncProperty(signedCaseArbitrary(fixtures), async (fuzzCase) => {
        await runCase(target, fuzzCase, state, stats);
      }),
      { numRuns: RUNS },
    );
    await assertHealthy(target);
  });

  it(`unsigned, badly signed and malformed HTTP requests (${Math.ceil(RUNS / 2)} cases): no 5xx, catalog errors, nothing changes`, async () => {
    const state = { digest: storeDigest(target.databasePath) };
    await fc.assert(
      fc.asyncProperty(rawCaseArbitrary(target, fixtures), async (fuzzCase) => {
        await runCase(target, fuzzCase, state, stats);
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
    await assertHealthy(target);
  });

  it('every action was reached by at least one signed request that got past the signature', async () => {
    const state = { digest: storeDigest(target.databasePath) };
    for (const action of Object.keys(ACTION_PARAMETERS)) {
      const code = await runCase(
        target,
        {
          kind: 'signed',
          scheme: 'acs3',
          method: 'POST',
          action,
          version: '2016-01-20',
          params: [],
          placement: 'query',
          actionAsHeader: true,
        },
        state,
        stats,
      );
      // Past the signature and the action table: success, or a refusal of the action's own.
      assert.ok(
        !['IncompleteSignature', 'SignatureDoesNotMatch', 'InvalidAction.NotFound', 'SignatureNonceUsed'].includes(code),
        `${action}: ${code}`,
      );
    }
    await fc.assert(
      fc.asyncProperty(fuzzCaseArbitrary(target, fixtures), async (fuzzCase) => {
        await runCase(target, fuzzCase, state, stats);
      }),
      { numRuns: 20 },
    );
    assert.ok(stats.accepted > 0, 'no fuzzed request was ever accepted: the fuzzer does not reach the actions');
    process.stdout.write(`# fuzz statistics: ${JSON.stringify(stats)}\n`);
  });
});
