// A server with a PKCS#11 token (SoftHSM2): /ready names the token among its checks, and /metrics
// shows the session pool and the HSM keys.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { callOk } from '../support/acs3-signer.js';
import { ensureBuilt, killAllArcas, randomCredentials, spawnArca } from '../support/arca-process.js';
import { newDataDir, removeDataDirs } from '../support/data-dirs.js';
import { hsmSkipReason, newSoftHsmDirectory, type SoftHsmDirectory } from '../support/softhsm.js';

describe('readiness and metrics with a PKCS#11 token', { skip: hsmSkipReason() }, () => {
  let softHsm: SoftHsmDirectory;
  before(() => {
    ensureBuilt();
    softHsm = newSoftHsmDirectory();
  });
  after(() => {
    killAllArcas();
    removeDataDirs();
    softHsm.remove();
  });

  it('/ready checks the token, and /metrics counts its sessions and the HSM keys', async () => {
    const token = softHsm.newToken();
    const credentials = randomCredentials('hsmmetrics');
    const arca = await spawnArca({
      dataDir: newDataDir('arca-hsm-metrics-'),
      credentials,
      env: token.environment,
      args: [...token.serverArgs, '--pkcs11-session-count', '4'],
    });
    try {
      const ready = await fetch(`http://${arca.endpoint}/ready`);
      assert.equal(ready.status, 200);
      assert.deepEqual(await ready.json(), {
        status: 'ready',
        checks: { store: 'ok', 'root-key': 'ok', hsm: 'ok', 'replay-guard': 'ok' },
      });
      const { KeyMetadata } = await callOk(arca, credentials, 'CreateKey', { ProtectionLevel: 'HSM' });
      await callOk(arca, credentials, 'Encrypt', { KeyId: KeyMetadata.KeyId, Plaintext: 'in the token' });
      const text = await (await fetch(`http://${arca.endpoint}/metrics`)).text();
      assert.match(text, /^arca_keys\{state="Enabled",spec="Aliyun_AES_256",protection="HSM"\} 1$/m);
      assert.match(text, /^arca_hsm_sessions\{use="in_use"\} 0$/m);
      // Of the 4 sessions, one owns the token's session objects and takes turns apart; 3 are pooled.
      assert.match(text, /^arca_hsm_sessions\{use="idle"\} 3$/m);
      assert.match(text, /^arca_hsm_session_waiters 0$/m);
    } finally {
      await arca.stop();
    }
  });
});
