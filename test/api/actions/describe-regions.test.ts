// DescribeRegions through inject(): §6.7 — no parameters; {"Regions":{"Region":[{"RegionId"}]},"RequestId"}.
// An action without parameters: its refusals are the request's own (§1, §2.3).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signAcs3 } from '../../support/acs3-signer.js';
import { ADMIN_CREDENTIALS, INJECT_HOST } from '../../support/inject-api.js';
import { apiForFile, fieldsOf, invalid, missing, ok, refused } from './helpers.js';

const api = apiForFile();

describe('DescribeRegions', () => {
  it('lists the one region the server serves as Regions.Region[].RegionId', async () => {
    const body = ok(await api().call('DescribeRegions'));
    assert.deepEqual(fieldsOf(body), ['Regions', 'RequestId']);
    assert.deepEqual(body.Regions, { Region: [{ RegionId: 'cn-hangzhou' }] });
  });

  it('answers the same body when signed with HMAC-SHA1 over GET', async () => {
    const body = ok(await api().call('DescribeRegions', {}, { signature: 'HMAC-SHA1' }));
    assert.deepEqual(fieldsOf(body), ['Regions', 'RequestId']);
    assert.deepEqual(body.Regions, { Region: [{ RegionId: 'cn-hangzhou' }] });
  });

  it('gives every request its own RequestId', async () => {
    const a = ok(await api().call('DescribeRegions')).RequestId;
    const b = ok(await api().call('DescribeRegions')).RequestId;
    assert.notEqual(a, b);
  });

  it('refuses a request without a Version with MissingParameter Version, and another Version with InvalidParameter Version', async () => {
    const sign = (version: string | null) =>
      signAcs3({ credentials: ADMIN_CREDENTIALS, host: INJECT_HOST, action: 'DescribeRegions', version, date: api().clock.now() });
    refused(await api().send(sign(null)), missing('Version'));
    refused(await api().send(sign('2014-05-26')), invalid('Version'));
  });

  it('refuses an unknown access key with 404 InvalidAccessKeyId.NotFound and a wrong secret with 400 SignatureDoesNotMatch', async () => {
    refused(await api().call('DescribeRegions', {}, { accessKey: { accessKeyId: 'LTAIunknownAccessKey0', accessKeySecret: 'whatever' } }), {
      status: 404,
      code: 'InvalidAccessKeyId.NotFound',
    });
    refused(await api().call('DescribeRegions', {}, { accessKey: { ...ADMIN_CREDENTIALS, accessKeySecret: 'not the secret' } }), {
      status: 400,
      code: 'SignatureDoesNotMatch',
    });
  });
});
