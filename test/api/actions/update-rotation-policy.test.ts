// UpdateRotationPolicy through inject(): §6.4 — KeyId, EnableAutomaticRotation (bool, required),
// RotationInterval (required when true; 7–730 days; `30d`, `604800s`); {RequestId}.
// State rule (docs/state-table.md, from Alibaba's "Impact of CMK status on API operations"): an
// Enabled key only; Rejected.Disabled, Rejected.PendingDeletion, Rejected.PendingImport otherwise.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  apiForFile,
  createKey,
  DAY_MS,
  describeKey,
  externalKeyWithMaterial,
  invalid,
  KEY_NOT_FOUND,
  missing,
  moveTo,
  okEmpty,
  refused,
  REJECTED_DISABLED,
  REJECTED_PENDING_DELETION,
  REJECTED_PENDING_IMPORT,
  UNSUPPORTED_ORIGIN,
  wireTime,
} from './helpers.js';

const api = apiForFile();

describe('UpdateRotationPolicy', () => {
  it('answers only {RequestId}; DescribeKey then shows AutomaticRotation Enabled, RotationInterval in seconds and NextRotationDate', async () => {
    const key = await createKey(api());
    okEmpty(await api().call('UpdateRotationPolicy', { KeyId: key.KeyId, EnableAutomaticRotation: true, RotationInterval: '30d' }));
    const metadata = await describeKey(api(), key.KeyId);
    assert.equal(metadata.AutomaticRotation, 'Enabled');
    assert.equal(metadata.RotationInterval, '2592000s');
    assert.equal(metadata.NextRotationDate, wireTime(Date.parse(key.LastRotationDate) + 30 * DAY_MS));
  });

  it('accepts the interval in seconds and at both ends of 7–730 days', async () => {
    const key = await createKey(api());
    const cases = [
      ['604800s', '604800s'],
      ['7d', '604800s'],
      ['730d', '63072000s'],
      ['168h', '604800s'],
    ] as const;
    for (const [interval, seconds] of cases) {
      okEmpty(await api().call('UpdateRotationPolicy', { KeyId: key.KeyId, EnableAutomaticRotation: 'true', RotationInterval: interval }));
      assert.equal((await describeKey(api(), key.KeyId)).RotationInterval, seconds, interval);
    }
  });

  it('turns rotation off: AutomaticRotation Disabled, and no RotationInterval or NextRotationDate', async () => {
    const key = await createKey(api(), { EnableAutomaticRotation: true, RotationInterval: '7d' });
    okEmpty(await api().call('UpdateRotationPolicy', { KeyId: key.KeyId, EnableAutomaticRotation: false }));
    const metadata = await describeKey(api(), key.KeyId);
    assert.equal(metadata.AutomaticRotation, 'Disabled');
    assert.equal(metadata.RotationInterval, undefined);
    assert.equal(metadata.NextRotationDate, undefined);
  });

  it('refuses a Disabled key with 409 Rejected.Disabled, leaving its policy as it was (Suspended while Disabled)', async () => {
    const key = await createKey(api(), { EnableAutomaticRotation: true, RotationInterval: '7d' });
    await moveTo(api(), key.KeyId, 'Disabled');
    const before = await describeKey(api(), key.KeyId);
    assert.equal(before.AutomaticRotation, 'Suspended');
    refused(await api().call('UpdateRotationPolicy', { KeyId: key.KeyId, EnableAutomaticRotation: false }), REJECTED_DISABLED);
    refused(
      await api().call('UpdateRotationPolicy', { KeyId: key.KeyId, EnableAutomaticRotation: true, RotationInterval: '14d' }),
      REJECTED_DISABLED,
    );
    assert.deepEqual(await describeKey(api(), key.KeyId), before);
  });

  it('answers only {RequestId} when signed with HMAC-SHA1 over GET', async () => {
    const key = await createKey(api());
    okEmpty(
      await api().call(
        'UpdateRotationPolicy',
        { KeyId: key.KeyId, EnableAutomaticRotation: true, RotationInterval: '14d' },
        { signature: 'HMAC-SHA1' },
      ),
    );
    assert.equal((await describeKey(api(), key.KeyId)).RotationInterval, '1209600s');
  });

  it('refuses a missing EnableAutomaticRotation or KeyId, and enabling without RotationInterval, with MissingParameter naming it', async () => {
    const key = await createKey(api());
    refused(await api().call('UpdateRotationPolicy', { KeyId: key.KeyId }), missing('EnableAutomaticRotation'));
    refused(await api().call('UpdateRotationPolicy', { EnableAutomaticRotation: false }), missing('KeyId'));
    refused(await api().call('UpdateRotationPolicy', { KeyId: key.KeyId, EnableAutomaticRotation: true }), missing('RotationInterval'));
    assert.equal((await describeKey(api(), key.KeyId)).AutomaticRotation, 'Disabled');
  });

  it('refuses an interval outside 7–730 days or malformed with InvalidParameter RotationInterval, and a non-boolean with InvalidParameter EnableAutomaticRotation', async () => {
    const key = await createKey(api());
    for (const interval of ['6d', '731d', '0d', '30', 'P30D', '-7d']) {
      refused(
        await api().call('UpdateRotationPolicy', { KeyId: key.KeyId, EnableAutomaticRotation: true, RotationInterval: interval }),
        invalid('RotationInterval'),
      );
    }
    refused(
      await api().call('UpdateRotationPolicy', { KeyId: key.KeyId, EnableAutomaticRotation: 'sometimes', RotationInterval: '7d' }),
      invalid('EnableAutomaticRotation'),
    );
    assert.equal((await describeKey(api(), key.KeyId)).AutomaticRotation, 'Disabled');
  });

  it('refuses a PendingDeletion key with 409 Rejected.PendingDeletion, leaving its policy as it was', async () => {
    const key = await createKey(api(), { EnableAutomaticRotation: true, RotationInterval: '7d' });
    await moveTo(api(), key.KeyId, 'PendingDeletion');
    const before = await describeKey(api(), key.KeyId);
    refused(await api().call('UpdateRotationPolicy', { KeyId: key.KeyId, EnableAutomaticRotation: false }), REJECTED_PENDING_DELETION);
    assert.deepEqual(await describeKey(api(), key.KeyId), before);
  });

  it('refuses an Enabled EXTERNAL key with 400 Unsupported.Origin, and a PendingImport one with 409 Rejected.PendingImport (the state first)', async () => {
    const { keyId } = await externalKeyWithMaterial(api());
    refused(
      await api().call('UpdateRotationPolicy', { KeyId: keyId, EnableAutomaticRotation: true, RotationInterval: '30d' }),
      UNSUPPORTED_ORIGIN,
    );
    const pendingImport = await createKey(api(), { Origin: 'EXTERNAL' });
    refused(
      await api().call('UpdateRotationPolicy', { KeyId: pendingImport.KeyId, EnableAutomaticRotation: true, RotationInterval: '30d' }),
      REJECTED_PENDING_IMPORT,
    );
    refused(
      await api().call('UpdateRotationPolicy', { KeyId: pendingImport.KeyId, EnableAutomaticRotation: false }),
      REJECTED_PENDING_IMPORT,
    );
  });

  it('refuses an unknown key with 404 Forbidden.KeyNotFound', async () => {
    refused(
      await api().call('UpdateRotationPolicy', { KeyId: '00000000-0000-4000-8000-000000000000', EnableAutomaticRotation: false }),
      KEY_NOT_FOUND,
    );
  });
});
