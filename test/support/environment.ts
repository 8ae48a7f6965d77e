// The test administrator key of test/support/server.ts as credentials and as the environment a
// server reads it from.
import type { Credentials } from './acs3-signer.js';
import { TEST_ACCESS_KEY_ID, TEST_ACCESS_KEY_SECRET } from './server.js';

export const TEST_CREDENTIALS: Credentials = { accessKeyId: TEST_ACCESS_KEY_ID, accessKeySecret: TEST_ACCESS_KEY_SECRET };

/** ARCA_ACCESS_KEY_ID / ARCA_ACCESS_KEY_SECRET of the test key, plus `extra` (e.g. ARCA_ROOT_KEY). */
export function testEnvironment(extra: Record<string, string> = {}): Record<string, string> {
  return { ARCA_ACCESS_KEY_ID: TEST_ACCESS_KEY_ID, ARCA_ACCESS_KEY_SECRET: TEST_ACCESS_KEY_SECRET, ...extra };
}
