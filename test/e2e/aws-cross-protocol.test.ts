// One key, two faces: the same Arca process answers the Alibaba SDK's requests and the AWS SDK's,
// on the same keys, with the same access key. A ciphertext made through either API opens through
// the other; plaintexts come back in each protocol's own representation (ADR 35).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  ReEncryptCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';

import { callOk } from '../support/acs3-signer.js';
import { killAllArcas, randomCredentials, spawnArca, type ArcaProcess } from '../support/arca-process.js';
import { awsKeyArnOf, awsKmsClient, TEST_AWS_ARGS } from '../support/aws-clients.js';
import { newDataDir, removeDataDirs } from '../support/data-dirs.js';

const credentials = randomCredentials('both');
let arca: ArcaProcess;
let aws: KMSClient;
const alibaba = (action: string, params: Record<string, string> = {}): Promise<any> => callOk(arca, credentials, action, params);
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

before(async () => {
  arca = await spawnArca({ dataDir: newDataDir('arca-both-'), credentials, args: [...TEST_AWS_ARGS, '--region', 'cn-shanghai'] });
  aws = awsKmsClient(arca.endpoint, credentials);
});

after(() => {
  killAllArcas();
  removeDataDirs();
});

async function alibabaKey(params: Record<string, string> = {}): Promise<string> {
  return (await alibaba('CreateKey', params)).KeyMetadata.KeyId;
}

describe('one key, two protocols', () => {
  it('a key made through either API is the same key through the other, with an Arn in each', async () => {
    const viaAlibaba = await alibabaKey({ Description: 'from Alibaba' });
    const described = (await aws.send(new DescribeKeyCommand({ KeyId: awsKeyArnOf(viaAlibaba) }))).KeyMetadata;
    assert.equal(described?.Description, 'from Alibaba');
    assert.equal(described?.Arn, awsKeyArnOf(viaAlibaba));
    const viaAws = (await aws.send(new CreateKeyCommand({ Description: 'from AWS' }))).KeyMetadata?.KeyId ?? '';
    const metadata = (await alibaba('DescribeKey', { KeyId: viaAws })).KeyMetadata;
    assert.equal(metadata.Description, 'from AWS');
    assert.equal(metadata.Arn, `acs:kms:cn-shanghai:1234567890123456:key/${viaAws}`);
    assert.equal(metadata.KeySpec, 'Aliyun_AES_256');
    assert.equal(metadata.Origin, 'Aliyun_KMS');
  });

  it('an alias made through Alibaba names the key for AWS, by name and by alias Arn', async () => {
    const keyId = await alibabaKey();
    const aliasName = `alias/both-${randomBytes(4).toString('hex')}`;
    await alibaba('CreateAlias', { KeyId: keyId, AliasName: aliasName });
    const sealed = await aws.send(new EncryptCommand({ KeyId: aliasName, Plaintext: Buffer.from('x') }));
    assert.equal(sealed.KeyId, awsKeyArnOf(keyId));
    const aliasArn = awsKeyArnOf(keyId).replace(/key\/.*$/, aliasName);
    assert.equal((await aws.send(new DescribeKeyCommand({ KeyId: aliasArn }))).KeyMetadata?.KeyId, keyId);
    // … and one made through AWS names it for Alibaba.
    const other = `alias/both-${randomBytes(4).toString('hex')}`;
    await aws.send(new CreateAliasCommand({ AliasName: other, TargetKeyId: keyId }));
    assert.equal((await alibaba('DescribeKey', { KeyId: other })).KeyMetadata.KeyId, keyId);
  });

  it('Alibaba Encrypt → AWS Decrypt: the UTF-8 bytes of the string, the context given either way', async () => {
    const keyId = await alibabaKey();
    const text = 'héllo, 世界 ✓';
    const { CiphertextBlob } = await alibaba('Encrypt', { KeyId: keyId, Plaintext: text, EncryptionContext: '{"b":"2","a":"1"}' });
    const opened = await aws.send(
      new DecryptCommand({ CiphertextBlob: Buffer.from(CiphertextBlob, 'base64'), EncryptionContext: { a: '1', b: '2' } }),
    );
    assert.equal(Buffer.from(opened.Plaintext ?? new Uint8Array()).toString('utf8'), text);
    assert.equal(opened.KeyId, awsKeyArnOf(keyId));
  });

  it('AWS Encrypt of UTF-8 bytes → Alibaba Decrypt: the string', async () => {
    const keyId = await alibabaKey();
    const sealed = await aws.send(
      new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('plain text ✓'), EncryptionContext: { k: 'v' } }),
    );
    const body = await alibaba('Decrypt', {
      CiphertextBlob: Buffer.from(sealed.CiphertextBlob ?? new Uint8Array()).toString('base64'),
      EncryptionContext: '{"k":"v"}',
    });
    assert.equal(body.Plaintext, 'plain text ✓');
    assert.equal(body.PlaintextEncoding, undefined);
    assert.equal(body.KeyId, keyId);
  });

  it('AWS Encrypt of bytes that are not UTF-8 → Alibaba Decrypt: their base64, marked PlaintextEncoding base64', async () => {
    const keyId = await alibabaKey();
    const bytes = Buffer.from([0xff, 0x00, 0xc3, 0x28, 0x80]);
    const sealed = await aws.send(new EncryptCommand({ KeyId: keyId, Plaintext: bytes }));
    const body = await alibaba('Decrypt', { CiphertextBlob: Buffer.from(sealed.CiphertextBlob ?? new Uint8Array()).toString('base64') });
    assert.equal(body.Plaintext, bytes.toString('base64'));
    assert.equal(body.PlaintextEncoding, 'base64');
  });

  it('AWS GenerateDataKey → Alibaba Decrypt: the data key as Alibaba writes data keys, base64', async () => {
    const keyId = await alibabaKey();
    const dataKey = await aws.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' }));
    const raw = Buffer.from(dataKey.Plaintext ?? new Uint8Array());
    const body = await alibaba('Decrypt', { CiphertextBlob: Buffer.from(dataKey.CiphertextBlob ?? new Uint8Array()).toString('base64') });
    // Random bytes are almost never UTF-8; when they happen to be, they come back as that string (ADR 35).
    let expected: string;
    try {
      expected = strictUtf8.decode(raw);
    } catch {
      expected = raw.toString('base64');
    }
    assert.equal(body.Plaintext, expected);
  });

  it('Alibaba GenerateDataKey → AWS Decrypt: the bytes sealed, which are the base64 text Alibaba handed out (ADR 21)', async () => {
    const keyId = await alibabaKey();
    const { CiphertextBlob, Plaintext } = await alibaba('GenerateDataKey', { KeyId: keyId });
    const opened = await aws.send(new DecryptCommand({ CiphertextBlob: Buffer.from(CiphertextBlob, 'base64') }));
    assert.equal(Buffer.from(opened.Plaintext ?? new Uint8Array()).toString('ascii'), Plaintext);
    assert.equal(Buffer.from(Plaintext, 'base64').length, 32);
  });

  it('AWS ReEncrypt of an Alibaba blob to an AWS key, then Alibaba Decrypt of the result', async () => {
    const source = await alibabaKey();
    const destination = (await aws.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId ?? '';
    const { CiphertextBlob } = await alibaba('Encrypt', { KeyId: source, Plaintext: 'moved across' });
    const moved = await aws.send(
      new ReEncryptCommand({ CiphertextBlob: Buffer.from(CiphertextBlob, 'base64'), DestinationKeyId: destination, SourceKeyId: source }),
    );
    assert.equal(moved.SourceKeyId, awsKeyArnOf(source));
    const body = await alibaba('Decrypt', { CiphertextBlob: Buffer.from(moved.CiphertextBlob ?? new Uint8Array()).toString('base64') });
    assert.equal(body.Plaintext, 'moved across');
    assert.equal(body.KeyId, destination);
  });

  it('an SM4 key made through Alibaba encrypts through AWS and says KeySpec SM4', async () => {
    const keyId = await alibabaKey({ KeySpec: 'Aliyun_SM4' });
    assert.equal((await aws.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeySpec, 'SM4');
    const sealed = await aws.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('SM4 via AWS') }));
    const body = await alibaba('Decrypt', { CiphertextBlob: Buffer.from(sealed.CiphertextBlob ?? new Uint8Array()).toString('base64') });
    assert.equal(body.Plaintext, 'SM4 via AWS');
  });

  it('AWS requests are audited like Alibaba ones: source aws, the RAM action, the caller, the key by its Arca Arn', async () => {
    const keyId = await alibabaKey();
    const { $metadata } = await aws.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('audited') }));
    const requestId = $metadata.requestId ?? '';
    let event: any;
    for (let attempt = 0; attempt < 50 && event === undefined; attempt++) {
      event = arca.lines
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line))
        .find((entry) => entry.event === 'audit' && entry.requestId === requestId);
      if (event === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(event, 'no audit line for the request');
    assert.equal(event.source, 'aws');
    assert.equal(event.action, 'Encrypt');
    assert.equal(event.result, 'Success');
    assert.equal(event.identity.accessKeyId, credentials.accessKeyId);
    assert.deepEqual(
      event.resources.map((resource: any) => resource.arn),
      [`acs:kms:cn-shanghai:1234567890123456:key/${keyId}`],
    );
    assert.equal(JSON.stringify(event).includes('audited'), false, 'no plaintext in the audit line');
  });
});
