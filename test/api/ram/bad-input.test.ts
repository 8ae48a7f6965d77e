// Whatever the parameters, a RAM action answers 200 or a 4xx of the catalog, never a 5xx, and
// the answer parses in the format asked for.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { RAM_ACTION_TABLE } from '../../../src/api/ram/ram-action-table.js';
import { createInjectApi, type InjectApi } from '../../support/inject-api.js';
import { ramCaller } from './support.js';

const PARAMETERS = [
  'UserName',
  'NewUserName',
  'DisplayName',
  'NewDisplayName',
  'Email',
  'MobilePhone',
  'Comments',
  'GroupName',
  'PolicyName',
  'PolicyType',
  'PolicyDocument',
  'VersionId',
  'SetAsDefault',
  'RotateStrategy',
  'CascadingDelete',
  'UserAccessKeyId',
  'Status',
  'Marker',
  'MaxItems',
  'Description',
];

const value = fc.oneof(
  fc.constantFrom('app', 'ops', 'P', 'System', 'Custom', 'v1', 'Active', 'Inactive', 'true', '0', '1001', '', '*', 'AliyunKMSFullAccess'),
  fc.constantFrom('{"Version":"1","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}', '{"Version":"1"}', '[]', 'null'),
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

describe('RAM actions under arbitrary parameters', () => {
  let api: InjectApi;
  let ram: ReturnType<typeof ramCaller>;

  before(async () => {
    api = await createInjectApi();
    ram = ramCaller(api);
    await ram('CreateUser', { UserName: 'app' });
    await ram('CreateGroup', { GroupName: 'ops' });
    await ram('CreatePolicy', {
      PolicyName: 'P',
      PolicyDocument: '{"Version":"1","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}',
    });
  });
  after(() => api.close());

  it('answer 200 or a catalog 4xx, in JSON or XML', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...RAM_ACTION_TABLE.keys()),
        fc.dictionary(fc.constantFrom(...PARAMETERS), value, { maxKeys: 5 }),
        fc.boolean(),
        async (action, params, xml) => {
          const response = await ram(action, xml ? { ...params, Format: 'XML' } : params);
          assert.ok(
            response.statusCode === 200 || (response.statusCode >= 400 && response.statusCode < 500),
            `${action}: ${response.statusCode} ${response.text}`,
          );
          if (xml) assert.match(response.text, /^<\?xml version='1\.0' encoding='UTF-8'\?>/);
          else assert.equal(typeof response.json, 'object', response.text);
        },
      ),
      { numRuns: 300 },
    );
  });
});
