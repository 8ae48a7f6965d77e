// Signature and replay cases that test/e2e/signatures.test.ts does not already hold: a replay that
// changes only unsigned parts, a nonce reused across the two schemes, a replay after 14 minutes,
// and an access key revoked in the store.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';

import { DATABASE_FILE_NAME } from '../../src/main.js';
import { callOk, newNonce, send, signAcs3, signV1, type HttpResponse } from '../support/acs3-signer.js';
import { newDataDir, removeDataDirs } from '../support/data-dirs.js';
import { TEST_CREDENTIALS } from '../support/environment.js';
import { startTestServer, type TestServer } from '../support/server.js';

const MINUTE_MS = 60_000;

function assertRefused(response: HttpResponse, status: number, code: string): void {
  assert.equal(response.status, status, response.text);
  assert.equal(response.json?.Code, code, response.text);
  assert.equal(typeof response.json?.RequestId, 'string', response.text);
  assert.equal(response.headers['x-acs-request-id'], response.json.RequestId);
}

describe('replays that change only what the signature does not cover', () => {
  let server: TestServer;

  after(async () => {
    await server?.close();
  });

  it('a replay with unsigned headers added or changed, or sent as a GET of the same target, is still refused', async () => {
    server = await startTestServer();
    const original = signAcs3({
      credentials: TEST_CREDENTIALS,
      host: server.endpoint,
      action: 'CreateKey',
      query: { Description: 'once' },
    });
    assert.equal((await send(server, original)).status, 200);
    const count = async (): Promise<number> => (await callOk(server, TEST_CREDENTIALS, 'ListKeys', { PageSize: '100' })).TotalCount;
    const keysAfterFirst = await count();

    const withUnsignedHeaders = {
      ...original,
      headers: { ...original.headers, accept: 'text/plain', 'user-agent': 'replayer/1.0', 'x-forwarded-for': '10.0.0.1' },
    };
    assertRefused(await send(server, withUnsignedHeaders), 400, 'SignatureNonceUsed');
    // The method is signed: the GET copy fails its signature before its nonce is looked at.
    assertRefused(await send(server, { ...original, method: 'GET' }), 400, 'SignatureDoesNotMatch');
    assert.equal(await count(), keysAfterFirst, 'a replay created a key');
  });

  it('a nonce used by an ACS3 request is refused in a signature 1.0 request of the same key, and the other way round', async () => {
    const nonce = newNonce();
    assert.equal(
      (await send(server, signAcs3({ credentials: TEST_CREDENTIALS, host: server.endpoint, action: 'DescribeRegions', nonce }))).status,
      200,
    );
    assertRefused(
      await send(server, signV1({ credentials: TEST_CREDENTIALS, host: server.endpoint, action: 'DescribeRegions', nonce })),
      400,
      'SignatureNonceUsed',
    );

    const other = newNonce();
    assert.equal(
      (await send(server, signV1({ credentials: TEST_CREDENTIALS, host: server.endpoint, action: 'DescribeRegions', nonce: other })))
        .status,
      200,
    );
    assertRefused(
      await send(server, signAcs3({ credentials: TEST_CREDENTIALS, host: server.endpoint, action: 'DescribeRegions', nonce: other })),
      400,
      'SignatureNonceUsed',
    );
  });

  it('a request dated 14 minutes ago is accepted once and its replay refused; dated 16 minutes ago it is refused outright', async () => {
    const fourteen = signAcs3({
      credentials: TEST_CREDENTIALS,
      host: server.endpoint,
      action: 'DescribeRegions',
      date: Date.now() - 14 * MINUTE_MS,
    });
    assert.equal((await send(server, fourteen)).status, 200);
    assertRefused(await send(server, fourteen), 400, 'SignatureNonceUsed');
    const sixteen = signV1({
      credentials: TEST_CREDENTIALS,
      host: server.endpoint,
      action: 'DescribeRegions',
      timestamp: Date.now() + 16 * MINUTE_MS,
    });
    assertRefused(await send(server, sixteen), 400, 'InvalidTimeStamp.Expired');
  });
});

describe('a revoked access key', () => {
  after(removeDataDirs);

  it('once disabled in the store, its requests are refused with 404 InvalidAccessKeyId.NotFound under both schemes, even correctly signed', async () => {
    const dataDir = newDataDir('arca-revoked-');
    const first = await startTestServer({ dataDir });
    assert.equal((await callOk(first, TEST_CREDENTIALS, 'DescribeRegions')).RequestId.length > 0, true);
    await first.close({ keepData: true });

    // Arca has no API to revoke a key yet; the store is where revocation lands.
    const db = new Database(join(dataDir, DATABASE_FILE_NAME));
    assert.equal(db.prepare('UPDATE access_keys SET enabled = 0 WHERE access_key_id = ?').run(TEST_CREDENTIALS.accessKeyId).changes, 1);
    db.close();

    // No ARCA_ACCESS_KEY_* this time: those would make the key exist (and enabled) again.
    const second = await startTestServer({ dataDir, environment: {} });
    try {
      assertRefused(
        await send(second, signAcs3({ credentials: TEST_CREDENTIALS, host: second.endpoint, action: 'DescribeRegions' })),
        404,
        'InvalidAccessKeyId.NotFound',
      );
      assertRefused(
        await send(second, signV1({ credentials: TEST_CREDENTIALS, host: second.endpoint, action: 'DescribeRegions' })),
        404,
        'InvalidAccessKeyId.NotFound',
      );
      assertRefused(
        await send(
          second,
          signAcs3({
            credentials: { ...TEST_CREDENTIALS, accessKeyId: 'LTAInobodyHasThisKey01' },
            host: second.endpoint,
            action: 'DescribeRegions',
          }),
        ),
        404,
        'InvalidAccessKeyId.NotFound',
      );
    } finally {
      await second.close({ keepData: true });
    }
  });
});
