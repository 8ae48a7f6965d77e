import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startTestServer, TEST_ACCESS_KEY_ID, TEST_ACCESS_KEY_SECRET, type TestServer } from '../support/server.js';

const run = promisify(execFile);

// The README's bring-your-own-key section is examples/byok-import.mjs: it must keep working as written.
describe('the README bring-your-own-key example', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  it('creates an EXTERNAL key, imports material wrapped with Node crypto through the official SDK, and uses the key', async () => {
    const { stdout } = await run(process.execPath, ['examples/byok-import.mjs'], {
      env: {
        ...process.env,
        ARCA_ENDPOINT: server.endpoint,
        ARCA_ACCESS_KEY_ID: TEST_ACCESS_KEY_ID,
        ARCA_ACCESS_KEY_SECRET: TEST_ACCESS_KEY_SECRET,
      },
    });
    assert.match(stdout, /^created key [0-9a-f-]{36} PendingImport$/m);
    assert.match(stdout, /^import token expires \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/m);
    assert.match(stdout, /^key state Enabled origin EXTERNAL$/m);
    assert.match(stdout, /^plaintext hello, BYOK$/m);
  });
});
