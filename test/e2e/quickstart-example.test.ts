import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startTestServer, TEST_ACCESS_KEY_ID, TEST_ACCESS_KEY_SECRET, type TestServer } from '../support/server.js';

const run = promisify(execFile);

// The README points new users at examples/quickstart.mjs: it must keep working as written.
describe('the README quick-start example', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  it('creates a key, encrypts and decrypts through the official SDK', async () => {
    const { stdout } = await run(process.execPath, ['examples/quickstart.mjs'], {
      env: {
        ...process.env,
        ARCA_ENDPOINT: server.endpoint,
        ARCA_ACCESS_KEY_ID: TEST_ACCESS_KEY_ID,
        ARCA_ACCESS_KEY_SECRET: TEST_ACCESS_KEY_SECRET,
      },
    });
    assert.match(stdout, /^created key [0-9a-f-]{36}$/m);
    assert.match(stdout, /^plaintext hello, Arca$/m);
  });
});
