// ListAuditEvents through inject(), over a real SQLite trail: Arca's own action (ADR 28), a page of
// events oldest first with NextToken, filtered by EventName and StartTime/EndTime; refused where
// the server keeps no trail.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { AuditChainWriter } from '../../../src/audit/audit-chain-writer.js';
import { CheckpointSigner } from '../../../src/audit/signing-key.js';
import { SqliteAuditStore } from '../../../src/audit/sqlite-audit-store.js';
import { TrailEventReader } from '../../../src/audit/trail-event-reader.js';
import { SqliteKeyStore } from '../../../src/keystore/sqlite/sqlite-key-store.js';
import { generateKeyPairSync } from 'node:crypto';
import { createInjectApi, type InjectApi } from '../../support/inject-api.js';
import { invalid, ok, refused } from './helpers.js';

let api: InjectApi;
let store: SqliteAuditStore;
let writer: AuditChainWriter;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'arca-list-audit-'));
  const path = join(dir, 'arca.db');
  await SqliteKeyStore.open(path).close();
  store = SqliteAuditStore.open(path);
  const clock = { now: () => Date.now() };
  writer = new AuditChainWriter({
    store,
    signer: new CheckpointSigner(generateKeyPairSync('ed25519').privateKey),
    clock,
    logger: pino({ level: 'silent' }),
  });
  await writer.start();
  api = await createInjectApi({ auditTrail: writer, auditEventReader: new TrailEventReader(store, { now: () => api.clock.now() }) });
});
after(async () => {
  await api.close();
  await writer.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ListAuditEvents', () => {
  it('pages through the events oldest first; NextToken continues where the page ended', async () => {
    const created = ok(await api.call('CreateKey')).KeyMetadata.KeyId as string;
    api.clock.advance(1000);
    ok(await api.call('Encrypt', { KeyId: created, Plaintext: 'x' }));
    api.clock.advance(1000);
    ok(await api.call('DescribeKey', { KeyId: created }));
    api.clock.advance(1000);
    const first = ok(await api.call('ListAuditEvents', { MaxResults: 2 }));
    assert.deepEqual(
      first.Events.map((event: any) => event.eventName),
      ['CreateKey', 'Encrypt'],
    );
    assert.equal(typeof first.NextToken, 'string');
    const second = ok(await api.call('ListAuditEvents', { MaxResults: 2, NextToken: first.NextToken }));
    assert.equal(second.Events[0].eventName, 'DescribeKey');
    assert.equal(second.Events[0].userIdentity.principalId, 'admin');
    // The first ListAuditEvents is itself an event, after the three.
    assert.equal(second.Events[1].eventName, 'ListAuditEvents');
  });

  it('answers the same when signed with HMAC-SHA1 over GET', async () => {
    const body = ok(await api.call('ListAuditEvents', { EventName: 'CreateKey' }, { signature: 'HMAC-SHA1' }));
    assert.ok(body.Events.length >= 1);
    assert.ok(body.Events.every((event: any) => event.eventName === 'CreateKey'));
  });

  it('filters by EventName and by StartTime / EndTime', async () => {
    const body = ok(await api.call('ListAuditEvents', { EventName: 'Encrypt', MaxResults: 100 }));
    assert.ok(body.Events.length >= 1);
    assert.ok(body.Events.every((event: any) => event.eventName === 'Encrypt'));
    assert.equal(body.NextToken, undefined);
    const future = new Date(api.clock.now() + 3_600_000).toISOString();
    assert.deepEqual(ok(await api.call('ListAuditEvents', { StartTime: future })).Events, []);
  });

  it('refuses a NextToken it did not give, a bad time and MaxResults outside 1–100', async () => {
    refused(await api.call('ListAuditEvents', { NextToken: 'not-a-token' }), invalid('NextToken'));
    refused(await api.call('ListAuditEvents', { StartTime: 'yesterday' }), invalid('StartTime'));
    refused(await api.call('ListAuditEvents', { MaxResults: 0 }), invalid('MaxResults'));
    refused(await api.call('ListAuditEvents', { MaxResults: 101 }), invalid('MaxResults'));
  });

  it('is refused as not supported by a server that keeps no trail', async () => {
    const bare = await createInjectApi();
    try {
      refused(await bare.call('ListAuditEvents'), { status: 400, code: 'UnsupportedOperation' });
    } finally {
      await bare.close();
    }
  });
});
