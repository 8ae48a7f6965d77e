// With `arca server --workers 2`, a write on one worker reaches the other workers' caches at once
// (through the primary), not after the 1-second record TTL: a key disabled, or its alias moved,
// through one worker is seen so by the very next request, whichever worker serves it. Every
// request opens its own connection, so consecutive requests go to different workers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { callAcs3, callOk, type Credentials } from '../support/acs3-signer.js';
import { ensureBuilt, killAllArcas, randomCredentials, spawnArca, type ArcaProcess } from '../support/arca-process.js';
import { newDataDir, removeDataDirs } from '../support/data-dirs.js';

const ROUNDS = 6;

describe('cache invalidation across --workers 2', () => {
  let credentials: Credentials;
  let arca: ArcaProcess;

  before(async () => {
    ensureBuilt();
    credentials = randomCredentials('invalidate');
    arca = await spawnArca({ dataDir: newDataDir('arca-invalidate-'), credentials, args: ['--workers', '2'] });
  });

  after(() => {
    killAllArcas();
    removeDataDirs();
  });

  /** Sends `action` ROUNDS times (alternating workers) and returns each answer's code, `OK` for 200. */
  async function codes(action: string, params: Record<string, string>): Promise<string[]> {
    const seen: string[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const response = await callAcs3(arca, credentials, action, params);
      seen.push(response.status === 200 ? 'OK' : String(response.json?.Code));
    }
    return seen;
  }

  it('a key disabled through one worker is refused by every worker on the next request, and enabled again at once', async () => {
    const keyId: string = (await callOk(arca, credentials, 'CreateKey', {})).KeyMetadata.KeyId;
    // Both workers hold the Enabled record in their caches now.
    assert.deepEqual(await codes('Encrypt', { KeyId: keyId, Plaintext: 'warm' }), Array(ROUNDS).fill('OK'));
    await callOk(arca, credentials, 'DisableKey', { KeyId: keyId });
    assert.deepEqual(await codes('Encrypt', { KeyId: keyId, Plaintext: 'refused' }), Array(ROUNDS).fill('Rejected.Disabled'));
    await callOk(arca, credentials, 'EnableKey', { KeyId: keyId });
    assert.deepEqual(await codes('Encrypt', { KeyId: keyId, Plaintext: 'again' }), Array(ROUNDS).fill('OK'));
  });

  it('an alias moved through one worker names the new key on every worker at once', async () => {
    const first: string = (await callOk(arca, credentials, 'CreateKey', {})).KeyMetadata.KeyId;
    const second: string = (await callOk(arca, credentials, 'CreateKey', {})).KeyMetadata.KeyId;
    await callOk(arca, credentials, 'CreateAlias', { AliasName: 'alias/moving', KeyId: first });
    for (let i = 0; i < ROUNDS; i++) {
      assert.equal((await callOk(arca, credentials, 'Encrypt', { KeyId: 'alias/moving', Plaintext: 'x' })).KeyId, first);
    }
    await callOk(arca, credentials, 'UpdateAlias', { AliasName: 'alias/moving', KeyId: second });
    for (let i = 0; i < ROUNDS; i++) {
      assert.equal((await callOk(arca, credentials, 'Encrypt', { KeyId: 'alias/moving', Plaintext: 'x' })).KeyId, second);
    }
  });
});
