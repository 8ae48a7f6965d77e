// DescribeService through inject(): §6.7 (legacy) — no parameters;
// {"ProtectionLevels":{"ProtectionLevel":[{"Type"}]},"KeySpecs":{"KeySpec":[{"Name",
// "SupportedProtectionLevels":{"SupportedProtectionLevel":[…]},"Usages":{"Usage":[…]}}]},"RequestId"}.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apiForFile, fieldsOf, ok } from './helpers.js';

const api = apiForFile();

/** This server has no PKCS#11 token: SOFTWARE only, both symmetric specs, ENCRYPT/DECRYPT. */
const EXPECTED = {
  ProtectionLevels: { ProtectionLevel: [{ Type: 'SOFTWARE' }] },
  KeySpecs: {
    KeySpec: [
      {
        Name: 'Aliyun_AES_256',
        SupportedProtectionLevels: { SupportedProtectionLevel: ['SOFTWARE'] },
        Usages: { Usage: ['ENCRYPT/DECRYPT'] },
      },
      { Name: 'Aliyun_SM4', SupportedProtectionLevels: { SupportedProtectionLevel: ['SOFTWARE'] }, Usages: { Usage: ['ENCRYPT/DECRYPT'] } },
    ],
  },
};

describe('DescribeService', () => {
  it('answers the protection levels and key specs of a server without a token, in their double-wrapper shapes', async () => {
    const body = ok(await api().call('DescribeService'));
    assert.deepEqual(fieldsOf(body), ['KeySpecs', 'ProtectionLevels', 'RequestId']);
    assert.deepEqual(body, { ...EXPECTED, RequestId: body.RequestId });
  });

  it('lists only specs that CreateKey accepts at the levels it lists', async () => {
    const body = ok(await api().call('DescribeService'));
    for (const spec of body.KeySpecs.KeySpec) {
      for (const level of spec.SupportedProtectionLevels.SupportedProtectionLevel) {
        const created = ok(await api().call('CreateKey', { KeySpec: spec.Name, ProtectionLevel: level })).KeyMetadata;
        assert.equal(created.KeySpec, spec.Name);
        assert.equal(created.ProtectionLevel, level);
      }
    }
  });

  it('answers the same body when signed with HMAC-SHA1 over GET', async () => {
    const body = ok(await api().call('DescribeService', {}, { signature: 'HMAC-SHA1' }));
    assert.deepEqual(body, { ...EXPECTED, RequestId: body.RequestId });
  });
});
