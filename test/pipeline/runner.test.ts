// The operation pipeline through inject(): every request, allowed or refused, yields exactly one
// audit event; the runner asks the authorisation point once for every resource an operation
// declares (ReEncrypt's two keys, DeleteAlias's alias and key), before the operation runs; and
// disabling an access key in the store refuses its next request.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditEvent } from '../../src/domain/audit-event.js';
import { KmsError } from '../../src/domain/errors.js';
import type { AuthorizationRequest, Authorizer } from '../../src/pipeline/authorizer.js';
import { ADMIN_CREDENTIALS, createInjectApi, INJECT_ACCOUNT_ID, INJECT_REGION, type InjectApi } from '../support/inject-api.js';

const ARN_PREFIX = `acs:kms:${INJECT_REGION}:${INJECT_ACCOUNT_ID}:`;

/** Records every question and answers yes, unless a test says which Arn to refuse. */
class RecordingAuthorizer implements Authorizer {
  readonly asked: AuthorizationRequest[] = [];
  refuse: string | undefined;

  authorize(request: AuthorizationRequest): void {
    this.asked.push(request);
    if (request.resourceArn === this.refuse) throw new KmsError('AccessDenied');
  }
}

let api: InjectApi;
const authorizer = new RecordingAuthorizer();

before(async () => {
  api = await createInjectApi({ authorizer, rateLimit: { requestsPerSecond: 1, burst: 1_000 } });
});
after(async () => {
  await api.close();
});

/** Runs `request` and returns the one audit event it produced (failing unless there is exactly one). */
async function oneEvent(request: () => Promise<unknown>): Promise<AuditEvent> {
  const before = api.auditEvents.length;
  authorizer.asked.length = 0;
  await request();
  const events = api.auditEvents.slice(before);
  assert.equal(events.length, 1, `one audit event, got ${events.length}`);
  return events[0]!;
}

async function createKey(): Promise<{ KeyId: string; PrimaryKeyVersion: string }> {
  return (await api.call('CreateKey')).json.KeyMetadata;
}

describe('the operation pipeline', () => {
  it('an Encrypt is one event: the caller, the action, the key with the version that sealed, Success', async () => {
    const key = await createKey();
    const event = await oneEvent(() => api.call('Encrypt', { KeyId: key.KeyId, Plaintext: 'audited' }));
    assert.equal(event.source, 'alibaba');
    assert.equal(event.action, 'Encrypt');
    assert.equal(event.result, 'Success');
    assert.deepEqual(event.identity, { type: 'access-key', principal: 'admin', accessKeyId: ADMIN_CREDENTIALS.accessKeyId });
    assert.deepEqual(event.resources, [
      { role: 'key', arn: `${ARN_PREFIX}key/${key.KeyId}`, keyId: key.KeyId, keyVersionId: key.PrimaryKeyVersion },
    ]);
    assert.ok(event.durationMs >= 0);
    assert.equal(typeof event.sourceIp, 'string');
    assert.deepEqual(
      authorizer.asked.map((q) => [q.action, q.resourceArn]),
      [['Encrypt', `${ARN_PREFIX}key/${key.KeyId}`]],
    );
  });

  it('ReEncrypt authorises and records both keys, each with its version', async () => {
    const source = await createKey();
    const destination = await createKey();
    const blob = (await api.call('Encrypt', { KeyId: source.KeyId, Plaintext: 'moving' })).json.CiphertextBlob as string;
    const event = await oneEvent(() => api.call('ReEncrypt', { CiphertextBlob: blob, DestinationKeyId: destination.KeyId }));
    assert.equal(event.result, 'Success');
    assert.deepEqual(
      event.resources.map((r) => [r.role, r.keyId, r.keyVersionId]),
      [
        ['destination', destination.KeyId, destination.PrimaryKeyVersion],
        ['source', source.KeyId, source.PrimaryKeyVersion],
      ],
    );
    assert.deepEqual(
      authorizer.asked.map((q) => q.resourceArn),
      [`${ARN_PREFIX}key/${destination.KeyId}`, `${ARN_PREFIX}key/${source.KeyId}`],
    );
  });

  it("a refusal on ReEncrypt's source key stops it, and the event names the key it was refused on", async () => {
    const source = await createKey();
    const destination = await createKey();
    const blob = (await api.call('Encrypt', { KeyId: source.KeyId, Plaintext: 'kept' })).json.CiphertextBlob as string;
    authorizer.refuse = `${ARN_PREFIX}key/${source.KeyId}`;
    try {
      let status = 0;
      const event = await oneEvent(async () => {
        status = (await api.call('ReEncrypt', { CiphertextBlob: blob, DestinationKeyId: destination.KeyId })).statusCode;
      });
      assert.equal(status, 403);
      assert.equal(event.result, 'Forbidden.NoPermission');
      assert.equal(event.errorKind, 'AccessDenied');
      assert.equal(event.resources.at(-1)?.keyId, source.KeyId);
    } finally {
      authorizer.refuse = undefined;
    }
  });

  it('DeleteAlias is authorised on the alias and on the key it names; refused on the key, the alias stays', async () => {
    const key = await createKey();
    await api.call('CreateAlias', { AliasName: 'alias/pipeline-delete', KeyId: key.KeyId });
    authorizer.refuse = `${ARN_PREFIX}key/${key.KeyId}`;
    try {
      const event = await oneEvent(() => api.call('DeleteAlias', { AliasName: 'alias/pipeline-delete' }));
      assert.equal(event.result, 'Forbidden.NoPermission');
      assert.deepEqual(
        authorizer.asked.map((q) => q.resourceArn),
        [`${ARN_PREFIX}alias/pipeline-delete`, `${ARN_PREFIX}key/${key.KeyId}`],
      );
    } finally {
      authorizer.refuse = undefined;
    }
    assert.equal((await api.call('DescribeKey', { KeyId: 'alias/pipeline-delete' })).statusCode, 200, 'the alias still resolves');
  });

  it('CreateKey and ListKeys are authorised on the account\'s keys, DescribeRegions on "*"', async () => {
    await oneEvent(() => api.call('ListKeys'));
    assert.deepEqual(
      authorizer.asked.map((q) => q.resourceArn),
      [`${ARN_PREFIX}key`],
    );
    const created = await oneEvent(() => api.call('CreateKey'));
    assert.deepEqual(
      created.resources.map((r) => r.role),
      ['keys', 'created'],
    );
    await oneEvent(() => api.call('DescribeRegions'));
    assert.deepEqual(
      authorizer.asked.map((q) => q.resourceArn),
      ['*'],
    );
  });

  it('a bad signature is one event: the claimed access key, no principal, SignatureDoesNotMatch; nothing was authorised', async () => {
    const event = await oneEvent(() =>
      api.call('DescribeRegions', {}, { accessKey: { accessKeyId: ADMIN_CREDENTIALS.accessKeyId, accessKeySecret: 'not the secret' } }),
    );
    assert.equal(event.result, 'SignatureDoesNotMatch');
    assert.deepEqual(event.identity, { type: 'anonymous', accessKeyId: ADMIN_CREDENTIALS.accessKeyId });
    assert.equal(authorizer.asked.length, 0);
  });

  it('an unknown access key, a missing Action, an unknown action and an unknown path are one event each', async () => {
    const unknownKey = await oneEvent(() =>
      api.call('DescribeRegions', {}, { accessKey: { accessKeyId: 'LTAIunknown', accessKeySecret: 'x' } }),
    );
    assert.equal(unknownKey.result, 'InvalidAccessKeyId.NotFound');
    const unknownAction = await oneEvent(() => api.call('NoSuchAction'));
    assert.equal(unknownAction.result, 'InvalidAction.NotFound');
    assert.equal(unknownAction.action, 'NoSuchAction');
    const unknownPath = await oneEvent(() => api.app.inject({ method: 'GET', url: '/no/such/path' }));
    assert.equal(unknownPath.result, 'InvalidAction.NotFound');
    const wrongMethod = await oneEvent(() => api.app.inject({ method: 'PUT', url: '/' }));
    assert.equal(wrongMethod.result, 'UnsupportedHTTPMethod');
  });

  it('a DryRun that would succeed is one event with DryRunOperationError', async () => {
    const key = await createKey();
    const event = await oneEvent(() => api.call('Encrypt', { KeyId: key.KeyId, Plaintext: 'x', DryRun: true }));
    assert.equal(event.result, 'DryRunOperationError');
    assert.equal(event.resources[0]?.keyId, key.KeyId);
  });

  it('no event carries the plaintext, the ciphertext or the data key', async () => {
    const key = await createKey();
    const before = api.auditEvents.length;
    const encrypted = (await api.call('Encrypt', { KeyId: key.KeyId, Plaintext: 'a secret that must not be audited' })).json;
    const generated = (await api.call('GenerateDataKey', { KeyId: key.KeyId })).json;
    await api.call('Decrypt', { CiphertextBlob: encrypted.CiphertextBlob });
    const text = JSON.stringify(api.auditEvents.slice(before));
    for (const secret of ['a secret that must not be audited', encrypted.CiphertextBlob, generated.Plaintext, generated.CiphertextBlob]) {
      assert.equal(text.includes(secret), false, `an audit event holds ${secret.slice(0, 20)}…`);
    }
  });
});

describe('access keys', () => {
  it('disabling an access key in the store refuses its next request, and enabling it lets the next one through', async () => {
    const record = await api.store.getAccessKey(ADMIN_CREDENTIALS.accessKeyId);
    assert.ok(record);
    assert.equal((await api.call('DescribeRegions')).statusCode, 200);
    await api.store.putAccessKey({ ...record, enabled: false });
    const refused = await api.call('DescribeRegions');
    assert.equal(refused.statusCode, 404);
    assert.equal(refused.json.Code, 'InvalidAccessKeyId.NotFound');
    await api.store.putAccessKey(record);
    assert.equal((await api.call('DescribeRegions')).statusCode, 200);
  });

  it('a new secret stored for the access key is used from the next request on: the old secret is refused', async () => {
    const record = await api.store.getAccessKey(ADMIN_CREDENTIALS.accessKeyId);
    assert.ok(record);
    await api.accessKeys.ensureAdministrator({
      accessKeyId: ADMIN_CREDENTIALS.accessKeyId,
      accessKeySecret: 'a rotated secret of thirty ch',
    });
    try {
      assert.equal((await api.call('DescribeRegions')).json.Code, 'SignatureDoesNotMatch');
      const rotated = { accessKeyId: ADMIN_CREDENTIALS.accessKeyId, accessKeySecret: 'a rotated secret of thirty ch' };
      assert.equal((await api.call('DescribeRegions', {}, { accessKey: rotated })).statusCode, 200);
    } finally {
      await api.store.putAccessKey(record);
    }
  });
});

describe('throttling', () => {
  it('a throttled request is one event with Rejected.Throttling and the verified caller', async () => {
    const throttled = await createInjectApi({ rateLimit: { requestsPerSecond: 1, burst: 1 } });
    try {
      assert.equal((await throttled.call('DescribeRegions')).statusCode, 200);
      const before = throttled.auditEvents.length;
      const refused = await throttled.call('DescribeRegions');
      assert.equal(refused.statusCode, 429);
      const events = throttled.auditEvents.slice(before);
      assert.equal(events.length, 1);
      assert.equal(events[0]?.result, 'Rejected.Throttling');
      assert.equal(events[0]?.identity.principal, 'admin');
    } finally {
      await throttled.close();
    }
  });
});
