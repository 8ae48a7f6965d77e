import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { callOk } from '../support/acs3-signer.js';
import { startTestServer, TEST_ACCESS_KEY_ID, TEST_ACCESS_KEY_SECRET, type TestServer } from '../support/server.js';

const run = promisify(execFile);

// The README's "Access control" section runs examples/ram-least-privilege.mjs: it must keep
// working as written, through the real RAM and KMS SDKs.
describe('the README access-control example', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  it('a RAM user made through @alicloud/ram20150501 may Encrypt and Decrypt under its one key, and is refused CreateKey', async () => {
    const credentials = { accessKeyId: TEST_ACCESS_KEY_ID, accessKeySecret: TEST_ACCESS_KEY_SECRET };
    const created = await callOk(server, credentials, 'CreateKey', {});
    const keyId: string = created.KeyMetadata.KeyId;
    const { stdout } = await run(process.execPath, ['examples/ram-least-privilege.mjs'], {
      env: {
        ...process.env,
        ARCA_ENDPOINT: server.endpoint,
        ARCA_ACCESS_KEY_ID: TEST_ACCESS_KEY_ID,
        ARCA_ACCESS_KEY_SECRET: TEST_ACCESS_KEY_SECRET,
        KEY_ID: keyId,
      },
    });
    assert.match(stdout, new RegExp(`^as payroll-\\d+: Encrypt and Decrypt under ${keyId}: salary: 4200$`, 'm'));
    assert.match(stdout, /^as payroll-\d+: CreateKey refused: Forbidden\.RAM$/m);
  });
});
