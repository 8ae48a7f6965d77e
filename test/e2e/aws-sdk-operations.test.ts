// Every operation of the AWS KMS front end driven by the real @aws-sdk/client-kms against a real
// `arca server` process (SQLite, its own data directory), signed with SigV4 by the SDK with the
// same administrator access key that signs Alibaba requests. Answers are checked as the SDK
// parses them (Dates, Uint8Arrays, exception classes).
import assert from 'node:assert/strict';
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import {
  AlreadyExistsException,
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  DisabledException,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GenerateRandomCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  IncorrectKeyException,
  InvalidCiphertextException,
  InvalidMarkerException,
  KMSInvalidStateException,
  KMSServiceException,
  ListAliasesCommand,
  ListKeyPoliciesCommand,
  ListKeyRotationsCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  NotFoundException,
  PutKeyPolicyCommand,
  ReEncryptCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  TagException,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  UpdateKeyDescriptionCommand,
  KMSClient,
  paginateListKeys,
} from '@aws-sdk/client-kms';

import { AWS_ACTION_TABLE } from '../../src/aws/aws-action-table.js';
import { killAllArcas, randomCredentials, spawnArca, type ArcaProcess } from '../support/arca-process.js';
import { awsKeyArnOf, awsKmsClient, sendSignedAws, TEST_AWS_ACCOUNT_ID, TEST_AWS_ARGS, TEST_AWS_REGION } from '../support/aws-clients.js';
import { newDataDir, removeDataDirs } from '../support/data-dirs.js';

const credentials = randomCredentials('aws');
let arca: ArcaProcess;
let kms: KMSClient;
/** Every operation that answered a call of this file successfully. */
const succeeded = new Set<string>();

// The SDK's command types do not unify into one parameter type; every command is sent the same way.
type Command = any;
async function send<T = any>(command: Command): Promise<T> {
  const output = (await kms.send(command)) as T;
  succeeded.add(command.constructor.name.replace(/Command$/, ''));
  return output;
}

async function refusal(command: Command): Promise<KMSServiceException> {
  try {
    await kms.send(command);
  } catch (error) {
    assert.ok(error instanceof KMSServiceException, `not a KMSServiceException: ${String(error)}`);
    return error;
  }
  assert.fail(`${command.constructor.name} succeeded`);
}

async function newKey(input: Record<string, unknown> = {}): Promise<any> {
  return (await send(new CreateKeyCommand(input))).KeyMetadata;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const uniqueAlias = (): string => `alias/aws-sdk-${randomBytes(6).toString('hex')}`;

before(async () => {
  arca = await spawnArca({ dataDir: newDataDir('arca-aws-sdk-'), credentials, args: TEST_AWS_ARGS });
  kms = awsKmsClient(arca.endpoint, credentials);
});

after(() => {
  killAllArcas();
  removeDataDirs();
});

describe('the AWS KMS API through @aws-sdk/client-kms', () => {
  describe('keys', () => {
    it('CreateKey with the defaults: a symmetric AWS_KMS key, KeyMetadata as AWS gives it', async () => {
      const metadata = await newKey({ Description: 'made by the AWS SDK', Tags: [{ TagKey: 'team', TagValue: 'a' }] });
      assert.match(metadata.KeyId, UUID);
      assert.equal(metadata.Arn, awsKeyArnOf(metadata.KeyId));
      assert.equal(metadata.AWSAccountId, TEST_AWS_ACCOUNT_ID);
      assert.ok(metadata.CreationDate instanceof Date && Math.abs(metadata.CreationDate.getTime() - Date.now()) < 60_000);
      assert.equal(metadata.Enabled, true);
      assert.equal(metadata.KeyState, 'Enabled');
      assert.equal(metadata.Description, 'made by the AWS SDK');
      assert.equal(metadata.KeyUsage, 'ENCRYPT_DECRYPT');
      assert.equal(metadata.Origin, 'AWS_KMS');
      assert.equal(metadata.KeyManager, 'CUSTOMER');
      assert.equal(metadata.KeySpec, 'SYMMETRIC_DEFAULT');
      assert.deepEqual(metadata.EncryptionAlgorithms, ['SYMMETRIC_DEFAULT']);
      assert.equal(metadata.MultiRegion, false);
      assert.match(metadata.CurrentKeyMaterialId, UUID);
    });

    it('CreateKey KeySpec SM4: an SM4 key that says so', async () => {
      const metadata = await newKey({ KeySpec: 'SM4' });
      assert.equal(metadata.KeySpec, 'SM4');
      const sealed = await send(new EncryptCommand({ KeyId: metadata.KeyId, Plaintext: Buffer.from('国密') }));
      const opened = await send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }));
      assert.equal(Buffer.from(opened.Plaintext).toString('utf8'), '国密');
    });

    it('CreateKey refuses what Arca does not have: asymmetric specs, policies, multi-Region keys', async () => {
      for (const input of [
        { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' },
        { Policy: '{}' },
        { MultiRegion: true },
        { Origin: 'AWS_CLOUDHSM' },
      ]) {
        const error = await refusal(new CreateKeyCommand(input as never));
        assert.equal(error.name, 'UnsupportedOperationException', JSON.stringify(input));
      }
    });

    it('DescribeKey by id, key Arn, alias and alias Arn', async () => {
      const { KeyId } = await newKey();
      const aliasName = uniqueAlias();
      await send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: KeyId }));
      const aliasArn = `arn:aws:kms:${TEST_AWS_REGION}:${TEST_AWS_ACCOUNT_ID}:${aliasName}`;
      for (const name of [KeyId, awsKeyArnOf(KeyId), aliasName, aliasArn]) {
        const { KeyMetadata } = await send(new DescribeKeyCommand({ KeyId: name }));
        assert.equal(KeyMetadata.KeyId, KeyId, name);
      }
    });

    it('DescribeKey of an unknown key, and of an Arn of another region, is NotFoundException', async () => {
      const unknown = await refusal(new DescribeKeyCommand({ KeyId: '00000000-0000-4000-8000-000000000000' }));
      assert.ok(unknown instanceof NotFoundException);
      assert.equal(unknown.$metadata.httpStatusCode, 400);
      assert.match(unknown.$metadata.requestId ?? '', UUID);
      const { KeyId } = await newKey();
      const foreign = await refusal(new DescribeKeyCommand({ KeyId: `arn:aws:kms:us-west-2:${TEST_AWS_ACCOUNT_ID}:key/${KeyId}` }));
      assert.ok(foreign instanceof NotFoundException);
    });

    it('ListKeys pages with Limit, Marker and Truncated, and the SDK paginator walks every page', async () => {
      const made = new Set<string>();
      for (let i = 0; i < 5; i++) made.add((await newKey()).KeyId);
      const first = await send(new ListKeysCommand({ Limit: 2 }));
      assert.equal(first.Keys.length, 2);
      assert.equal(first.Truncated, true);
      assert.equal(typeof first.NextMarker, 'string');
      for (const entry of first.Keys) assert.equal(entry.KeyArn, awsKeyArnOf(entry.KeyId));
      const second = await send(new ListKeysCommand({ Limit: 2, Marker: first.NextMarker }));
      assert.notDeepEqual(second.Keys, first.Keys);
      const seen: string[] = [];
      for await (const page of paginateListKeys({ client: kms, pageSize: 3 }, {}))
        seen.push(...(page.Keys ?? []).map((k) => k.KeyId ?? ''));
      assert.equal(new Set(seen).size, seen.length, 'no key twice');
      for (const keyId of made) assert.ok(seen.includes(keyId));
      // A limit changed between pages still resumes where the marker points.
      const changed = await send(new ListKeysCommand({ Limit: 3, Marker: first.NextMarker }));
      assert.deepEqual(
        changed.Keys.slice(0, 2).map((k: any) => k.KeyId),
        second.Keys.map((k: any) => k.KeyId),
      );
    });

    it('ListKeys refuses a marker it did not give and a Limit outside 1–1000', async () => {
      assert.ok((await refusal(new ListKeysCommand({ Marker: 'bm90IG1pbmU=' }))) instanceof InvalidMarkerException);
      assert.equal((await refusal(new ListKeysCommand({ Limit: 1001 }))).name, 'ValidationException');
    });

    it('DisableKey and EnableKey; a disabled key refuses Encrypt with DisabledException', async () => {
      const { KeyId } = await newKey();
      await send(new DisableKeyCommand({ KeyId }));
      assert.equal((await send(new DescribeKeyCommand({ KeyId }))).KeyMetadata.KeyState, 'Disabled');
      const error = await refusal(new EncryptCommand({ KeyId, Plaintext: Buffer.from('x') }));
      assert.ok(error instanceof DisabledException);
      await send(new EnableKeyCommand({ KeyId }));
      assert.equal((await send(new DescribeKeyCommand({ KeyId }))).KeyMetadata.Enabled, true);
    });

    it('ScheduleKeyDeletion (7–30 days, 30 by default) and CancelKeyDeletion', async () => {
      const { KeyId } = await newKey();
      const scheduled = await send(new ScheduleKeyDeletionCommand({ KeyId }));
      assert.equal(scheduled.KeyId, awsKeyArnOf(KeyId));
      assert.equal(scheduled.KeyState, 'PendingDeletion');
      assert.equal(scheduled.PendingWindowInDays, 30);
      assert.ok(Math.abs(scheduled.DeletionDate.getTime() - (Date.now() + 30 * 86_400_000)) < 60_000);
      const described = (await send(new DescribeKeyCommand({ KeyId }))).KeyMetadata;
      assert.ok(Math.abs(described.DeletionDate.getTime() - scheduled.DeletionDate.getTime()) < 5_000);
      assert.ok((await refusal(new EncryptCommand({ KeyId, Plaintext: Buffer.from('x') }))) instanceof KMSInvalidStateException);
      const cancelled = await send(new CancelKeyDeletionCommand({ KeyId }));
      assert.equal(cancelled.KeyId, awsKeyArnOf(KeyId));
      for (const days of [6, 31]) {
        assert.equal((await refusal(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: days }))).name, 'ValidationException');
      }
      assert.equal((await send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 7 }))).PendingWindowInDays, 7);
    });

    it('UpdateKeyDescription', async () => {
      const { KeyId } = await newKey({ Description: 'before' });
      await send(new UpdateKeyDescriptionCommand({ KeyId, Description: 'after' }));
      assert.equal((await send(new DescribeKeyCommand({ KeyId }))).KeyMetadata.Description, 'after');
    });
  });

  describe('cryptography', () => {
    it('Encrypt and Decrypt any bytes, with a context bound in any order; Decrypt needs no KeyId', async () => {
      const { KeyId } = await newKey();
      const plaintext = Buffer.from([0x00, 0xff, 0xfe, 0xc3, 0x28, 0x0a]);
      const sealed = await send(new EncryptCommand({ KeyId, Plaintext: plaintext, EncryptionContext: { tenant: 't-1', purpose: 'test' } }));
      assert.equal(sealed.KeyId, awsKeyArnOf(KeyId));
      assert.equal(sealed.EncryptionAlgorithm, 'SYMMETRIC_DEFAULT');
      const opened = await send(
        new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: { purpose: 'test', tenant: 't-1' } }),
      );
      assert.deepEqual(Buffer.from(opened.Plaintext), plaintext);
      assert.equal(opened.KeyId, awsKeyArnOf(KeyId));
      const withKey = await send(
        new DecryptCommand({
          CiphertextBlob: sealed.CiphertextBlob,
          KeyId: awsKeyArnOf(KeyId),
          EncryptionContext: { purpose: 'test', tenant: 't-1' },
        }),
      );
      assert.deepEqual(Buffer.from(withKey.Plaintext), plaintext);
    });

    it('Decrypt with a wrong context or a flipped bit is InvalidCiphertextException, with no message', async () => {
      const { KeyId } = await newKey();
      const { CiphertextBlob } = await send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('secret'), EncryptionContext: { a: 'b' } }));
      const wrongContext = await refusal(new DecryptCommand({ CiphertextBlob, EncryptionContext: { a: 'c' } }));
      assert.ok(wrongContext instanceof InvalidCiphertextException);
      assert.equal(wrongContext.message, 'UnknownError', 'the body carries no message');
      const flipped = Buffer.from(CiphertextBlob);
      flipped[flipped.length - 1] = (flipped[flipped.length - 1] ?? 0) ^ 1;
      assert.ok(
        (await refusal(new DecryptCommand({ CiphertextBlob: flipped, EncryptionContext: { a: 'b' } }))) instanceof
          InvalidCiphertextException,
      );
    });

    it('Decrypt naming another key is IncorrectKeyException', async () => {
      const { KeyId } = await newKey();
      const other = await newKey();
      const { CiphertextBlob } = await send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('x') }));
      assert.ok((await refusal(new DecryptCommand({ CiphertextBlob, KeyId: other.KeyId }))) instanceof IncorrectKeyException);
    });

    it('Encrypt takes 1 to 4096 bytes', async () => {
      const { KeyId } = await newKey();
      await send(new EncryptCommand({ KeyId, Plaintext: randomBytes(4096) }));
      const over = await refusal(new EncryptCommand({ KeyId, Plaintext: randomBytes(4097) }));
      assert.equal(over.name, 'ValidationException');
      assert.match(over.message, /plaintext/);
    });

    it('GenerateDataKey: exactly one of NumberOfBytes and KeySpec; Decrypt gives back the raw key', async () => {
      const { KeyId } = await newKey();
      const byBytes = await send(new GenerateDataKeyCommand({ KeyId, NumberOfBytes: 64, EncryptionContext: { k: 'v' } }));
      assert.equal(byBytes.Plaintext.length, 64);
      assert.equal(byBytes.KeyId, awsKeyArnOf(KeyId));
      const opened = await send(new DecryptCommand({ CiphertextBlob: byBytes.CiphertextBlob, EncryptionContext: { k: 'v' } }));
      assert.deepEqual(Buffer.from(opened.Plaintext), Buffer.from(byBytes.Plaintext));
      assert.equal((await send(new GenerateDataKeyCommand({ KeyId, KeySpec: 'AES_128' }))).Plaintext.length, 16);
      assert.equal((await send(new GenerateDataKeyCommand({ KeyId, KeySpec: 'AES_256' }))).Plaintext.length, 32);
      assert.equal((await refusal(new GenerateDataKeyCommand({ KeyId }))).name, 'ValidationException');
      assert.equal(
        (await refusal(new GenerateDataKeyCommand({ KeyId, KeySpec: 'AES_256', NumberOfBytes: 32 }))).name,
        'ValidationException',
      );
      assert.equal((await refusal(new GenerateDataKeyCommand({ KeyId, NumberOfBytes: 1025 }))).name, 'ValidationException');
    });

    it('GenerateDataKeyWithoutPlaintext', async () => {
      const { KeyId } = await newKey();
      const output = await send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId, KeySpec: 'AES_256' }));
      assert.equal(output.Plaintext, undefined);
      assert.equal((await send(new DecryptCommand({ CiphertextBlob: output.CiphertextBlob }))).Plaintext.length, 32);
    });

    it('ReEncrypt names its source and destination keys; a wrong SourceKeyId is IncorrectKeyException', async () => {
      const source = await newKey();
      const destination = await newKey();
      const { CiphertextBlob } = await send(
        new EncryptCommand({ KeyId: source.KeyId, Plaintext: Buffer.from('moving'), EncryptionContext: { s: '1' } }),
      );
      const moved = await send(
        new ReEncryptCommand({
          CiphertextBlob,
          SourceEncryptionContext: { s: '1' },
          DestinationKeyId: destination.Arn,
          DestinationEncryptionContext: { d: '2' },
        }),
      );
      assert.equal(moved.SourceKeyId, awsKeyArnOf(source.KeyId));
      assert.equal(moved.KeyId, awsKeyArnOf(destination.KeyId));
      assert.equal(moved.SourceEncryptionAlgorithm, 'SYMMETRIC_DEFAULT');
      const opened = await send(new DecryptCommand({ CiphertextBlob: moved.CiphertextBlob, EncryptionContext: { d: '2' } }));
      assert.equal(Buffer.from(opened.Plaintext).toString(), 'moving');
      const wrong = await refusal(
        new ReEncryptCommand({
          CiphertextBlob,
          SourceEncryptionContext: { s: '1' },
          SourceKeyId: destination.KeyId,
          DestinationKeyId: destination.KeyId,
        }),
      );
      assert.ok(wrong instanceof IncorrectKeyException);
    });

    it('GenerateRandom: 1 to 1024 bytes', async () => {
      const { Plaintext } = await send(new GenerateRandomCommand({ NumberOfBytes: 1024 }));
      assert.equal(Plaintext.length, 1024);
      for (const NumberOfBytes of [0, 1025])
        assert.equal((await refusal(new GenerateRandomCommand({ NumberOfBytes }))).name, 'ValidationException');
      assert.equal((await refusal(new GenerateRandomCommand({}))).name, 'ValidationException');
    });

    it('DryRun: DryRunOperationException for a call that would have succeeded', async () => {
      const { KeyId } = await newKey();
      const error = await refusal(new EncryptCommand({ KeyId, Plaintext: Buffer.from('x'), DryRun: true }));
      assert.equal(error.name, 'DryRunOperationException');
    });
  });

  describe('aliases', () => {
    it('CreateAlias, Encrypt by alias, UpdateAlias, ListAliases (by key, paged), DeleteAlias', async () => {
      const first = await newKey();
      const second = await newKey();
      const aliasName = uniqueAlias();
      await send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: first.KeyId }));
      assert.equal((await send(new EncryptCommand({ KeyId: aliasName, Plaintext: Buffer.from('x') }))).KeyId, first.Arn);
      const duplicate = await refusal(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: second.KeyId }));
      assert.ok(duplicate instanceof AlreadyExistsException);
      await send(new UpdateAliasCommand({ AliasName: aliasName, TargetKeyId: second.Arn }));
      const listed = await send(new ListAliasesCommand({ KeyId: second.KeyId }));
      assert.deepEqual(
        listed.Aliases.map((alias: any) => [alias.AliasName, alias.AliasArn, alias.TargetKeyId]),
        [[aliasName, `arn:aws:kms:${TEST_AWS_REGION}:${TEST_AWS_ACCOUNT_ID}:${aliasName}`, second.KeyId]],
      );
      assert.ok(listed.Aliases[0].CreationDate instanceof Date);
      await send(new CreateAliasCommand({ AliasName: uniqueAlias(), TargetKeyId: second.KeyId }));
      const page = await send(new ListAliasesCommand({ Limit: 1 }));
      assert.equal(page.Aliases.length, 1);
      assert.equal(page.Truncated, true);
      await send(new DeleteAliasCommand({ AliasName: aliasName }));
      assert.ok((await refusal(new DescribeKeyCommand({ KeyId: aliasName }))) instanceof NotFoundException);
    });

    it('refuses alias names without alias/, the reserved alias/aws/, and an alias as the target', async () => {
      const { KeyId } = await newKey();
      assert.equal((await refusal(new CreateAliasCommand({ AliasName: 'plain', TargetKeyId: KeyId }))).name, 'InvalidAliasNameException');
      assert.equal(
        (await refusal(new CreateAliasCommand({ AliasName: 'alias/aws/ebs', TargetKeyId: KeyId }))).name,
        'InvalidAliasNameException',
      );
      const aliasName = uniqueAlias();
      await send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: KeyId }));
      assert.ok((await refusal(new CreateAliasCommand({ AliasName: uniqueAlias(), TargetKeyId: aliasName }))) instanceof NotFoundException);
    });
  });

  describe('tags', () => {
    it('TagResource, ListResourceTags (paged), UntagResource; aws: is reserved', async () => {
      const { KeyId } = await newKey({ Tags: [{ TagKey: 'a', TagValue: '1' }] });
      await send(
        new TagResourceCommand({
          KeyId,
          Tags: [
            { TagKey: 'b', TagValue: '2' },
            { TagKey: 'a', TagValue: 'one' },
          ],
        }),
      );
      const all = await send(new ListResourceTagsCommand({ KeyId }));
      assert.deepEqual(
        [...all.Tags].sort((x: any, y: any) => x.TagKey.localeCompare(y.TagKey)),
        [
          { TagKey: 'a', TagValue: 'one' },
          { TagKey: 'b', TagValue: '2' },
        ],
      );
      assert.equal(all.Truncated, false);
      const page = await send(new ListResourceTagsCommand({ KeyId, Limit: 1 }));
      assert.equal(page.Tags.length, 1);
      assert.equal(page.Truncated, true);
      const rest = await send(new ListResourceTagsCommand({ KeyId, Limit: 1, Marker: page.NextMarker }));
      assert.notDeepEqual(rest.Tags, page.Tags);
      assert.equal(rest.Truncated, false);
      await send(new UntagResourceCommand({ KeyId, TagKeys: ['a'] }));
      assert.deepEqual((await send(new ListResourceTagsCommand({ KeyId }))).Tags, [{ TagKey: 'b', TagValue: '2' }]);
      assert.ok((await refusal(new TagResourceCommand({ KeyId, Tags: [{ TagKey: 'AWS:x', TagValue: '' }] }))) instanceof TagException);
    });
  });

  describe('rotation', () => {
    it('EnableKeyRotation (90–2560 days, 365 by default), GetKeyRotationStatus, DisableKeyRotation', async () => {
      const { KeyId } = await newKey();
      assert.equal((await send(new GetKeyRotationStatusCommand({ KeyId }))).KeyRotationEnabled, false);
      await send(new EnableKeyRotationCommand({ KeyId }));
      const status = await send(new GetKeyRotationStatusCommand({ KeyId }));
      assert.equal(status.KeyRotationEnabled, true);
      assert.equal(status.RotationPeriodInDays, 365);
      assert.equal(status.KeyId, awsKeyArnOf(KeyId));
      assert.ok(status.NextRotationDate instanceof Date);
      await send(new EnableKeyRotationCommand({ KeyId, RotationPeriodInDays: 90 }));
      assert.equal((await send(new GetKeyRotationStatusCommand({ KeyId }))).RotationPeriodInDays, 90);
      assert.equal((await refusal(new EnableKeyRotationCommand({ KeyId, RotationPeriodInDays: 89 }))).name, 'ValidationException');
      await send(new DisableKeyRotationCommand({ KeyId }));
      assert.equal((await send(new GetKeyRotationStatusCommand({ KeyId }))).KeyRotationEnabled, false);
    });

    it('RotateKeyOnDemand makes new material; old ciphertexts still open; ListKeyRotations lists each material', async () => {
      const { KeyId, CurrentKeyMaterialId } = await newKey();
      const before = await send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('before') }));
      assert.equal((await send(new RotateKeyOnDemandCommand({ KeyId }))).KeyId, awsKeyArnOf(KeyId));
      const current = (await send(new DescribeKeyCommand({ KeyId }))).KeyMetadata.CurrentKeyMaterialId;
      assert.notEqual(current, CurrentKeyMaterialId);
      assert.equal(Buffer.from((await send(new DecryptCommand({ CiphertextBlob: before.CiphertextBlob }))).Plaintext).toString(), 'before');
      const rotations = await send(new ListKeyRotationsCommand({ KeyId }));
      assert.deepEqual(
        rotations.Rotations.map((r: any) => [r.KeyMaterialId, r.KeyMaterialState]),
        [
          [CurrentKeyMaterialId, 'NON_CURRENT'],
          [current, 'CURRENT'],
        ],
      );
      assert.ok(rotations.Rotations.every((r: any) => r.RotationDate instanceof Date && r.KeyId === awsKeyArnOf(KeyId)));
      assert.equal(rotations.Truncated, false);
    });
  });

  describe('bring your own key', () => {
    it('EXTERNAL key: GetParametersForImport, ImportKeyMaterial (expiring or not), DeleteImportedKeyMaterial', async () => {
      const metadata = await newKey({ Origin: 'EXTERNAL' });
      assert.equal(metadata.KeyState, 'PendingImport');
      assert.equal(metadata.Enabled, false);
      assert.equal(metadata.Origin, 'EXTERNAL');
      assert.equal(metadata.CurrentKeyMaterialId, undefined);
      const { KeyId } = metadata;
      const material = randomBytes(32);
      const parameters = await send(
        new GetParametersForImportCommand({ KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }),
      );
      assert.equal(parameters.KeyId, awsKeyArnOf(KeyId));
      assert.ok(parameters.ParametersValidTo instanceof Date);
      const publicKey = createPublicKey({ key: Buffer.from(parameters.PublicKey), format: 'der', type: 'spki' });
      const EncryptedKeyMaterial = publicEncrypt(
        { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
        material,
      );
      const missingValidTo = await refusal(
        new ImportKeyMaterialCommand({ KeyId, ImportToken: parameters.ImportToken, EncryptedKeyMaterial }),
      );
      assert.equal(missingValidTo.name, 'ValidationException');
      const validTo = new Date(Date.now() + 86_400_000);
      const imported = await send(
        new ImportKeyMaterialCommand({
          KeyId,
          ImportToken: parameters.ImportToken,
          EncryptedKeyMaterial,
          ExpirationModel: 'KEY_MATERIAL_EXPIRES',
          ValidTo: validTo,
        }),
      );
      assert.equal(imported.KeyId, awsKeyArnOf(KeyId));
      const described = (await send(new DescribeKeyCommand({ KeyId }))).KeyMetadata;
      assert.equal(described.KeyState, 'Enabled');
      assert.equal(described.ExpirationModel, 'KEY_MATERIAL_EXPIRES');
      assert.equal(Math.floor(described.ValidTo.getTime() / 1000), Math.floor(validTo.getTime() / 1000));
      const sealed = await send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('byok') }));
      assert.equal((await send(new DeleteImportedKeyMaterialCommand({ KeyId }))).KeyId, awsKeyArnOf(KeyId));
      assert.equal((await send(new DescribeKeyCommand({ KeyId }))).KeyMetadata.KeyState, 'PendingImport');
      assert.ok((await refusal(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }))) instanceof KMSInvalidStateException);
      // The same material again, never expiring: the old ciphertext opens again.
      const again = await send(
        new GetParametersForImportCommand({ KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_1', WrappingKeySpec: 'RSA_2048' }),
      );
      const rewrapped = publicEncrypt(
        {
          key: createPublicKey({ key: Buffer.from(again.PublicKey), format: 'der', type: 'spki' }),
          padding: constants.RSA_PKCS1_OAEP_PADDING,
          oaepHash: 'sha1',
        },
        material,
      );
      await send(
        new ImportKeyMaterialCommand({
          KeyId,
          ImportToken: again.ImportToken,
          EncryptedKeyMaterial: rewrapped,
          ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        }),
      );
      assert.equal((await send(new DescribeKeyCommand({ KeyId }))).KeyMetadata.ExpirationModel, 'KEY_MATERIAL_DOES_NOT_EXPIRE');
      assert.equal(Buffer.from((await send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }))).Plaintext).toString(), 'byok');
    });

    it('GetParametersForImport on an AWS_KMS key is UnsupportedOperationException', async () => {
      const { KeyId } = await newKey();
      const error = await refusal(
        new GetParametersForImportCommand({ KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }),
      );
      assert.equal(error.name, 'UnsupportedOperationException');
    });
  });

  describe('key policies', () => {
    it("GetKeyPolicy gives the RAM key policy (Alibaba's default first); PutKeyPolicy replaces it; ListKeyPolicies lists default", async () => {
      const { KeyMetadata } = await send(new CreateKeyCommand({}));
      const KeyId = KeyMetadata.KeyId;
      const initial = await send(new GetKeyPolicyCommand({ KeyId, PolicyName: 'default' }));
      assert.equal(initial.PolicyName, 'default');
      const document = JSON.parse(initial.Policy);
      assert.deepEqual(document.Statement[0].Action, ['kms:*']);
      assert.match(document.Statement[0].Principal.RAM[0], /^acs:ram::\d+:\*$/);
      const changed = JSON.stringify({ ...document, Statement: [{ ...document.Statement[0], Sid: 'changed through AWS' }] });
      await send(new PutKeyPolicyCommand({ KeyId, PolicyName: 'default', Policy: changed }));
      assert.equal((await send(new GetKeyPolicyCommand({ KeyId: awsKeyArnOf(KeyId) }))).Policy, changed);
      const listed = await send(new ListKeyPoliciesCommand({ KeyId }));
      assert.deepEqual([listed.PolicyNames, listed.Truncated], [['default'], false]);
    });

    it('an AWS-style key policy is MalformedPolicyDocumentException; another policy name is a ValidationException', async () => {
      const { KeyMetadata } = await send(new CreateKeyCommand({}));
      const aws = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' }],
      });
      const malformed = await refusal(new PutKeyPolicyCommand({ KeyId: KeyMetadata.KeyId, PolicyName: 'default', Policy: aws }));
      assert.equal(malformed.name, 'MalformedPolicyDocumentException');
      const otherName = await refusal(new GetKeyPolicyCommand({ KeyId: KeyMetadata.KeyId, PolicyName: 'other' }));
      assert.equal(otherName.name, 'ValidationException');
    });
  });

  describe('the protocol', () => {
    it('an unknown operation is UnknownOperationException; GET and another content type are refused', async () => {
      const unknown = await sendSignedAws(arca.endpoint, credentials, { target: 'TrentService.CreateGrant', body: '{"KeyId":"x"}' });
      assert.equal(unknown.status, 400);
      assert.equal(unknown.json.__type, 'UnknownOperationException');
      const get = await sendSignedAws(arca.endpoint, credentials, { target: 'TrentService.ListKeys', method: 'GET' });
      assert.equal(get.json.__type, 'UnknownOperationException');
      const form = await sendSignedAws(arca.endpoint, credentials, { target: 'TrentService.ListKeys', contentType: 'application/json' });
      assert.equal(form.json.__type, 'ValidationException');
      const notJson = await sendSignedAws(arca.endpoint, credentials, { target: 'TrentService.ListKeys', body: '{"Limit":' });
      assert.equal(notJson.json.__type, 'SerializationException');
      const replayedAt = new Date(Date.now() - 20 * 60_000);
      const expired = await sendSignedAws(arca.endpoint, credentials, { target: 'TrentService.ListKeys', signingDate: replayedAt });
      assert.equal(expired.json.__type, 'InvalidSignatureException');
      assert.match(expired.json.message, /^Signature expired/);
      assert.ok(expired.headers.get('date'), 'a Date header the SDK corrects its clock from');
    });

    it('a client 20 minutes slow corrects its clock from the Date header and succeeds on its retry', async () => {
      const slow = new KMSClient({
        endpoint: `http://${arca.endpoint}`,
        region: TEST_AWS_REGION,
        credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.accessKeySecret },
        systemClockOffset: -20 * 60_000,
      });
      const output = await slow.send(new ListKeysCommand({ Limit: 1 }));
      assert.equal(output.$metadata.attempts, 2);
    });

    it('a bad signature is InvalidSignatureException; an unknown key UnrecognizedClientException; an unsigned request IncompleteSignatureException', async () => {
      const response = await fetch(`http://${arca.endpoint}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys' },
        body: '{}',
      });
      assert.equal(response.status, 400);
      assert.match(response.headers.get('x-amzn-requestid') ?? '', UUID);
      assert.equal(((await response.json()) as any).__type, 'IncompleteSignatureException');
      const wrongSecret = awsKmsClient(arca.endpoint, { accessKeyId: credentials.accessKeyId, accessKeySecret: 'wrong' });
      await assert.rejects(wrongSecret.send(new ListKeysCommand({})), (error: any) => error.name === 'InvalidSignatureException');
      const unknown = awsKmsClient(arca.endpoint, { accessKeyId: 'AKIDNOBODY', accessKeySecret: 'x' });
      await assert.rejects(unknown.send(new ListKeysCommand({})), (error: any) => error.name === 'UnrecognizedClientException');
    });

    it("any region signs: the scope names the client's region, the Arns stay the server's", async () => {
      const elsewhere = awsKmsClient(arca.endpoint, credentials, 'ap-northeast-2');
      const { KeyMetadata } = await elsewhere.send(new CreateKeyCommand({}));
      assert.equal(KeyMetadata?.Arn, awsKeyArnOf(KeyMetadata?.KeyId ?? ''));
    });
  });

  it('called every operation of the AWS action table successfully', () => {
    assert.deepEqual([...succeeded].sort(), [...AWS_ACTION_TABLE.keys()].sort());
  });
});
