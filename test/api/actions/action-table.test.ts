// Every action the API answers has its inject() test file in this directory: an action added to
// the action table without tests fails here, and so does a test file left behind by an action
// that was removed or renamed.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ACTION_TABLE } from '../../../src/api/action-table.js';

const DIRECTORY = fileURLToPath(new URL('.', import.meta.url));
const THIS_FILE = 'action-table.test.ts';

/** `GenerateDataKeyWithoutPlaintext` → `generate-data-key-without-plaintext`. */
function kebab(action: string): string {
  return action.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

const testFiles = readdirSync(DIRECTORY).filter((name) => name.endsWith('.test.ts') && name !== THIS_FILE);

describe('the action table and the per-action tests', () => {
  it('names test files in kebab case', () => {
    assert.equal(kebab('GenerateDataKeyWithoutPlaintext'), 'generate-data-key-without-plaintext');
    assert.equal(kebab('DescribeAccountKmsStatus'), 'describe-account-kms-status');
    assert.equal(kebab('ReEncrypt'), 're-encrypt');
  });

  it('has a test file under test/api/actions for every action in the action table', () => {
    const missing = [...ACTION_TABLE.keys()].filter((action) => !testFiles.includes(`${kebab(action)}.test.ts`));
    assert.deepEqual(missing, [], `actions without a test file: ${missing.join(', ')}`);
  });

  it('has no test file for an action that is not in the action table', () => {
    const known = new Set([...ACTION_TABLE.keys()].map((action) => `${kebab(action)}.test.ts`));
    assert.deepEqual(
      testFiles.filter((name) => !known.has(name)),
      [],
    );
  });

  it('calls its action in each file, signed both with ACS3-HMAC-SHA256 and with HMAC-SHA1', () => {
    for (const action of ACTION_TABLE.keys()) {
      const text = readFileSync(new URL(`${kebab(action)}.test.ts`, import.meta.url), 'utf8');
      assert.ok(text.includes(`call('${action}'`), `${kebab(action)}.test.ts calls ${action}`);
      assert.ok(text.includes("signature: 'HMAC-SHA1'"), `${kebab(action)}.test.ts has an HMAC-SHA1 call`);
    }
  });
});
