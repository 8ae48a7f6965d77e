import type { Database } from 'better-sqlite3';
import { CREATE_MIGRATION_RECORDS, INSERT_MIGRATION_RECORD, READ_SCHEMA_VERSION_PRAGMA, SET_SCHEMA_VERSION } from './queries.js';

/**
 * One step of the schema's history. Released migrations never change: a new schema is a new
 * migration at the end of the list, numbered one past the last.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

// Tags are a JSON array in one column: they are only ever read and written with their key, and no
// filter looks inside them yet. A migration can move them to a child table when one does.
// Booleans are 0/1 with a CHECK; STRICT tables refuse a value of the wrong type instead of
// quietly storing it. Versions and aliases go with their key (ON DELETE CASCADE).
const CREATE_INITIAL_SCHEMA = `
CREATE TABLE keys (
  key_id                          TEXT    NOT NULL PRIMARY KEY,
  key_spec                        TEXT    NOT NULL,
  key_usage                       TEXT    NOT NULL,
  origin                          TEXT    NOT NULL,
  protection_level                TEXT    NOT NULL,
  key_state                       TEXT    NOT NULL,
  description                     TEXT    NOT NULL,
  creator                         TEXT    NOT NULL,
  creation_date                   INTEGER NOT NULL,
  delete_date                     INTEGER,
  deletion_protection             INTEGER NOT NULL CHECK (deletion_protection IN (0, 1)),
  deletion_protection_description TEXT    NOT NULL,
  automatic_rotation              INTEGER NOT NULL CHECK (automatic_rotation IN (0, 1)),
  rotation_interval_seconds       INTEGER,
  last_rotation_date              INTEGER NOT NULL,
  primary_key_version_id          TEXT    NOT NULL,
  material_expire_time            INTEGER,
  tags                            TEXT    NOT NULL CHECK (json_valid(tags) AND json_type(tags) = 'array'),
  revision                        INTEGER NOT NULL
) STRICT;
-- ListKeys walks keys in creation order and applies its filters on the way.
CREATE INDEX keys_by_creation ON keys (creation_date, key_id);

CREATE TABLE key_versions (
  key_version_id  TEXT    NOT NULL PRIMARY KEY,
  key_id          TEXT    NOT NULL REFERENCES keys (key_id) ON DELETE CASCADE,
  creation_date   INTEGER NOT NULL,
  protection_kind TEXT    NOT NULL,
  sealed_material BLOB    NOT NULL
) STRICT;
-- All versions of one key in order, from one range of one index; also serves the cascade.
CREATE INDEX key_versions_by_key ON key_versions (key_id, creation_date, key_version_id);

CREATE TABLE aliases (
  alias_name    TEXT    NOT NULL PRIMARY KEY,
  key_id        TEXT    NOT NULL REFERENCES keys (key_id) ON DELETE CASCADE,
  creation_date INTEGER NOT NULL
) STRICT;
CREATE INDEX aliases_by_key ON aliases (key_id, creation_date, alias_name);
CREATE INDEX aliases_by_creation ON aliases (creation_date, alias_name);

CREATE TABLE access_keys (
  access_key_id TEXT    NOT NULL PRIMARY KEY,
  sealed_secret BLOB    NOT NULL,
  principal     TEXT    NOT NULL,
  enabled       INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  creation_date INTEGER NOT NULL
) STRICT;

CREATE TABLE metadata (
  name  TEXT NOT NULL PRIMARY KEY,
  value BLOB NOT NULL
) STRICT;
`;

// The background jobs ask "which keys are due at this instant?" every tick. Partial indexes hold
// only the keys that can be due, ordered by due date, so a tick reads the due keys and stops at
// the first one that is not, whatever the number of keys. The planner uses a partial index only
// when the query repeats its WHERE terms and its expression exactly: the queries are written
// to match (SELECT_KEYS_DUE_FOR_ROTATION, SELECT_KEYS_DUE_FOR_DELETION).
const CREATE_DUE_KEY_INDEXES = `
CREATE INDEX keys_due_for_rotation ON keys (last_rotation_date + rotation_interval_seconds * 1000, key_id)
  WHERE automatic_rotation = 1 AND key_state = 'Enabled' AND rotation_interval_seconds IS NOT NULL;
CREATE INDEX keys_due_for_deletion ON keys (delete_date, key_id)
  WHERE key_state = 'PendingDeletion' AND delete_date IS NOT NULL;
`;

// Bring your own key. An EXTERNAL key's version has no material until it is imported, and none
// again after it is deleted or expires, so sealed_material becomes nullable; material_commitment
// holds the keyed commitment that lets only the same material be imported again. SQLite cannot
// relax NOT NULL in place: the table is rebuilt, copying rowid so the order versions were added
// in (migration 3) survives. Nothing references key_versions, so dropping it cascades nowhere.
// The partial index serves the material-expiry job like those of migration 2.
const IMPORTED_KEY_MATERIAL = `
CREATE TABLE key_versions_v4 (
  key_version_id      TEXT    NOT NULL PRIMARY KEY,
  key_id              TEXT    NOT NULL REFERENCES keys (key_id) ON DELETE CASCADE,
  creation_date       INTEGER NOT NULL,
  protection_kind     TEXT    NOT NULL,
  sealed_material     BLOB,
  material_commitment BLOB
) STRICT;
INSERT INTO key_versions_v4 (rowid, key_version_id, key_id, creation_date, protection_kind, sealed_material, material_commitment)
  SELECT rowid, key_version_id, key_id, creation_date, protection_kind, sealed_material, NULL FROM key_versions ORDER BY rowid;
DROP TABLE key_versions;
ALTER TABLE key_versions_v4 RENAME TO key_versions;
CREATE INDEX key_versions_in_order ON key_versions (key_id);
CREATE INDEX keys_due_for_material_expiry ON keys (material_expire_time, key_id)
  WHERE material_expire_time IS NOT NULL;
`;

// RAM identities (docs/adr/0027). A user's access keys stay rows of access_keys, read on every
// request as before; ram_user_access_keys says whose they are, and goes with the row. Users,
// groups and policies are named by stable ids inside, so a rename touches one row (and the
// principal of the user's keys). Version ids are `v` and the number; numbers are never reused, so
// the policy keeps the last one given. ram_revision is bumped by every identity write, in its
// transaction: one read tells a process whether its cached view of the identities is current.
const RAM_IDENTITIES = `
CREATE TABLE ram_users (
  user_id      TEXT    NOT NULL PRIMARY KEY,
  user_name    TEXT    NOT NULL UNIQUE,
  display_name TEXT    NOT NULL,
  email        TEXT    NOT NULL,
  mobile_phone TEXT    NOT NULL,
  comments     TEXT    NOT NULL,
  create_date  INTEGER NOT NULL,
  update_date  INTEGER NOT NULL
) STRICT;

CREATE TABLE ram_user_access_keys (
  access_key_id TEXT NOT NULL PRIMARY KEY REFERENCES access_keys (access_key_id) ON DELETE CASCADE,
  user_id       TEXT NOT NULL REFERENCES ram_users (user_id)
) STRICT;
CREATE INDEX ram_user_access_keys_by_user ON ram_user_access_keys (user_id);

CREATE TABLE ram_groups (
  group_id    TEXT    NOT NULL PRIMARY KEY,
  group_name  TEXT    NOT NULL UNIQUE,
  comments    TEXT    NOT NULL,
  create_date INTEGER NOT NULL,
  update_date INTEGER NOT NULL
) STRICT;

CREATE TABLE ram_group_members (
  group_id  TEXT    NOT NULL REFERENCES ram_groups (group_id) ON DELETE CASCADE,
  user_id   TEXT    NOT NULL REFERENCES ram_users (user_id),
  join_date INTEGER NOT NULL,
  PRIMARY KEY (group_id, user_id)
) STRICT;
CREATE INDEX ram_group_members_by_user ON ram_group_members (user_id);

CREATE TABLE ram_policies (
  policy_name         TEXT    NOT NULL PRIMARY KEY,
  description         TEXT    NOT NULL,
  default_version     TEXT    NOT NULL,
  create_date         INTEGER NOT NULL,
  update_date         INTEGER NOT NULL,
  last_version_number INTEGER NOT NULL
) STRICT;

CREATE TABLE ram_policy_versions (
  policy_name    TEXT    NOT NULL REFERENCES ram_policies (policy_name) ON DELETE CASCADE,
  version_number INTEGER NOT NULL,
  document       TEXT    NOT NULL,
  create_date    INTEGER NOT NULL,
  PRIMARY KEY (policy_name, version_number)
) STRICT;

CREATE TABLE ram_attachments (
  target_kind TEXT    NOT NULL CHECK (target_kind IN ('user', 'group')),
  target_id   TEXT    NOT NULL,
  policy_type TEXT    NOT NULL CHECK (policy_type IN ('System', 'Custom')),
  policy_name TEXT    NOT NULL,
  attach_date INTEGER NOT NULL,
  PRIMARY KEY (target_kind, target_id, policy_type, policy_name)
) STRICT;
CREATE INDEX ram_attachments_by_policy ON ram_attachments (policy_type, policy_name);

CREATE TABLE ram_revision (
  id       INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
  revision INTEGER NOT NULL
) STRICT;
INSERT INTO ram_revision (id, revision) VALUES (1, 0);
`;

// The audit trail (docs/adr/0028): chain records and signed checkpoints, append-only. The triggers
// keep honest code from editing the trail (records go only with a retention checkpoint that
// covers them); whoever can edit the file can drop them, which the chain and the signatures catch.
const AUDIT_TRAIL = `
CREATE TABLE audit_records (
  chain_id      TEXT    NOT NULL,
  sequence      INTEGER NOT NULL CHECK (sequence >= 1),
  previous_hash TEXT    NOT NULL,
  hash          TEXT    NOT NULL,
  event_time    INTEGER NOT NULL,
  body          TEXT    NOT NULL,
  PRIMARY KEY (chain_id, sequence)
) STRICT;
CREATE INDEX audit_records_by_time ON audit_records (event_time, chain_id, sequence);
CREATE TABLE audit_checkpoints (
  chain_id  TEXT    NOT NULL,
  sequence  INTEGER NOT NULL CHECK (sequence >= 1),
  head_hash TEXT    NOT NULL,
  time      INTEGER NOT NULL,
  kind      TEXT    NOT NULL CHECK (kind IN ('interval', 'final', 'retention')),
  key_id    TEXT    NOT NULL,
  signature BLOB    NOT NULL,
  PRIMARY KEY (chain_id, sequence, kind)
) STRICT;
CREATE TRIGGER audit_records_not_updated BEFORE UPDATE ON audit_records
  BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER audit_records_pruned_only BEFORE DELETE ON audit_records
  WHEN NOT EXISTS (SELECT 1 FROM audit_checkpoints c
                   WHERE c.chain_id = OLD.chain_id AND c.kind = 'retention' AND c.sequence >= OLD.sequence)
  BEGIN SELECT RAISE(ABORT, 'audit records are deleted only up to a retention checkpoint'); END;
CREATE TRIGGER audit_checkpoints_not_updated BEFORE UPDATE ON audit_checkpoints
  BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
CREATE TRIGGER audit_checkpoints_not_deleted BEFORE DELETE ON audit_checkpoints
  BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
`;

/** The schema's whole history, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial schema', sql: CREATE_INITIAL_SCHEMA },
  { version: 2, name: 'indexes of keys due for rotation and deletion', sql: CREATE_DUE_KEY_INDEXES },
  {
    version: 3,
    name: 'list key versions in the order they were added',
    // An index on key_id alone holds each key's rows in rowid order.
    sql: 'DROP INDEX key_versions_by_key;\nCREATE INDEX key_versions_in_order ON key_versions (key_id);',
  },
  { version: 4, name: 'imported key material: nullable material, commitments, expiry index', sql: IMPORTED_KEY_MATERIAL },
  {
    version: 5,
    name: 'key policies',
    // Null is the default key policy, so every key made before key policies keeps working (ADR 25).
    sql: 'ALTER TABLE keys ADD COLUMN key_policy TEXT;',
  },
  { version: 6, name: 'RAM users, access keys, groups, policies and attachments', sql: RAM_IDENTITIES },
  { version: 7, name: 'audit trail: chain records and signed checkpoints', sql: AUDIT_TRAIL },
];

/** Refuses a database written by a newer Arca: this code cannot know what the newer schema means. */
export class SchemaTooNewError extends Error {
  readonly databaseVersion: number;
  readonly knownVersion: number;
  constructor(databaseVersion: number, knownVersion: number) {
    super(
      `The database has schema version ${databaseVersion}, but this Arca knows versions up to ${knownVersion}. ` +
        'It was written by a newer Arca; run that release (or newer) against it.',
    );
    this.name = 'SchemaTooNewError';
    this.databaseVersion = databaseVersion;
    this.knownVersion = knownVersion;
  }
}

// Precondition: versions run 1, 2, 3 … with no gap or repeat, so `user_version` alone says which
// migrations a database has had.
function requireConsecutiveVersions(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`Migration "${migration.name}" has version ${migration.version}, expected ${index + 1}`);
    }
  });
}

function readSchemaVersion(db: Database): number {
  const version = db.pragma(READ_SCHEMA_VERSION_PRAGMA, { simple: true });
  if (typeof version !== 'number') throw new Error(`PRAGMA user_version gave ${String(version)}`);
  return version;
}

function applyMigration(db: Database, migration: Migration, appliedAt: number): void {
  db.exec(migration.sql);
  db.prepare(INSERT_MIGRATION_RECORD).run({ version: migration.version, name: migration.name, applied_at: appliedAt });
  db.pragma(SET_SCHEMA_VERSION(migration.version));
}

/**
 * Brings the database up to the last migration and returns the schema version it found.
 * `PRAGMA user_version` is the authority on which migrations ran; `schema_migrations` records
 * when, for people. Everything runs in one IMMEDIATE transaction: the write lock is taken before
 * the version is read, so two processes opening a new file at once cannot both migrate it, and a
 * migration that fails leaves the database as it was.
 */
export function applyMigrations(db: Database, migrations: readonly Migration[] = MIGRATIONS): number {
  requireConsecutiveVersions(migrations);
  const migrate = db.transaction(() => {
    const found = readSchemaVersion(db);
    if (found > migrations.length) throw new SchemaTooNewError(found, migrations.length);
    db.exec(CREATE_MIGRATION_RECORDS);
    const appliedAt = Date.now();
    for (const migration of migrations.slice(found)) applyMigration(db, migration, appliedAt);
    return found;
  });
  return migrate.immediate();
}
