// Every SQL statement the SQLite adapter runs. Parameters are named after the columns they fill
// (`@key_id`), so a row object binds as it is.

export const READ_SCHEMA_VERSION_PRAGMA = 'user_version';

// PRAGMA takes no bound parameters, so the number is written into the text; it must be an
// integer, which Math.trunc guarantees.
export const SET_SCHEMA_VERSION = (version: number): string => `user_version = ${Math.trunc(version)}`;

export const CREATE_MIGRATION_RECORDS = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER NOT NULL PRIMARY KEY,
  name       TEXT    NOT NULL,
  applied_at INTEGER NOT NULL
) STRICT`;

export const INSERT_MIGRATION_RECORD = `
INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @applied_at)`;

// --- keys ---------------------------------------------------------------------------------------

const KEY_COLUMNS = `
  key_id, key_spec, key_usage, origin, protection_level, key_state, description, creator,
  creation_date, delete_date, deletion_protection, deletion_protection_description,
  automatic_rotation, rotation_interval_seconds, last_rotation_date, primary_key_version_id,
  material_expire_time, tags, key_policy, revision`;

export const INSERT_KEY = `
INSERT INTO keys (${KEY_COLUMNS})
VALUES (
  @key_id, @key_spec, @key_usage, @origin, @protection_level, @key_state, @description, @creator,
  @creation_date, @delete_date, @deletion_protection, @deletion_protection_description,
  @automatic_rotation, @rotation_interval_seconds, @last_rotation_date, @primary_key_version_id,
  @material_expire_time, @tags, @key_policy, @revision
)`;

export const SELECT_KEY = `SELECT ${KEY_COLUMNS} FROM keys WHERE key_id = ?`;

export const SELECT_KEY_REVISION = `SELECT revision FROM keys WHERE key_id = ?`;

/** Optimistic concurrency: changes nothing unless the stored revision is the one the writer read. */
export const UPDATE_KEY_AT_REVISION = `
UPDATE keys SET
  key_spec = @key_spec, key_usage = @key_usage, origin = @origin,
  protection_level = @protection_level, key_state = @key_state, description = @description,
  creator = @creator, creation_date = @creation_date, delete_date = @delete_date,
  deletion_protection = @deletion_protection,
  deletion_protection_description = @deletion_protection_description,
  automatic_rotation = @automatic_rotation, rotation_interval_seconds = @rotation_interval_seconds,
  last_rotation_date = @last_rotation_date, primary_key_version_id = @primary_key_version_id,
  material_expire_time = @material_expire_time, tags = @tags, key_policy = @key_policy, revision = @revision
WHERE key_id = @key_id AND revision = @expected_revision`;

/** Versions and aliases follow by ON DELETE CASCADE. Conditioned on the revision, like an update. */
export const DELETE_KEY_AT_REVISION = `DELETE FROM keys WHERE key_id = @key_id AND revision = @expected_revision`;

// The WHERE terms and the ORDER BY expression repeat those of the partial indexes made by
// migration 2 word for word (literals included, not parameters): only then does SQLite use them.
export const SELECT_KEYS_DUE_FOR_ROTATION = `
SELECT ${KEY_COLUMNS} FROM keys
WHERE automatic_rotation = 1 AND key_state = 'Enabled' AND rotation_interval_seconds IS NOT NULL
  AND last_rotation_date + rotation_interval_seconds * 1000 <= @now
ORDER BY last_rotation_date + rotation_interval_seconds * 1000, key_id
LIMIT @limit`;

export const SELECT_KEYS_DUE_FOR_DELETION = `
SELECT ${KEY_COLUMNS} FROM keys
WHERE key_state = 'PendingDeletion' AND delete_date IS NOT NULL
  AND delete_date <= @now
ORDER BY delete_date, key_id
LIMIT @limit`;

// Repeats the partial index of migration 4 word for word, like the two above.
export const SELECT_KEYS_DUE_FOR_MATERIAL_EXPIRY = `
SELECT ${KEY_COLUMNS} FROM keys
WHERE material_expire_time IS NOT NULL
  AND material_expire_time <= @now
ORDER BY material_expire_time, key_id
LIMIT @limit`;

// One statement for every combination of filters: each filter is a JSON array of accepted
// values, or NULL for "any"; a tag filter matches a key with at least one tag whose key (value)
// is accepted. The statement is prepared once, and keys_by_creation gives the order.
const KEY_FILTER = `
      (@key_states IS NULL OR key_state IN (SELECT value FROM json_each(@key_states)))
  AND (@key_specs IS NULL OR key_spec IN (SELECT value FROM json_each(@key_specs)))
  AND (@key_usages IS NULL OR key_usage IN (SELECT value FROM json_each(@key_usages)))
  AND (@protection_levels IS NULL OR protection_level IN (SELECT value FROM json_each(@protection_levels)))
  AND (@tag_keys IS NULL OR EXISTS (SELECT 1 FROM json_each(keys.tags) AS tag
    WHERE json_extract(tag.value, '$.tagKey') IN (SELECT value FROM json_each(@tag_keys))))
  AND (@tag_values IS NULL OR EXISTS (SELECT 1 FROM json_each(keys.tags) AS tag
    WHERE json_extract(tag.value, '$.tagValue') IN (SELECT value FROM json_each(@tag_values))))`;

export const COUNT_KEYS_MATCHING = `SELECT count(*) AS total_count FROM keys WHERE ${KEY_FILTER}`;

export const SELECT_KEYS_PAGE = `
SELECT ${KEY_COLUMNS} FROM keys
WHERE ${KEY_FILTER}
ORDER BY creation_date, key_id
LIMIT @limit OFFSET @offset`;

// --- key versions -------------------------------------------------------------------------------

const KEY_VERSION_COLUMNS = 'key_version_id, key_id, creation_date, protection_kind, sealed_material, material_commitment';

export const INSERT_KEY_VERSION = `
INSERT INTO key_versions (${KEY_VERSION_COLUMNS})
VALUES (@key_version_id, @key_id, @creation_date, @protection_kind, @sealed_material, @material_commitment)`;

/** Imported material arriving or destroyed; changes nothing unless the version is the key's. */
export const UPDATE_KEY_VERSION_MATERIAL = `
UPDATE key_versions SET
  protection_kind = @protection_kind, sealed_material = @sealed_material, material_commitment = @material_commitment
WHERE key_version_id = @key_version_id AND key_id = @key_id`;

export const SELECT_KEY_VERSION = `SELECT ${KEY_VERSION_COLUMNS} FROM key_versions WHERE key_version_id = ?`;

export const COUNT_KEY_VERSIONS = `SELECT count(*) AS total_count FROM key_versions WHERE key_id = ?`;

/**
 * Versions in the order they were added (rowid: SQLite gives each new row one above the largest,
 * and a key's versions are only ever deleted together), not by creation date, which two
 * rotations in one millisecond or a clock stepping back would misorder. With a page large
 * enough, every version of a key in one query over key_versions_in_order.
 */
export const SELECT_KEY_VERSIONS_PAGE = `
SELECT ${KEY_VERSION_COLUMNS} FROM key_versions
WHERE key_id = @key_id
ORDER BY rowid
LIMIT @limit OFFSET @offset`;

// --- aliases ------------------------------------------------------------------------------------

const ALIAS_COLUMNS = 'alias_name, key_id, creation_date';

export const INSERT_ALIAS = `
INSERT INTO aliases (${ALIAS_COLUMNS}) VALUES (@alias_name, @key_id, @creation_date)`;

export const SELECT_ALIAS = `SELECT ${ALIAS_COLUMNS} FROM aliases WHERE alias_name = ?`;

export const UPDATE_ALIAS_TARGET = `UPDATE aliases SET key_id = @key_id WHERE alias_name = @alias_name`;

export const DELETE_ALIAS = `DELETE FROM aliases WHERE alias_name = ?`;

// The metrics' inventory: a whole scan of keys (no index helps a GROUP BY over three columns), run
// once a scrape; key_versions is counted from its smallest index.
export const COUNT_KEYS_BY_STATE_SPEC_PROTECTION = `
SELECT key_state, key_spec, protection_level, count(*) AS key_count FROM keys
GROUP BY key_state, key_spec, protection_level ORDER BY key_state, key_spec, protection_level`;

export const COUNT_ALL_KEY_VERSIONS = `SELECT count(*) AS total_count FROM key_versions`;

export const COUNT_ALIASES = `SELECT count(*) AS total_count FROM aliases`;

export const SELECT_ALIASES_PAGE = `
SELECT ${ALIAS_COLUMNS} FROM aliases
ORDER BY creation_date, alias_name
LIMIT @limit OFFSET @offset`;

export const COUNT_ALIASES_OF_KEY = `SELECT count(*) AS total_count FROM aliases WHERE key_id = ?`;

export const SELECT_ALIASES_OF_KEY_PAGE = `
SELECT ${ALIAS_COLUMNS} FROM aliases
WHERE key_id = @key_id
ORDER BY creation_date, alias_name
LIMIT @limit OFFSET @offset`;

// --- access keys --------------------------------------------------------------------------------

const ACCESS_KEY_COLUMNS = 'access_key_id, sealed_secret, principal, enabled, creation_date';

export const SELECT_ACCESS_KEY = `SELECT ${ACCESS_KEY_COLUMNS} FROM access_keys WHERE access_key_id = ?`;

export const UPSERT_ACCESS_KEY = `
INSERT INTO access_keys (${ACCESS_KEY_COLUMNS})
VALUES (@access_key_id, @sealed_secret, @principal, @enabled, @creation_date)
ON CONFLICT (access_key_id) DO UPDATE SET
  sealed_secret = excluded.sealed_secret,
  principal = excluded.principal,
  enabled = excluded.enabled,
  creation_date = excluded.creation_date`;

export const COUNT_ACCESS_KEYS = `SELECT count(*) AS total_count FROM access_keys`;

// --- metadata -----------------------------------------------------------------------------------

export const SELECT_METADATA = `SELECT value FROM metadata WHERE name = ?`;

export const INSERT_METADATA_IF_ABSENT = `
INSERT INTO metadata (name, value) VALUES (@name, @value)
ON CONFLICT (name) DO NOTHING`;

export const UPSERT_METADATA = `
INSERT INTO metadata (name, value) VALUES (@name, @value)
ON CONFLICT (name) DO UPDATE SET value = excluded.value`;

// --- connection ---------------------------------------------------------------------------------

export const SET_BUSY_TIMEOUT = (milliseconds: number): string => `busy_timeout = ${Math.trunc(milliseconds)}`; // see SET_SCHEMA_VERSION
export const SET_JOURNAL_MODE_WAL = 'journal_mode = WAL';
export const SET_SYNCHRONOUS_FULL = 'synchronous = FULL';
export const SET_FOREIGN_KEYS_ON = 'foreign_keys = ON';
export const SET_SECURE_DELETE_ON = 'secure_delete = ON';
/** Copies every WAL frame into the database file, then truncates the WAL to zero bytes. */
export const WAL_CHECKPOINT_TRUNCATE = 'wal_checkpoint(TRUNCATE)';

export const PRAGMA_JOURNAL_MODE = 'journal_mode';
export const PRAGMA_SYNCHRONOUS = 'synchronous';
export const PRAGMA_FOREIGN_KEYS = 'foreign_keys';
export const PRAGMA_BUSY_TIMEOUT = 'busy_timeout';
export const PRAGMA_SECURE_DELETE = 'secure_delete';
