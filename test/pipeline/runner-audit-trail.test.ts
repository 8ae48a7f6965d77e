// The runner and the durable trail (docs/adr/0028): a Write's intent is durable before the Write
// takes effect, every event before its response leaves, and when either cannot be written the
// request fails with InternalFailure and changes nothing. The events carry ActionTrail's fields,
// keyed digests in place of encryption contexts and blobs, and stay small whatever an
// unauthenticated caller sends.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { toTrailEvent } from '../../src/audit/trail-event.js';
import type { AuditEvent, AuditIntent, AuditTrail } from '../../src/domain/audit-event.js';
import { createInjectApi, type InjectApi } from '../support/inject-api.js';

/** A trail that records what reaches it, in order, and fails when a test says so. */
class ObservedTrail implements AuditTrail {
  readonly written: Array<{ kind: 'intent'; intent: AuditIntent } | { kind: 'event'; event: AuditEvent }> = [];
  failIntents = false;
  failEvents = false;
  /** How long a write takes before it is durable. */
  delayMs = 0;

  async recordIntent(intent: AuditIntent): Promise<void> {
    await this.#wait();
    if (this.failIntents) throw new Error('disk full');
    this.written.push({ kind: 'intent', intent });
  }

  async record(event: AuditEvent): Promise<void> {
    await this.#wait();
    if (this.failEvents) throw new Error('disk full');
    this.written.push({ kind: 'event', event });
  }

  async #wait(): Promise<void> {
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
  }
}

let api: InjectApi;
const trail = new ObservedTrail();

before(async () => {
  api = await createInjectApi({ auditTrail: trail });
});
after(async () => {
  await api.close();
});
beforeEach(() => {
  trail.failIntents = false;
  trail.failEvents = false;
  trail.delayMs = 0;
  trail.written.length = 0;
});

async function keyCount(): Promise<number> {
  return (await api.call('ListKeys', { PageSize: 100 })).json.TotalCount as number;
}

describe('the runner writes the trail before it answers', () => {
  it('a Write (CreateKey) is an intent, then its event, with the same eventId, before the response', async () => {
    trail.delayMs = 20;
    const response = await api.call('CreateKey');
    assert.equal(response.statusCode, 200);
    const kinds = trail.written.map((entry) => entry.kind);
    assert.deepEqual(kinds, ['intent', 'event']);
    const [intent, event] = trail.written;
    assert.ok(intent?.kind === 'intent' && event?.kind === 'event');
    assert.equal(intent.intent.eventId, event.event.eventId);
    assert.equal(event.event.requestId, response.headers['x-acs-request-id']);
    assert.equal(event.event.eventRW, 'Write');
  });

  it('a Read (Encrypt) has no intent: its one event is written before the response', async () => {
    const { KeyId } = (await api.call('CreateKey')).json.KeyMetadata;
    trail.written.length = 0;
    trail.delayMs = 20;
    const response = await api.call('Encrypt', { KeyId, Plaintext: 'x' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(
      trail.written.map((entry) => entry.kind),
      ['event'],
    );
  });

  it('when the intent cannot be written, CreateKey fails with InternalFailure and creates no key', async () => {
    const before = await keyCount();
    trail.failIntents = true;
    const response = await api.call('CreateKey');
    assert.equal(response.statusCode, 500);
    assert.equal(response.json.Code, 'InternalFailure');
    trail.failIntents = false;
    assert.equal(await keyCount(), before);
  });

  it('when the event cannot be written, Encrypt fails with InternalFailure and returns no ciphertext', async () => {
    trail.failEvents = false;
    const { KeyId } = (await api.call('CreateKey')).json.KeyMetadata;
    trail.failEvents = true;
    const response = await api.call('Encrypt', { KeyId, Plaintext: 'never returned' });
    assert.equal(response.statusCode, 500);
    assert.equal(response.json.Code, 'InternalFailure');
    assert.equal(response.json.CiphertextBlob, undefined);
  });

  it('a refused request is in the trail too, before its answer', async () => {
    const response = await api.call('DescribeKey', { KeyId: '00000000-0000-0000-0000-000000000000' });
    assert.equal(response.statusCode, 404);
    const events = trail.written.filter((entry) => entry.kind === 'event');
    assert.equal(events.length, 1);
    assert.ok(events[0]?.kind === 'event');
    assert.equal(events[0].event.result, 'Forbidden.KeyNotFound');
    assert.equal(typeof events[0].event.errorMessage, 'string');
  });
});

describe('what an event keeps', () => {
  it('ActionTrail fields; the encryption context and the blob as keyed digests; no plaintext', async () => {
    const { KeyId } = (await api.call('CreateKey')).json.KeyMetadata;
    const context = JSON.stringify({ tenant: 'acme-secret-tenant' });
    const blob = (await api.call('Encrypt', { KeyId, Plaintext: 'plain-words-here', EncryptionContext: context })).json
      .CiphertextBlob as string;
    trail.written.length = 0;
    // The same context written another way (other order of keys is impossible with one key; spacing differs).
    await api.call('Decrypt', { CiphertextBlob: blob, EncryptionContext: '{ "tenant" : "acme-secret-tenant" }' });
    const entry = trail.written[0];
    assert.ok(entry?.kind === 'event');
    const record = toTrailEvent(entry.event);
    assert.equal(record.eventName, 'Decrypt');
    assert.equal(record.eventRW, 'Read');
    assert.equal(record.eventType, 'ApiCall');
    assert.equal(record.acsRegion, api.region);
    assert.equal(record.userIdentity.principalId, 'admin');
    assert.equal(record.errorCode, undefined);
    assert.ok(record.duration >= 0);
    const parameters = record.requestParameters ?? {};
    assert.match(parameters.EncryptionContext ?? '', /^hmac-sha256:[0-9a-f]{64}$/);
    assert.match(parameters.CiphertextBlob ?? '', /^hmac-sha256:[0-9a-f]{64}$/);
    const text = JSON.stringify(record);
    for (const secret of ['acme-secret-tenant', 'plain-words-here', Buffer.from('plain-words-here').toString('base64'), blob]) {
      assert.ok(!text.includes(secret), `the event holds ${secret}`);
    }
    // Equal contexts give equal digests, whatever their JSON spacing: the Encrypt's event had the same one.
    const again = await api.call('Decrypt', { CiphertextBlob: blob, EncryptionContext: context });
    assert.equal(again.statusCode, 200);
    const second = trail.written.at(-1);
    assert.ok(second?.kind === 'event');
    assert.equal(second.event.requestParameters?.EncryptionContext, parameters.EncryptionContext);
  });

  it('a 250 KiB Action from a caller who never authenticated becomes a small event without parameters', async () => {
    const action = 'A'.repeat(250 * 1024);
    const response = await api.app.inject({
      method: 'POST',
      url: '/',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `Action=${action}&Version=2016-01-20&Description=${'d'.repeat(1000)}`,
    });
    assert.equal(response.statusCode, 400);
    const entry = trail.written.at(-1);
    assert.ok(entry?.kind === 'event');
    assert.equal(entry.event.requestParameters, undefined);
    const size = JSON.stringify(toTrailEvent(entry.event)).length;
    assert.ok(size < 2048, `the event is ${size} characters`);
  });

  it('an authenticated caller cannot make one parameter long either', async () => {
    await api.call('CreateKey', { Description: 'd'.repeat(8000) });
    const entry = trail.written.at(-1);
    assert.ok(entry?.kind === 'event');
    const description = entry.event.requestParameters?.Description ?? '';
    assert.ok(description.length <= 257, `Description kept at ${description.length} characters`);
  });

  it('a failed request keeps the digests of its parameters, not their values (a plaintext pasted as a KeyId)', async () => {
    const context = JSON.stringify({ a: 'b' });
    const response = await api.call('Encrypt', { KeyId: 'alias/pasted-plaintext-words', Plaintext: 'x', EncryptionContext: context });
    assert.equal(response.statusCode, 404);
    const entry = trail.written.at(-1);
    assert.ok(entry?.kind === 'event');
    assert.deepEqual(Object.keys(entry.event.requestParameters ?? {}), ['EncryptionContext']);
    assert.ok(!JSON.stringify(toTrailEvent(entry.event)).includes('pasted-plaintext-words'));
  });
});
