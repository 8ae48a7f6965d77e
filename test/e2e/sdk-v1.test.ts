// Conformance through the npm @alicloud/kms20160120 1.2.0 client (rpc-client, HMAC-SHA1 signature
// 1.0, everything in the query, EncryptionContext flattened into `EncryptionContext.k=v`): the
// package `npm i @alicloud/kms20160120` installs. Errors carry `code = <Code>Error`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KmsModels, v1Client, v3Caller } from '../support/clients.js';
import { startTestServer, TEST_ACCOUNT_ID, TEST_REGION, type TestServer } from '../support/server.js';
import { aliasArnOf, base64Bytes, DAY_MS, expectV1Error, keyArnOf, LOWER_UUID, REQUEST_ID, wireDateMs } from './support-sdk-assertions.js';

let server: TestServer;
let client: any;
let v3: (action: string, query: Record<string, unknown>) => Promise<any>;
let aliasCounter = 0;

before(async () => {
  server = await startTestServer();
  client = v1Client(server);
  v3 = v3Caller(server);
});

after(async () => {
  await server.close();
});

const M: any = KmsModels;

function uniqueAlias(label: string): string {
  aliasCounter += 1;
  return `alias/sdk-v1-${label}-${process.pid}-${aliasCounter}`;
}

async function createKey(fields: Record<string, unknown> = {}): Promise<any> {
  const response = await client.createKey(new M.CreateKeyRequest(fields));
  assert.match(response.requestId, REQUEST_ID);
  return response.keyMetadata;
}

async function describeKey(keyId: string): Promise<any> {
  const response = await client.describeKey(new M.DescribeKeyRequest({ keyId }));
  assert.match(response.requestId, REQUEST_ID);
  return response.keyMetadata;
}

function encrypt(keyId: string, plaintext: string, encryptionContext?: Record<string, string>): Promise<any> {
  return client.encrypt(new M.EncryptRequest({ keyId, plaintext, ...(encryptionContext ? { encryptionContext } : {}) }));
}

function decrypt(ciphertextBlob: string, encryptionContext?: Record<string, string>): Promise<any> {
  return client.decrypt(new M.DecryptRequest({ ciphertextBlob, ...(encryptionContext ? { encryptionContext } : {}) }));
}

describe('keys through the 1.2.0 client', () => {
  it('creates an Aliyun_AES_256 key by default and reads every KeyMetadata field the client models', async () => {
    const metadata = await createKey();
    assert.match(metadata.keyId, LOWER_UUID);
    assert.equal(metadata.arn, `acs:kms:${TEST_REGION}:${TEST_ACCOUNT_ID}:key/${metadata.keyId}`);
    assert.equal(metadata.keySpec, 'Aliyun_AES_256');
    assert.equal(metadata.keyState, 'Enabled');
    assert.equal(metadata.keyUsage, 'ENCRYPT/DECRYPT');
    assert.equal(metadata.origin, 'Aliyun_KMS');
    assert.equal(metadata.protectionLevel, 'SOFTWARE');
    assert.equal(metadata.automaticRotation, 'Disabled');
    assert.equal(metadata.creator, TEST_ACCOUNT_ID);
    assert.equal(metadata.description, '');
    assert.equal(metadata.deleteDate, '');
    assert.equal(metadata.materialExpireTime, '');
    assert.match(metadata.primaryKeyVersion, LOWER_UUID);
    wireDateMs(metadata.creationDate, 'CreationDate');
    wireDateMs(metadata.lastRotationDate, 'LastRotationDate');
  });

  it('creates an Aliyun_SM4 key with a description and automatic rotation', async () => {
    const metadata = await createKey({
      keySpec: 'Aliyun_SM4',
      description: 'v1 SM4',
      enableAutomaticRotation: true,
      rotationInterval: '7d',
    });
    assert.equal(metadata.keySpec, 'Aliyun_SM4');
    assert.equal(metadata.description, 'v1 SM4');
    assert.equal(metadata.automaticRotation, 'Enabled');
    assert.equal(metadata.rotationInterval, '604800s');
    assert.equal(wireDateMs(metadata.nextRotationDate) - wireDateMs(metadata.lastRotationDate), 7 * DAY_MS);
  });

  it('describes a key by id, alias and Arn', async () => {
    const created = await createKey({ description: 'named thrice' });
    const aliasName = uniqueAlias('describe');
    await client.createAlias(new M.CreateAliasRequest({ aliasName, keyId: created.keyId }));
    for (const reference of [created.keyId, aliasName, keyArnOf(created.keyId)]) {
      const metadata = await describeKey(reference);
      assert.equal(metadata.keyId, created.keyId);
      assert.equal(metadata.description, 'named thrice');
      assert.equal(metadata.primaryKeyVersion, created.primaryKeyVersion);
    }
  });

  it('pages ListKeys with totalCount, pageNumber, pageSize and keys.key[]', async () => {
    const mine = [(await createKey()).keyId, (await createKey()).keyId, (await createKey()).keyId];
    const first = await client.listKeys(new M.ListKeysRequest({}));
    assert.match(first.requestId, REQUEST_ID);
    assert.equal(first.pageNumber, 1);
    assert.equal(first.pageSize, 10);
    const total = first.totalCount;
    assert.ok(total >= 3);
    const seen: string[] = [];
    for (let page = 1; page <= Math.ceil(total / 2); page++) {
      const response = await client.listKeys(new M.ListKeysRequest({ pageNumber: page, pageSize: 2 }));
      assert.equal(response.pageNumber, page);
      assert.equal(response.pageSize, 2);
      assert.equal(response.totalCount, total);
      for (const entry of response.keys.key) {
        assert.equal(entry.keyArn, keyArnOf(entry.keyId));
        seen.push(entry.keyId);
      }
    }
    assert.equal(new Set(seen).size, total);
    for (const keyId of mine) assert.ok(seen.includes(keyId));
  });

  it('disables and enables a key; a Disabled key refuses Encrypt with Rejected.DisabledError', async () => {
    const key = await createKey();
    assert.match((await client.disableKey(new M.DisableKeyRequest({ keyId: key.keyId }))).requestId, REQUEST_ID);
    assert.equal((await describeKey(key.keyId)).keyState, 'Disabled');
    await expectV1Error(encrypt(key.keyId, 'x'), {
      code: 'Rejected.Disabled',
      statusCode: 409,
      message: 'The request was rejected because the key state is Disabled.',
    });
    assert.match((await client.enableKey(new M.EnableKeyRequest({ keyId: key.keyId }))).requestId, REQUEST_ID);
    assert.equal((await describeKey(key.keyId)).keyState, 'Enabled');
    assert.ok((await encrypt(key.keyId, 'x')).ciphertextBlob);
  });

  it('schedules and cancels deletion; a PendingDeletion key refuses use and EnableKey', async () => {
    const key = await createKey({ keySpec: 'Aliyun_SM4' });
    const before = Date.now();
    await client.scheduleKeyDeletion(new M.ScheduleKeyDeletionRequest({ keyId: key.keyId, pendingWindowInDays: 7 }));
    const pending = await describeKey(key.keyId);
    assert.equal(pending.keyState, 'PendingDeletion');
    const deleteAt = wireDateMs(pending.deleteDate, 'DeleteDate');
    assert.ok(deleteAt >= Math.floor(before / 1000) * 1000 + 7 * DAY_MS && deleteAt <= Date.now() + 7 * DAY_MS);
    await expectV1Error(encrypt(key.keyId, 'x'), { code: 'Rejected.PendingDeletion', statusCode: 409 });
    await expectV1Error(client.enableKey(new M.EnableKeyRequest({ keyId: key.keyId })), {
      code: 'Rejected.StateModifiedFailed',
      statusCode: 409,
    });

    await client.cancelKeyDeletion(new M.CancelKeyDeletionRequest({ keyId: key.keyId }));
    const restored = await describeKey(key.keyId);
    assert.equal(restored.keyState, 'Enabled');
    assert.equal(restored.deleteDate, '');
  });

  it('updates a key description', async () => {
    const key = await createKey({ description: 'old' });
    await client.updateKeyDescription(new M.UpdateKeyDescriptionRequest({ keyId: key.keyId, description: 'new 描述' }));
    assert.equal((await describeKey(key.keyId)).description, 'new 描述');
  });
});

describe('cryptography through the 1.2.0 client', () => {
  for (const keySpec of ['Aliyun_AES_256', 'Aliyun_SM4']) {
    it(`round-trips under ${keySpec} with a flattened encryption context in any order`, async () => {
      const key = await createKey({ keySpec });
      const encrypted = await encrypt(key.keyId, 'v1 secret', { app: 'billing', region: 'eu' });
      assert.match(encrypted.requestId, REQUEST_ID);
      assert.equal(encrypted.keyId, key.keyId);
      assert.equal(encrypted.keyVersionId, key.primaryKeyVersion);
      base64Bytes(encrypted.ciphertextBlob);
      const decrypted = await decrypt(encrypted.ciphertextBlob, { region: 'eu', app: 'billing' });
      assert.equal(decrypted.plaintext, 'v1 secret');
      assert.equal(decrypted.keyId, key.keyId);
      assert.equal(decrypted.keyVersionId, key.primaryKeyVersion);
    });
  }

  it('refuses a different or missing context with the opaque InvalidParameterError', async () => {
    const key = await createKey();
    const encrypted = await encrypt(key.keyId, 'bound', { app: 'billing' });
    const refusal = {
      code: 'InvalidParameter',
      statusCode: 400,
      message: 'The specified parameter "CiphertextBlob" is not valid.',
    };
    await expectV1Error(decrypt(encrypted.ciphertextBlob, { app: 'payroll' }), refusal);
    await expectV1Error(decrypt(encrypted.ciphertextBlob), refusal);
    await expectV1Error(decrypt(encrypted.ciphertextBlob, { app: 'billing', extra: 'x' }), refusal);
  });

  it('decrypts with the flattened context a blob the 3.x path sealed with the same context as JSON', async () => {
    const key = await createKey({ keySpec: 'Aliyun_SM4' });
    const sealed = await v3('Encrypt', {
      KeyId: key.keyId,
      Plaintext: 'made by v3',
      EncryptionContext: { tenant: 'acme', 'doc.id': '42', note: 'a b&c=d' },
    });
    const decrypted = await decrypt(sealed.CiphertextBlob, { note: 'a b&c=d', tenant: 'acme', 'doc.id': '42' });
    assert.equal(decrypted.plaintext, 'made by v3');
    await expectV1Error(decrypt(sealed.CiphertextBlob, { tenant: 'acme', 'doc.id': '42', note: 'a b&c=e' }), {
      code: 'InvalidParameter',
      statusCode: 400,
    });
  });

  it('lets the 3.x path decrypt, with a JSON context, what the 1.2.0 client sealed with the flattened form', async () => {
    const key = await createKey();
    const sealed = await encrypt(key.keyId, 'made by v1', { b: '2', a: '1' });
    const decrypted = await v3('Decrypt', { CiphertextBlob: sealed.ciphertextBlob, EncryptionContext: '{"a":"1","b":"2"}' });
    assert.equal(decrypted.Plaintext, 'made by v1');
    const dataKey = await client.generateDataKey(new M.GenerateDataKeyRequest({ keyId: key.keyId, encryptionContext: { file: 'x.bin' } }));
    const opened = await v3('Decrypt', { CiphertextBlob: dataKey.ciphertextBlob, EncryptionContext: { file: 'x.bin' } });
    assert.equal(opened.Plaintext, dataKey.plaintext);
  });

  it('keeps flattened context keys and values with reserved characters interchangeable with the JSON form', async () => {
    const key = await createKey();
    const contexts: Array<Record<string, string>> = [
      { "k*(~)'!": "v*()'!~ 汉字" },
      { 'a b': 'c+d', 'e=f': 'g&h' },
      { '': 'empty key', blank: '' },
      { 'EncryptionContext.nested': 'z' },
      { '%41': '%42' },
    ];
    for (const context of contexts) {
      const sealed = await encrypt(key.keyId, 'reserved', context);
      const opened = await v3('Decrypt', { CiphertextBlob: sealed.ciphertextBlob, EncryptionContext: JSON.stringify(context) });
      assert.equal(opened.Plaintext, 'reserved', JSON.stringify(context));
      const sealedV3 = await v3('Encrypt', { KeyId: key.keyId, Plaintext: 'reserved v3', EncryptionContext: context });
      assert.equal((await decrypt(sealedV3.CiphertextBlob, context)).plaintext, 'reserved v3', JSON.stringify(context));
    }
  });

  it('accepts or refuses a long encryption context alike in the flattened and the JSON form', async () => {
    const key = await createKey();
    const manyPairs: Record<string, string> = {};
    for (let i = 0; i < 800; i++) manyPairs[`k${String(i).padStart(4, '0')}`] = 'vvvvv';
    // Each is 8000-8192 characters of keys and values, but longer than 8192 characters as JSON.
    for (const context of [{ a: 'v'.repeat(8191) }, manyPairs]) {
      const label = `context of ${Object.keys(context).length} pair(s), ${JSON.stringify(context).length} JSON characters`;
      const flattened = await encrypt(key.keyId, 'long context', context).then(
        (response) => ({ ok: true as const, blob: response.ciphertextBlob as string }),
        (error: any) => ({ ok: false as const, code: error.code as string }),
      );
      const json = await v3('Encrypt', { KeyId: key.keyId, Plaintext: 'long context', EncryptionContext: context }).then(
        (body) => ({ ok: true as const, blob: body.CiphertextBlob as string }),
        (error: any) => ({ ok: false as const, code: error.code as string }),
      );
      assert.equal(
        flattened.ok,
        json.ok,
        `${label}: flattened ${JSON.stringify(flattened).slice(0, 80)}, JSON ${JSON.stringify(json).slice(0, 80)}`,
      );
      if (flattened.ok) {
        const opened = await v3('Decrypt', { CiphertextBlob: flattened.blob, EncryptionContext: context });
        assert.equal(opened.Plaintext, 'long context', label);
      }
    }
  });

  it('carries opaque plaintext (reserved URL characters, unicode) through the 1.2.0 query encoding', async () => {
    const key = await createKey();
    for (const text of ["a+b/c= d*()'!~", '汉字 🔐 ñ', '%20%2B&=?#', 'x'.repeat(6144)]) {
      const encrypted = await encrypt(key.keyId, text);
      assert.equal((await decrypt(encrypted.ciphertextBlob)).plaintext, text);
    }
    await expectV1Error(encrypt(key.keyId, 'x'.repeat(6145)), { code: 'InvalidParameter', statusCode: 400 });
  });

  it('generates data keys: 32 bytes by default, 16 for AES_128, NumberOfBytes when given', async () => {
    const key = await createKey({ keySpec: 'Aliyun_SM4' });
    const cases: Array<[Record<string, unknown>, number]> = [
      [{}, 32],
      [{ keySpec: 'AES_128' }, 16],
      [{ keySpec: 'AES_128', numberOfBytes: 40 }, 40],
      [{ keySpec: 'SM4_128', numberOfBytes: 16 }, 16],
    ];
    for (const [fields, length] of cases) {
      const response = await client.generateDataKey(new M.GenerateDataKeyRequest({ keyId: key.keyId, ...fields }));
      assert.match(response.requestId, REQUEST_ID);
      assert.equal(response.keyId, key.keyId);
      assert.equal(response.keyVersionId, key.primaryKeyVersion);
      assert.equal(base64Bytes(response.plaintext).length, length, JSON.stringify(fields));
      assert.equal((await decrypt(response.ciphertextBlob)).plaintext, response.plaintext);
    }
    const withoutPlaintext = await client.generateDataKeyWithoutPlaintext(
      new M.GenerateDataKeyWithoutPlaintextRequest({ keyId: key.keyId, numberOfBytes: 24, encryptionContext: { k: 'v' } }),
    );
    assert.equal(withoutPlaintext.keyId, key.keyId);
    assert.equal(base64Bytes((await decrypt(withoutPlaintext.ciphertextBlob, { k: 'v' })).plaintext).length, 24);
  });
});

describe('aliases and tags through the 1.2.0 client', () => {
  it('creates, lists, repoints and deletes an alias', async () => {
    const first = await createKey();
    const second = await createKey({ keySpec: 'Aliyun_SM4' });
    const aliasName = uniqueAlias('lifecycle');
    await client.createAlias(new M.CreateAliasRequest({ aliasName, keyId: first.keyId }));

    const byKey = await client.listAliasesByKeyId(new M.ListAliasesByKeyIdRequest({ keyId: first.keyId }));
    assert.equal(byKey.totalCount, 1);
    assert.equal(byKey.pageNumber, 1);
    assert.equal(byKey.pageSize, 10);
    assert.equal(byKey.aliases.alias.length, 1);
    assert.equal(byKey.aliases.alias[0].aliasName, aliasName);
    assert.equal(byKey.aliases.alias[0].aliasArn, aliasArnOf(aliasName));
    assert.equal(byKey.aliases.alias[0].keyId, first.keyId);

    const all = await client.listAliases(new M.ListAliasesRequest({ pageSize: 100 }));
    assert.ok(all.totalCount >= 1);
    const listed = all.aliases.alias.find((alias: any) => alias.aliasName === aliasName);
    assert.equal(listed?.keyId, first.keyId);

    await client.updateAlias(new M.UpdateAliasRequest({ aliasName, keyId: second.keyId }));
    assert.equal((await describeKey(aliasName)).keyId, second.keyId);
    assert.equal((await encrypt(aliasName, 'p')).keyId, second.keyId);

    await client.deleteAlias(new M.DeleteAliasRequest({ aliasName }));
    await expectV1Error(describeKey(aliasName), {
      code: 'Forbidden.AliasNotFound',
      statusCode: 404,
      message: 'The specified Alias is not found.',
    });
  });

  it('refuses a duplicate alias with AliasAlreadyExistsError and a malformed one with InvalidParameterError', async () => {
    const key = await createKey();
    const aliasName = uniqueAlias('dup');
    await client.createAlias(new M.CreateAliasRequest({ aliasName, keyId: key.keyId }));
    await expectV1Error(client.createAlias(new M.CreateAliasRequest({ aliasName, keyId: key.keyId })), {
      code: 'AliasAlreadyExists',
      statusCode: 400,
    });
    await expectV1Error(client.createAlias(new M.CreateAliasRequest({ aliasName: 'no-prefix', keyId: key.keyId })), {
      code: 'InvalidParameter',
      statusCode: 400,
      message: 'The specified parameter "AliasName" is not valid.',
    });
  });

  it('tags, lists and untags a key', async () => {
    const key = await createKey();
    await client.tagResource(
      new M.TagResourceRequest({
        keyId: key.keyId,
        tags: JSON.stringify([
          { TagKey: 'env', TagValue: 'qa' },
          { TagKey: 'cost', TagValue: '42' },
        ]),
      }),
    );
    const listed = await client.listResourceTags(new M.ListResourceTagsRequest({ keyId: key.keyId }));
    assert.match(listed.requestId, REQUEST_ID);
    const tags = listed.tags.tag
      .map((tag: any) => ({ keyId: tag.keyId, tagKey: tag.tagKey, tagValue: tag.tagValue }))
      .sort((a: any, b: any) => a.tagKey.localeCompare(b.tagKey));
    assert.deepEqual(tags, [
      { keyId: key.keyId, tagKey: 'cost', tagValue: '42' },
      { keyId: key.keyId, tagKey: 'env', tagValue: 'qa' },
    ]);
    await client.untagResource(new M.UntagResourceRequest({ keyId: key.keyId, tagKeys: JSON.stringify(['cost']) }));
    const after = await client.listResourceTags(new M.ListResourceTagsRequest({ keyId: key.keyId }));
    assert.deepEqual(
      after.tags.tag.map((tag: any) => tag.tagKey),
      ['env'],
    );
  });
});

describe('errors and service actions through the 1.2.0 client', () => {
  it('reports an unknown key as Forbidden.KeyNotFoundError and an unknown alias as Forbidden.AliasNotFoundError', async () => {
    await expectV1Error(describeKey('0b3c6a6e-0000-4000-8000-000000000000'), {
      code: 'Forbidden.KeyNotFound',
      statusCode: 404,
      message: 'The specified Key is not found.',
    });
    await expectV1Error(encrypt('alias/sdk-v1-nowhere', 'x'), { code: 'Forbidden.AliasNotFound', statusCode: 404 });
    await expectV1Error(client.deleteAlias(new M.DeleteAliasRequest({ aliasName: 'alias/sdk-v1-nowhere' })), {
      code: 'Forbidden.AliasNotFound',
      statusCode: 404,
    });
  });

  it('reports a bad PendingWindowInDays or NumberOfBytes as InvalidParameterError', async () => {
    const key = await createKey();
    await expectV1Error(client.scheduleKeyDeletion(new M.ScheduleKeyDeletionRequest({ keyId: key.keyId, pendingWindowInDays: 6 })), {
      code: 'InvalidParameter',
      statusCode: 400,
      message: 'The specified parameter "PendingWindowInDays" is not valid.',
    });
    await expectV1Error(client.generateDataKey(new M.GenerateDataKeyRequest({ keyId: key.keyId, numberOfBytes: 1025 })), {
      code: 'InvalidParameter',
      statusCode: 400,
      message: 'The specified parameter "NumberOfBytes" is not valid.',
    });
    assert.equal((await describeKey(key.keyId)).keyState, 'Enabled');
  });

  it('refuses the secret, asymmetric and public-key methods of the client with UnsupportedOperationError naming the action', async () => {
    const key = await createKey();
    const refusals: Array<[string, () => Promise<unknown>]> = [
      ['CreateSecret', () => client.createSecret(new M.CreateSecretRequest({ secretName: 'app/db', versionId: 'v1', secretData: 'pw' }))],
      ['GetSecretValue', () => client.getSecretValue(new M.GetSecretValueRequest({ secretName: 'app/db' }))],
      ['ListSecrets', () => client.listSecrets(new M.ListSecretsRequest({}))],
      [
        'AsymmetricSign',
        () =>
          client.asymmetricSign(
            new M.AsymmetricSignRequest({
              keyId: key.keyId,
              keyVersionId: key.primaryKeyVersion,
              algorithm: 'RSA_PSS_SHA_256',
              digest: 'AAAA',
            }),
          ),
      ],
      ['GetPublicKey', () => client.getPublicKey(new M.GetPublicKeyRequest({ keyId: key.keyId, keyVersionId: key.primaryKeyVersion }))],
    ];
    for (const [action, send] of refusals) {
      await expectV1Error(send(), {
        code: 'UnsupportedOperation',
        statusCode: 400,
        message: `This action is not supported: ${action} is an action of the KMS API 2016-01-20 that this server does not implement.`,
      });
    }
    assert.equal((await describeKey(key.keyId)).keyState, 'Enabled');
  });

  it('answers DescribeRegions, DescribeService and GetRandomPassword', async () => {
    const regions = await client.describeRegions(new M.DescribeRegionsRequest({}));
    assert.deepEqual(
      regions.regions.region.map((region: any) => region.regionId),
      [TEST_REGION],
    );
    const service = await client.describeService(new M.DescribeServiceRequest({}));
    assert.ok(service.protectionLevels.protectionLevel.some((level: any) => level.type === 'SOFTWARE'));
    const specs = service.keySpecs.keySpec.map((spec: any) => spec.name);
    assert.ok(specs.includes('Aliyun_AES_256') && specs.includes('Aliyun_SM4'));
    const password = await client.getRandomPassword(
      new M.GetRandomPasswordRequest({ passwordLength: '16', excludePunctuation: 'true', requireEachIncludedType: 'true' }),
    );
    assert.match(password.randomPassword, /^[A-Za-z0-9]{16}$/);
    assert.match(password.randomPassword, /[a-z]/);
    assert.match(password.randomPassword, /[A-Z]/);
    assert.match(password.randomPassword, /[0-9]/);
  });
});
