// DescribeAccountKmsStatus through inject(): §6.7 — no parameters; {AccountStatus, RequestId},
// AccountStatus one of Enabled | NotEnabled | InDebt | Suspended.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signAcs3 } from '../../support/acs3-signer.js';
import { ADMIN_CREDENTIALS, INJECT_HOST } from '../../support/inject-api.js';
import { apiForFile, fieldsOf, ok, refused } from './helpers.js';

const api = apiForFile();

describe('DescribeAccountKmsStatus', () => {
  it('answers {AccountStatus: "Enabled", RequestId}: a running server is an enabled account', async () => {
    const body = ok(await api().call('DescribeAccountKmsStatus'));
    assert.deepEqual(body, { AccountStatus: 'Enabled', RequestId: body.RequestId });
  });

  it('answers the same body when signed with HMAC-SHA1 over GET', async () => {
    const body = ok(await api().call('DescribeAccountKmsStatus', {}, { signature: 'HMAC-SHA1' }));
    assert.deepEqual(fieldsOf(body), ['AccountStatus', 'RequestId']);
    assert.equal(body.AccountStatus, 'Enabled');
  });

  it('refuses a reused signature nonce with 400 SignatureNonceUsed', async () => {
    const request = signAcs3({
      credentials: ADMIN_CREDENTIALS,
      host: INJECT_HOST,
      action: 'DescribeAccountKmsStatus',
      date: api().clock.now(),
    });
    ok(await api().send(request));
    refused(await api().send(request), { status: 400, code: 'SignatureNonceUsed', message: 'Specified signature nonce was used already.' });
  });
});
