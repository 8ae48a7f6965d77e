// Every action of Alibaba's KMS API 2016-01-20 has an answer: an action of the action table runs;
// an action of the reference that Arca does not implement (src/api/unsupported-actions.ts) is
// refused with 400 UnsupportedOperation naming it; any other name is 404 InvalidAction.NotFound.
// The README's API coverage table lists both lists, each action with its status.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ACTION_TABLE } from '../../src/api/action-table.js';
import { UNSUPPORTED_ACTION_GROUPS, UNSUPPORTED_ACTIONS } from '../../src/api/unsupported-actions.js';
import { apiForFile, ok, refused, type Refusal } from './actions/helpers.js';

const UNKNOWN_ACTION: Refusal = {
  status: 404,
  code: 'InvalidAction.NotFound',
  message: 'Specified api is not found, please check your url and method.',
};

function notSupported(action: string): Refusal {
  return {
    status: 400,
    code: 'UnsupportedOperation',
    message: `This action is not supported: ${action} is an action of the KMS API 2016-01-20 that this server does not implement.`,
  };
}

const listed: string[] = Object.values(UNSUPPORTED_ACTION_GROUPS).flat();

describe('the list of unsupported actions', () => {
  it('shares no action with the action table', () => {
    const both = listed.filter((action) => ACTION_TABLE.has(action));
    assert.deepEqual(both, [], `in both the action table and the unsupported list: ${both.join(', ')}`);
  });

  it('names each action once, in Alibaba PascalCase', () => {
    assert.equal(UNSUPPORTED_ACTIONS.size, listed.length, 'an action is listed twice');
    for (const action of listed) assert.match(action, /^[A-Z][A-Za-z]+$/);
  });

  it('holds the actions the reference and the 1.2.0 SDK name beyond the action table', () => {
    // A sample from each source (alibaba-kms-api.md §6; the SDK client's methods; the 3.x models).
    for (const action of [
      'TagResources',
      'OpenKmsService',
      'GetSecretValue',
      'AsymmetricSign',
      'GetPublicKey',
      'CreateApplicationAccessPoint',
    ]) {
      assert.ok(UNSUPPORTED_ACTIONS.has(action), action);
    }
  });
});

describe('dispatch of an action name', () => {
  const api = apiForFile();

  it('refuses an action of the reference that Arca lacks with 400 UnsupportedOperation naming it', async () => {
    for (const action of ['CreateSecret', 'AsymmetricSign', 'CreateApplicationAccessPoint', 'ListKmsInstances', 'TagResources']) {
      refused(await api().call(action, { SecretName: 'app/db' }), notSupported(action));
      refused(await api().call(action, {}, { signature: 'HMAC-SHA1' }), notSupported(action));
    }
  });

  it('answers every listed action so, whether sent as GET or POST', async () => {
    for (const action of listed) {
      refused(await api().call(action), notSupported(action));
      refused(await api().call(action, {}, { method: 'GET' }), notSupported(action));
    }
  });

  it('refuses a name that is no action with 404 InvalidAction.NotFound, without echoing it', async () => {
    for (const action of [
      'NoSuchAction',
      'createsecret',
      'GetSecretValues',
      'DescribeKeyX',
      'constructor',
      'hasOwnProperty',
      '__proto__',
    ]) {
      const body = refused(await api().call(action), UNKNOWN_ACTION);
      assert.ok(!String(body.Message).includes(action), `${action} echoed in ${body.Message}`);
    }
  });

  it('runs an implemented action as before', async () => {
    const regions = ok(await api().call('DescribeRegions'));
    assert.ok(Array.isArray(regions.Regions.Region));
    const created = ok(await api().call('CreateKey', {}, { signature: 'HMAC-SHA1' }));
    const encrypted = ok(await api().call('Encrypt', { KeyId: created.KeyMetadata.KeyId, Plaintext: 'still served' }));
    assert.equal(ok(await api().call('Decrypt', { CiphertextBlob: encrypted.CiphertextBlob })).Plaintext, 'still served');
  });

  it('audits the refusal under the action the request named, with its code and kind', async () => {
    const before = api().auditEvents.length;
    await api().call('GetSecretValue', { SecretName: 'app/db' });
    await api().call('GetSecretValuez');
    const [unsupported, unknown] = api().auditEvents.slice(before);
    assert.equal(api().auditEvents.length, before + 2);
    assert.equal(unsupported?.action, 'GetSecretValue');
    assert.equal(unsupported?.result, 'UnsupportedOperation');
    assert.equal(unsupported?.errorKind, 'ActionNotSupported');
    assert.equal(unsupported?.identity.type, 'access-key');
    assert.equal(unknown?.action, 'GetSecretValuez');
    assert.equal(unknown?.result, 'InvalidAction.NotFound');
  });

  it('still checks the signature and the Version first', async () => {
    const badSecret = { accessKeyId: 'LTAIinjectAdministrator1', accessKeySecret: 'not the secret' };
    refused(await api().call('CreateSecret', {}, { accessKey: badSecret }), { status: 400, code: 'SignatureDoesNotMatch' });
    refused(await api().call('CreateSecret', { Version: '2014-05-26' }), {
      status: 400,
      code: 'InvalidParameter',
      message: 'The specified parameter "Version" is not valid.',
    });
  });
});

describe("the README's API coverage table", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('\n## API coverage\n');
  const end = readme.indexOf('\n### ', start);
  const section = readme.slice(start, end);
  /** Each table row's action cell and status cell, without the header and separator rows. */
  const rows: ReadonlyArray<{ readonly actions: readonly string[]; readonly status: string }> = section
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| Action ') && !line.startsWith('|---'))
    .map((line) => line.split('|').map((cell) => cell.trim()))
    .map(([, actions = '', status = '']) => ({ actions: actions.match(/[A-Z][A-Za-z]+/g) ?? [], status }));

  it('is found', () => {
    assert.ok(start > 0 && end > start, 'the README has an "## API coverage" section');
    assert.ok(rows.length > 20, `only ${rows.length} rows found`);
  });

  it('lists every action of the action table once, as supported or partially supported', () => {
    for (const action of ACTION_TABLE.keys()) {
      const found = rows.filter((row) => row.actions.includes(action));
      assert.equal(found.length, 1, `${action} is in ${found.length} rows`);
      assert.match(found[0]?.status ?? '', /^(supported|partially)$/, action);
    }
  });

  it('lists every unsupported action once, as not supported here', () => {
    for (const action of listed) {
      const found = rows.filter((row) => row.actions.includes(action));
      assert.equal(found.length, 1, `${action} is in ${found.length} rows`);
      assert.equal(found[0]?.status, 'not supported here', action);
    }
  });

  it('names no action that is in neither list', () => {
    const known = new Set([...ACTION_TABLE.keys(), ...listed]);
    const strangers = rows.flatMap((row) => row.actions).filter((action) => !known.has(action));
    assert.deepEqual(strangers, []);
  });
});
