// Every failure the API fuzzer found, kept as an explicit case: each request below once got an
// answer outside the catalog's shape. They run through the fuzzer's own checks (no 5xx, catalog
// JSON with Code, Message and RequestId, the store unchanged) and pin the code now answered.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { DATABASE_FILE_NAME } from '../../src/main.js';
import { serialize, signAcs3, type PreparedRequest } from '../support/acs3-signer.js';
import { TEST_CREDENTIALS } from '../support/environment.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { assertHealthy, newStatistics, runCase, sendBytes, storeDigest, type FuzzTarget } from './api-fuzzer.js';

interface Regression {
  readonly found: string;
  readonly build: (target: FuzzTarget) => Buffer;
  readonly expect: { readonly status: number; readonly code: string };
}

const signedEncrypt = (target: FuzzTarget): PreparedRequest =>
  signAcs3({ credentials: target.credentials, host: target.endpoint, action: 'Encrypt', query: { KeyId: 'alias/none', Plaintext: 'p' } });

const REGRESSIONS: readonly Regression[] = [
  {
    // node's HTTP server answered a bare 400 with no body before Arca saw the request.
    found: 'an HTTP/1.1 request without a Host header',
    build: (target) =>
      Buffer.from(
        serialize(signedEncrypt(target))
          .toString('latin1')
          .replace(/host: [^\r]*\r\n/, ''),
        'latin1',
      ),
    expect: { status: 400, code: 'IncompleteSignature' },
  },
  {
    // The router refused the path with the framework's own JSON (FST_ERR_BAD_URL), no RequestId.
    found: 'a path with a bare percent sign (/%)',
    build: (target) => Buffer.from(`GET /% HTTP/1.1\r\nhost: ${target.endpoint}\r\nconnection: close\r\n\r\n`, 'latin1'),
    expect: { status: 400, code: 'InvalidParameter' },
  },
  {
    found: 'a signed request whose path holds a broken escape before the query (/%zz?Action=…)',
    build: (target) => {
      const prepared = signedEncrypt(target);
      prepared.path = `/%zz${prepared.path.slice(1)}`;
      return serialize(prepared);
    },
    expect: { status: 400, code: 'InvalidParameter' },
  },
];

describe('API fuzzer findings, kept as regression cases', () => {
  let server: TestServer;
  let target: FuzzTarget;

  before(async () => {
    server = await startTestServer();
    target = {
      port: server.port,
      endpoint: server.endpoint,
      credentials: TEST_CREDENTIALS,
      databasePath: join(server.dataDir, DATABASE_FILE_NAME),
    };
  });

  after(async () => {
    await server?.close();
  });

  for (const regression of REGRESSIONS) {
    it(`${regression.found} is answered ${regression.expect.status} ${regression.expect.code} in the catalog's shape`, async () => {
      const bytes = regression.build(target);
      await runCase(
        target,
        { kind: 'raw', description: regression.found, bytes },
        { digest: storeDigest(target.databasePath) },
        newStatistics(),
      );
      const answer = await sendBytes(target, regression.build(target));
      assert.deepEqual({ status: answer.status, code: (JSON.parse(answer.text) as { Code: string }).Code }, regression.expect, answer.text);
      await assertHealthy(target);
    });
  }
});
