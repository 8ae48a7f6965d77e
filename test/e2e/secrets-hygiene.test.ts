// Secrets hygiene of a full run: the compiled server, logging at its most verbose (trace), goes
// through a representative session (AES and SM4 keys, encrypt and decrypt, data keys, re-encrypt,
// random passwords, rotation, and many refusals), then stops; a second start with the wrong root
// key fails. Everything it wrote to stdout and stderr, and every response body of a refusal, is
// then searched for every secret of the run, in every encoding a careless log line might use:
// plaintexts, data keys, random passwords, the key material of every key version, the root key,
// and the access key secret. Material imported into a key (bring your own key) is among them, and
// the audit trail is searched too: the database file, its WAL while the server runs, an
// `arca audit export` and the `--audit-file` stream.
import assert from 'node:assert/strict';
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';

import { DATABASE_FILE_NAME } from '../../src/main.js';
import { SealPurpose } from '../../src/domain/seal-purposes.js';
import { RootKey } from '../../src/protection/root-key.js';
import { callAcs3, callOk, send, signAcs3, signV1, type Credentials, type HttpResponse } from '../support/acs3-signer.js';
import { runCli } from '../support/arca-cli.js';
import { ensureBuilt, killAllArcas, randomCredentials, spawnArca } from '../support/arca-process.js';
import { newDataDir, removeDataDirs } from '../support/data-dirs.js';

/** The forms a secret might take in a log line. */
function encodingsOf(secret: Buffer | string): string[] {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  const forms = new Set<string>([
    bytes.toString('hex'),
    bytes.toString('hex').toUpperCase(),
    bytes.toString('base64'),
    bytes.toString('base64url'),
  ]);
  if (typeof secret === 'string') forms.add(secret);
  // Base64 of a secret that starts mid-group in a longer text is not findable whole; its middle is.
  return [...forms].filter((form) => form.length >= 8).flatMap((form) => (form.length > 24 ? [form, form.slice(4, -4)] : [form]));
}

describe('secrets hygiene of a full run', () => {
  after(() => {
    killAllArcas();
    removeDataDirs();
  });

  it('no plaintext, data key, password, key material, root key or access key secret appears in the logs, crash output or error bodies', async () => {
    ensureBuilt();
    const credentials: Credentials = randomCredentials('hygiene');
    const dataDir = newDataDir('arca-hygiene-');
    const auditFile = join(dataDir, 'audit-stream.jsonl');
    const arca = await spawnArca({ dataDir, credentials, env: { ARCA_LOG_LEVEL: 'trace' }, args: ['--audit-file', auditFile] });
    const keyIds: string[] = [];
    const secrets = new Map<string, Buffer | string>([['access key secret', credentials.accessKeySecret]]);
    const refusals: HttpResponse[] = [];
    const call = (action: string, params: Record<string, string> = {}): Promise<any> => callOk(arca, credentials, action, params);
    const refused = async (action: string, params: Record<string, string>): Promise<void> => {
      const response = await callAcs3(arca, credentials, action, params);
      assert.ok(response.status >= 400, `${action} was accepted: ${response.text}`);
      refusals.push(response);
    };

    for (const keySpec of ['Aliyun_AES_256', 'Aliyun_SM4']) {
      const { KeyId: keyId } = (await call('CreateKey', { KeySpec: keySpec, Description: 'hygiene' })).KeyMetadata;
      keyIds.push(keyId);
      await call('CreateAlias', { KeyId: keyId, AliasName: `alias/hygiene-${keySpec.toLowerCase()}` });
      const plaintext = `plaintext-${keySpec}-${randomBytes(12).toString('hex')}`;
      secrets.set(`plaintext under ${keySpec}`, plaintext);
      const context = '{"tenant":"t1"}';
      const { CiphertextBlob: blob } = await call('Encrypt', { KeyId: keyId, Plaintext: plaintext, EncryptionContext: context });
      assert.equal((await call('Decrypt', { CiphertextBlob: blob, EncryptionContext: context })).Plaintext, plaintext);
      const reEncrypted = (await call('ReEncrypt', { CiphertextBlob: blob, SourceEncryptionContext: context, DestinationKeyId: keyId }))
        .CiphertextBlob;
      assert.equal((await call('Decrypt', { CiphertextBlob: reEncrypted })).Plaintext, plaintext);

      const dataKeyParams: Array<Record<string, string>> = [{}, { NumberOfBytes: '16' }, { KeySpec: 'AES_128' }];
      for (const params of dataKeyParams) {
        const dataKey = await call('GenerateDataKey', { KeyId: keyId, ...params });
        secrets.set(`data key ${dataKey.CiphertextBlob}`, Buffer.from(dataKey.Plaintext, 'base64'));
        secrets.set(`data key text ${dataKey.CiphertextBlob}`, dataKey.Plaintext);
        assert.equal((await call('Decrypt', { CiphertextBlob: dataKey.CiphertextBlob })).Plaintext, dataKey.Plaintext);
      }
      const withoutPlaintext = await call('GenerateDataKeyWithoutPlaintext', { KeyId: keyId });
      secrets.set(
        `data key of ${withoutPlaintext.CiphertextBlob}`,
        (await call('Decrypt', { CiphertextBlob: withoutPlaintext.CiphertextBlob })).Plaintext,
      );
      await call('CreateKeyVersion', { KeyId: keyId });

      // Refusals, each with a secret close at hand.
      await refused('Decrypt', { CiphertextBlob: blob, EncryptionContext: '{"tenant":"t2"}' });
      const tampered = Buffer.from(blob, 'base64');
      tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 1;
      await refused('Decrypt', { CiphertextBlob: tampered.toString('base64'), EncryptionContext: context });
      await refused('Encrypt', { KeyId: keyId, Plaintext: `${plaintext}-${'x'.repeat(6200)}` });
      await refused('Encrypt', { KeyId: keyId, Plaintext: plaintext, EncryptionContext: `{"tenant":${JSON.stringify(plaintext)}` });
      await refused('Encrypt', { KeyId: `alias/${plaintext}`, Plaintext: plaintext });
      await refused('Encrypt', { KeyId: keyId, Plaintext: plaintext, DryRun: 'true' });
      await call('DisableKey', { KeyId: keyId });
      await refused('Decrypt', { CiphertextBlob: blob, EncryptionContext: context });
      await call('EnableKey', { KeyId: keyId });
    }
    const password = (await call('GetRandomPassword', { PasswordLength: '32' })).RandomPassword as string;
    secrets.set('random password', password);

    // Bring your own key: known material, wrapped as a client wraps it, imported and used.
    const { KeyId: externalId } = (await call('CreateKey', { Origin: 'EXTERNAL', Description: 'hygiene byok' })).KeyMetadata;
    const material = randomBytes(32);
    secrets.set('imported key material', material);
    const { ImportToken: importToken, PublicKey: wrappingKey } = await call('GetParametersForImport', {
      KeyId: externalId,
      WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
      WrappingKeySpec: 'RSA_2048',
    });
    const wrapped = publicEncrypt(
      {
        key: createPublicKey({ key: Buffer.from(wrappingKey, 'base64'), format: 'der', type: 'spki' }),
        padding: constants.RSA_PKCS1_OAEP_PADDING,
        oaepHash: 'sha256',
      },
      material,
    ).toString('base64');
    secrets.set('import token', importToken);
    secrets.set('wrapped key material', wrapped);
    await call('ImportKeyMaterial', {
      KeyId: externalId,
      ImportToken: importToken,
      EncryptedKeyMaterial: wrapped,
      KeyMaterialExpireUnix: '0',
    });
    const byokPlaintext = `byok-plaintext-${randomBytes(12).toString('hex')}`;
    secrets.set('plaintext under imported material', byokPlaintext);
    const byokBlob = (await call('Encrypt', { KeyId: externalId, Plaintext: byokPlaintext })).CiphertextBlob as string;
    assert.equal((await call('Decrypt', { CiphertextBlob: byokBlob })).Plaintext, byokPlaintext);

    // Requests signed with a wrong secret, replayed, or unsigned, under both schemes.
    const wrongSecret = { ...credentials, accessKeySecret: `wrong-${randomBytes(10).toString('hex')}` };
    refusals.push(await send(arca, signAcs3({ credentials: wrongSecret, host: arca.endpoint, action: 'DescribeRegions' })));
    refusals.push(await send(arca, signV1({ credentials: wrongSecret, host: arca.endpoint, action: 'DescribeRegions' })));
    const once = signAcs3({
      credentials,
      host: arca.endpoint,
      action: 'Encrypt',
      query: { KeyId: 'alias/hygiene-aliyun_sm4', Plaintext: 'replayed secret text' },
    });
    secrets.set('replayed plaintext', 'replayed secret text');
    assert.equal((await send(arca, once)).status, 200);
    refusals.push(await send(arca, once));
    for (const response of refusals) assert.ok(response.status >= 400 && response.status < 500, response.text);

    // The WAL as it is while the server runs (a clean stop folds it into the database file).
    const walPath = join(dataDir, `${DATABASE_FILE_NAME}-wal`);
    const wal = existsSync(walPath) ? readFileSync(walPath) : Buffer.alloc(0);
    assert.deepEqual(await arca.stop(), { code: 0, signal: null }, arca.stderr());
    const exported = await runCli(['audit', 'export', '--data-dir', dataDir, '--out', '-']);
    assert.equal(exported.code, 0, exported.stderr);
    assert.ok(exported.text.includes('"eventName":"ImportKeyMaterial"'), 'the export holds the import');
    const trailFiles = new Map<string, string>([
      ['the database file', readFileSync(join(dataDir, DATABASE_FILE_NAME)).toString('latin1')],
      ['the WAL', wal.toString('latin1')],
      ['the audit export', exported.text],
      ['the --audit-file stream', readFileSync(auditFile, 'utf8')],
    ]);
    assert.ok(wal.length > 0, 'the WAL was captured while the server ran');

    // The key material of every version, opened with the root key, from the stopped server's store.
    const rootKeyText = readFileSync(`${dataDir}.root.key`, 'utf8').trim();
    secrets.set('root key (file text)', rootKeyText);
    secrets.set('root key', Buffer.from(rootKeyText, 'base64'));
    const rootKey = RootKey.fromBase64(rootKeyText, 'the root key file');
    const db = new Database(join(dataDir, DATABASE_FILE_NAME), { readonly: true });
    const versions = db.prepare('SELECT key_version_id, sealed_material FROM key_versions').all() as Array<{
      key_version_id: string;
      sealed_material: Buffer;
    }>;
    db.close();
    assert.ok(versions.length >= 5);
    for (const { key_version_id: id, sealed_material: sealed } of versions) {
      if (sealed !== null) secrets.set(`key material of ${id}`, await rootKey.open(sealed, SealPurpose.KeyMaterial, id));
    }

    // A start with the wrong root key fails, and says so without either key.
    const otherRootKey = randomBytes(32).toString('base64');
    secrets.set('the other root key', otherRootKey);
    let failedStart = '';
    try {
      await spawnArca({ dataDir, credentials, env: { ARCA_ROOT_KEY: otherRootKey, ARCA_LOG_LEVEL: 'trace' } });
      assert.fail('the server started with the wrong root key');
    } catch (error) {
      failedStart = String(error);
    }
    assert.match(failedStart, /root key does not match/);

    const output = [arca.lines.join('\n'), arca.stderr(), failedStart].join('\n');
    // The search sees what the server logged: the audit lines, with the (public) key ids.
    assert.ok(output.includes('"event":"audit"'), 'the audit lines were captured');
    for (const keyId of keyIds) assert.ok(output.includes(keyId), `key id ${keyId} is not in the captured logs`);
    const answers = refusals.map((response) => response.text).join('\n');
    const found: string[] = [];
    for (const [name, secret] of secrets) {
      for (const form of encodingsOf(secret)) {
        if (output.includes(form)) found.push(`${name} in the logs as ${form}`);
        if (answers.includes(form)) found.push(`${name} in an error body as ${form}`);
        for (const [file, text] of trailFiles) if (text.includes(form)) found.push(`${name} in ${file} as ${form}`);
      }
    }
    assert.deepEqual(found, []);
    process.stdout.write(
      `# secrets hygiene: ${secrets.size} secrets, ${output.split('\n').length} log lines, ${refusals.length} error bodies, ${trailFiles.size} trail files searched\n`,
    );
  });
});
