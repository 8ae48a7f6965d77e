// The AWS Encryption SDK (@aws-crypto/client-node) against a real Arca process: KmsKeyringNode with
// a generator key and a second key, with an explicit client provider and with nothing but
// AWS_ENDPOINT_URL_KMS (and the credentials) set, as the README example runs it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import { buildClient, CommitmentPolicy, getClient, KmsKeyringNode } from '@aws-crypto/client-node';
import { CreateKeyCommand, DisableKeyCommand, KMS } from '@aws-sdk/client-kms';

import { killAllArcas, randomCredentials, spawnArca, type ArcaProcess } from '../support/arca-process.js';
import { awsKmsClient, TEST_AWS_ARGS, TEST_AWS_REGION } from '../support/aws-clients.js';
import { newDataDir, removeDataDirs } from '../support/data-dirs.js';

const run = promisify(execFile);
const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
const credentials = randomCredentials('esdk');
let arca: ArcaProcess;
let generatorKeyId: string;
let secondKeyId: string;
let unrelatedKeyId: string;

/** The client provider the ESDK documents: it gets the region from each key's Arn. */
const clientProvider = getClient(KMS, {
  get endpoint() {
    return `http://${arca.endpoint}`;
  },
  credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.accessKeySecret },
});

before(async () => {
  arca = await spawnArca({ dataDir: newDataDir('arca-esdk-'), credentials, args: TEST_AWS_ARGS });
  const kms = awsKmsClient(arca.endpoint, credentials);
  const arnOfNewKey = async (): Promise<string> => (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? '';
  generatorKeyId = await arnOfNewKey();
  secondKeyId = await arnOfNewKey();
  unrelatedKeyId = await arnOfNewKey();
});

after(() => {
  killAllArcas();
  removeDataDirs();
});

const context = { app: 'arca-test', tenant: 't-42' };
const message = Buffer.from('a message for two keys \u00e9\u00fc\u0000\u00ff');

describe('the AWS Encryption SDK against Arca', () => {
  it('encrypts under a generator key and a second key, and decrypts with either alone', async () => {
    const keyring = new KmsKeyringNode({ clientProvider, generatorKeyId, keyIds: [secondKeyId] });
    const { result, messageHeader } = await encrypt(keyring, message, { encryptionContext: context });
    assert.equal(messageHeader.encryptedDataKeys.length, 2);
    assert.deepEqual(
      messageHeader.encryptedDataKeys.map((edk) => edk.providerInfo),
      [generatorKeyId, secondKeyId],
      'each data key names its key by the Arn Arca returned',
    );
    for (const keyId of [generatorKeyId, secondKeyId]) {
      const { plaintext, messageHeader: header } = await decrypt(new KmsKeyringNode({ clientProvider, keyIds: [keyId] }), result);
      assert.deepEqual(plaintext, message);
      assert.equal(header.encryptionContext.tenant, 't-42');
    }
  });

  it("a keyring naming only an unrelated key fails with the SDK's own error", async () => {
    const { result } = await encrypt(new KmsKeyringNode({ clientProvider, generatorKeyId }), message, { encryptionContext: context });
    await assert.rejects(
      decrypt(new KmsKeyringNode({ clientProvider, keyIds: [unrelatedKeyId] }), result),
      /unencryptedDataKey has not been set/,
    );
  });

  it('a generator key Arca does not hold fails the encryption with the NotFoundException Arca answered', async () => {
    const missing = generatorKeyId.replace(/key\/.*$/, 'key/00000000-0000-4000-8000-000000000000');
    await assert.rejects(
      encrypt(new KmsKeyringNode({ clientProvider, generatorKeyId: missing }), message, { encryptionContext: context }),
      (error: any) => error.name === 'NotFoundException',
    );
  });

  it("a data key that Arca refuses to open (its key disabled) surfaces as the SDK's KMS error", async () => {
    const kms = awsKmsClient(arca.endpoint, credentials);
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    const keyId = KeyMetadata?.Arn ?? '';
    const { result } = await encrypt(new KmsKeyringNode({ clientProvider, generatorKeyId: keyId }), message, {
      encryptionContext: context,
    });
    await kms.send(new DisableKeyCommand({ KeyId: keyId }));
    await assert.rejects(
      decrypt(new KmsKeyringNode({ clientProvider, keyIds: [keyId] }), result),
      /Unable to decrypt data key and one or more KMS CMKs had an error[\s\S]*DisabledException/,
    );
  });

  it('with nothing but AWS_ENDPOINT_URL_KMS set: the README example runs unchanged', async () => {
    const { stdout } = await run(process.execPath, ['examples/aws-encryption-sdk.mjs'], {
      env: {
        PATH: process.env.PATH ?? '',
        AWS_ENDPOINT_URL_KMS: `http://${arca.endpoint}`,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.accessKeySecret,
        AWS_REGION: TEST_AWS_REGION,
      },
    });
    assert.match(
      stdout,
      /^encrypted under arn:aws:kms:eu-west-1:111122223333:key\/[0-9a-f-]{36} and arn:aws:kms:eu-west-1:111122223333:key\/[0-9a-f-]{36}$/m,
    );
    assert.match(stdout, /^decrypted with the second key: hello from the AWS Encryption SDK$/m);
  });
});
