// A real trail in a real SQLite file, for the writer, verifier and retention tests.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { AuditChainWriter } from '../../src/audit/audit-chain-writer.js';
import { CheckpointSigner } from '../../src/audit/signing-key.js';
import { SqliteAuditStore } from '../../src/audit/sqlite-audit-store.js';
import type { AuditEvent } from '../../src/domain/audit-event.js';
import type { AuditStore } from '../../src/domain/ports.js';
import { SqliteKeyStore } from '../../src/keystore/sqlite/sqlite-key-store.js';

/** A migrated database file in a new directory. */
export async function migratedDatabase(): Promise<{ dir: string; path: string; remove: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'arca-audit-'));
  const path = join(dir, 'arca.db');
  await SqliteKeyStore.open(path).close();
  return { dir, path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function newSigner(): CheckpointSigner {
  return new CheckpointSigner(generateKeyPairSync('ed25519').privateKey);
}

export const T0 = Date.UTC(2026, 5, 1, 8);

export function sampleEvent(n: number, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    eventId: `event-${n}`,
    eventTime: T0 + n * 1000,
    source: 'alibaba',
    requestId: `request-${n}`,
    action: n % 2 === 0 ? 'Encrypt' : 'Decrypt',
    identity: { type: 'access-key', principal: 'admin', accessKeyId: 'LTAIexample' },
    resources: [{ role: 'key', arn: `acs:kms:cn-hangzhou:1:key/key-${n % 3}`, keyId: `key-${n % 3}`, keyVersionId: `v-${n % 3}` }],
    result: n % 5 === 0 ? 'Forbidden.KeyNotFound' : 'Success',
    durationMs: 1.5,
    eventRW: 'Read',
    acsRegion: 'cn-hangzhou',
    ...overrides,
  };
}

/** A trail of `events` sample events with checkpoints where asked, closed (final checkpoint) unless told otherwise. */
export async function writeTrail(
  path: string,
  signer: CheckpointSigner,
  options: { events: number; checkpointAfter?: readonly number[]; close?: boolean },
): Promise<{ chainId: string }> {
  const store = SqliteAuditStore.open(path);
  const writer = new AuditChainWriter({
    store,
    signer,
    clock: { now: () => T0 },
    logger: pino({ level: 'silent' }),
    checkpointIntervalMs: 3_600_000,
  });
  await writer.start();
  const chainId = writer.chainId ?? '';
  for (let n = 1; n <= options.events; n++) {
    await writer.record(sampleEvent(n));
    if (options.checkpointAfter?.includes(n)) await writer.checkpoint('interval');
  }
  if (options.close !== false) await writer.close();
  await store.close();
  return { chainId };
}

/** Raw access to the file, as an insider with the file would have: the triggers dropped first. */
export function tamper(path: string, work: (db: Database.Database) => void): void {
  const db = new Database(path);
  try {
    db.exec(`DROP TRIGGER IF EXISTS audit_records_not_updated; DROP TRIGGER IF EXISTS audit_records_pruned_only;
      DROP TRIGGER IF EXISTS audit_checkpoints_not_updated; DROP TRIGGER IF EXISTS audit_checkpoints_not_deleted;`);
    work(db);
  } finally {
    db.close();
  }
}

export async function withReader<T>(path: string, work: (store: AuditStore) => Promise<T>): Promise<T> {
  const store = SqliteAuditStore.openForReading(path);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
