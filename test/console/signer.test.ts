// The console's ACS3-HMAC-SHA256 signer (console/src/signer.ts, WebCrypto) against the server's
// verification: run here in Node, whose globalThis.crypto is the same WebCrypto API as a browser's.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import { signCall } from '../../console/src/signer.js';
import { ADMIN_CREDENTIALS, createInjectApi, INJECT_HOST } from '../support/inject-api.js';

const api = await createInjectApi();
after(() => api.close());

async function send(action: string, params: Array<[string, string]>, secret = ADMIN_CREDENTIALS.accessKeySecret) {
  const signed = await signCall({ ...ADMIN_CREDENTIALS, accessKeySecret: secret }, INJECT_HOST, action, params, api.clock.now());
  // The browser adds Host itself; here it is set to what was signed.
  return api.send({ method: 'POST', path: signed.target, headers: { ...signed.headers, host: INJECT_HOST }, body: Buffer.alloc(0) });
}

describe('the console signer', () => {
  it('signs a call the server accepts, parameters that need percent-encoding included', async () => {
    const created = await send('CreateKey', [
      ['Description', "caf\u00e9 & tea: 100% (it's) *fine* ~ok! / ?"],
      ['Tags', JSON.stringify([{ TagKey: 'env', TagValue: 'a b+c' }])],
    ]);
    assert.equal(created.statusCode, 200, created.text);
    assert.equal(created.json.KeyMetadata.Description, "caf\u00e9 & tea: 100% (it's) *fine* ~ok! / ?");
    const tags = await send('ListResourceTags', [['KeyId', created.json.KeyMetadata.KeyId]]);
    assert.deepEqual(
      tags.json.Tags.Tag.map((tag: { TagKey: string; TagValue: string }) => [tag.TagKey, tag.TagValue]),
      [['env', 'a b+c']],
    );
  });

  it('with a wrong secret is refused with SignatureDoesNotMatch', async () => {
    const refused = await send('DescribeAccountKmsStatus', [], 'not-the-secret');
    assert.equal(refused.statusCode, 400);
    assert.equal(refused.json.Code, 'SignatureDoesNotMatch');
  });

  it('does not send the secret: not in the target, not in any header', async () => {
    const signed = await signCall(ADMIN_CREDENTIALS, INJECT_HOST, 'DescribeAccountKmsStatus', [], api.clock.now());
    const sent = [signed.target, ...Object.values(signed.headers)].join('\n');
    assert.ok(!sent.includes(ADMIN_CREDENTIALS.accessKeySecret));
    assert.ok(!('host' in signed.headers), 'Host is the browser’s to set');
  });
});
