// The SQL of the SQLite IdentityStore (docs/adr/0027), one named statement each.

const USER_COLUMNS = 'user_id, user_name, display_name, email, mobile_phone, comments, create_date, update_date';
const GROUP_COLUMNS = 'group_id, group_name, comments, create_date, update_date';
const POLICY_COLUMNS = 'policy_name, description, default_version, create_date, update_date, last_version_number';

export const SELECT_REVISION = 'SELECT revision FROM ram_revision WHERE id = 1';
export const BUMP_REVISION = 'UPDATE ram_revision SET revision = revision + 1 WHERE id = 1';

export const INSERT_USER = `INSERT INTO ram_users (${USER_COLUMNS})
VALUES (@user_id, @user_name, @display_name, @email, @mobile_phone, @comments, @create_date, @update_date)`;
export const SELECT_USER_BY_NAME = `SELECT ${USER_COLUMNS} FROM ram_users WHERE user_name = ?`;
export const SELECT_USER_BY_ID = `SELECT ${USER_COLUMNS} FROM ram_users WHERE user_id = ?`;
export const UPDATE_USER = `UPDATE ram_users SET user_name = @user_name, display_name = @display_name, email = @email,
  mobile_phone = @mobile_phone, comments = @comments, create_date = @create_date, update_date = @update_date
WHERE user_id = @user_id`;
export const SELECT_USERS_AFTER = `SELECT ${USER_COLUMNS} FROM ram_users WHERE user_name > @after ORDER BY user_name LIMIT @limit`;
export const DELETE_USER = 'DELETE FROM ram_users WHERE user_id = ?';

export const INSERT_USER_ACCESS_KEY = 'INSERT INTO ram_user_access_keys (access_key_id, user_id) VALUES (@access_key_id, @user_id)';
export const COUNT_USER_ACCESS_KEYS = 'SELECT count(*) AS total_count FROM ram_user_access_keys WHERE user_id = ?';
export const SELECT_USER_ACCESS_KEYS = `SELECT k.access_key_id, k.sealed_secret, k.principal, k.enabled, k.creation_date
FROM ram_user_access_keys u JOIN access_keys k ON k.access_key_id = u.access_key_id
WHERE u.user_id = ? ORDER BY k.creation_date, k.access_key_id`;
export const SET_USER_ACCESS_KEYS_PRINCIPAL = `UPDATE access_keys SET principal = @principal
WHERE access_key_id IN (SELECT access_key_id FROM ram_user_access_keys WHERE user_id = @user_id)`;
export const SET_USER_ACCESS_KEY_ENABLED = `UPDATE access_keys SET enabled = @enabled
WHERE access_key_id = @access_key_id
  AND access_key_id IN (SELECT access_key_id FROM ram_user_access_keys WHERE user_id = @user_id)`;
// The ownership row goes with it (ON DELETE CASCADE).
export const DELETE_USER_ACCESS_KEY = `DELETE FROM access_keys
WHERE access_key_id = @access_key_id
  AND access_key_id IN (SELECT access_key_id FROM ram_user_access_keys WHERE user_id = @user_id)`;

export const INSERT_GROUP = `INSERT INTO ram_groups (${GROUP_COLUMNS}) VALUES (@group_id, @group_name, @comments, @create_date, @update_date)`;
export const SELECT_GROUP_BY_NAME = `SELECT ${GROUP_COLUMNS} FROM ram_groups WHERE group_name = ?`;
export const SELECT_GROUP_BY_ID = `SELECT ${GROUP_COLUMNS} FROM ram_groups WHERE group_id = ?`;
export const INSERT_MEMBER = 'INSERT INTO ram_group_members (group_id, user_id, join_date) VALUES (@group_id, @user_id, @join_date)';
export const DELETE_MEMBER = 'DELETE FROM ram_group_members WHERE group_id = @group_id AND user_id = @user_id';
export const COUNT_GROUPS_OF_USER = 'SELECT count(*) AS total_count FROM ram_group_members WHERE user_id = ?';
export const SELECT_MEMBERSHIPS_OF_USER = `SELECT g.group_id, g.group_name, g.comments, g.create_date, g.update_date, m.join_date
FROM ram_group_members m JOIN ram_groups g ON g.group_id = m.group_id
WHERE m.user_id = ? ORDER BY m.join_date, g.group_name`;

export const INSERT_POLICY = `INSERT INTO ram_policies (${POLICY_COLUMNS})
VALUES (@policy_name, @description, @default_version, @create_date, @update_date, @last_version_number)`;
export const SELECT_POLICY = `SELECT ${POLICY_COLUMNS} FROM ram_policies WHERE policy_name = ?`;
export const SELECT_POLICIES_AFTER = `SELECT ${POLICY_COLUMNS} FROM ram_policies WHERE policy_name > @after ORDER BY policy_name LIMIT @limit`;
export const UPDATE_POLICY_AFTER_NEW_VERSION = `UPDATE ram_policies
SET default_version = @default_version, update_date = @update_date, last_version_number = @last_version_number
WHERE policy_name = @policy_name`;
export const DELETE_POLICY = 'DELETE FROM ram_policies WHERE policy_name = ?';
export const INSERT_POLICY_VERSION = `INSERT INTO ram_policy_versions (policy_name, version_number, document, create_date)
VALUES (@policy_name, @version_number, @document, @create_date)`;
export const SELECT_POLICY_VERSIONS = `SELECT version_number, document, create_date FROM ram_policy_versions
WHERE policy_name = ? ORDER BY version_number`;
export const DELETE_POLICY_VERSION =
  'DELETE FROM ram_policy_versions WHERE policy_name = @policy_name AND version_number = @version_number';

export const INSERT_ATTACHMENT = `INSERT INTO ram_attachments (target_kind, target_id, policy_type, policy_name, attach_date)
VALUES (@target_kind, @target_id, @policy_type, @policy_name, @attach_date)`;
export const DELETE_ATTACHMENT = `DELETE FROM ram_attachments
WHERE target_kind = @target_kind AND target_id = @target_id AND policy_type = @policy_type AND policy_name = @policy_name`;
export const SELECT_ATTACHMENTS_OF = `SELECT policy_type, policy_name, attach_date FROM ram_attachments
WHERE target_kind = @target_kind AND target_id = @target_id ORDER BY attach_date, policy_type, policy_name`;
export const COUNT_ATTACHMENTS_OF_TARGET = `SELECT count(*) AS total_count FROM ram_attachments
WHERE target_kind = @target_kind AND target_id = @target_id`;
export const COUNT_ATTACHMENTS_OF_POLICY = `SELECT count(*) AS total_count FROM ram_attachments
WHERE policy_type = @policy_type AND policy_name = @policy_name`;
export const COUNT_ATTACHMENTS_OF_POLICY_BY_KIND = `SELECT count(*) AS total_count FROM ram_attachments
WHERE policy_type = @policy_type AND policy_name = @policy_name AND target_kind = @target_kind`;
export const DELETE_ATTACHMENTS_OF_POLICY = 'DELETE FROM ram_attachments WHERE policy_type = @policy_type AND policy_name = @policy_name';
// The user's own attachments first, then its groups' (by join date), each policy once: the
// caller keeps the first row of each.
export const SELECT_POLICIES_OF_USER = `SELECT a.policy_type, a.policy_name, 0 AS rank, a.attach_date AS at FROM ram_attachments a
WHERE a.target_kind = 'user' AND a.target_id = @user_id
UNION ALL
SELECT a.policy_type, a.policy_name, 1 AS rank, m.join_date AS at FROM ram_attachments a
JOIN ram_group_members m ON a.target_kind = 'group' AND a.target_id = m.group_id
WHERE m.user_id = @user_id
ORDER BY rank, at, policy_type, policy_name`;
export const SELECT_DEFAULT_VERSION = `SELECT v.version_number, v.document, v.create_date FROM ram_policies p
JOIN ram_policy_versions v ON v.policy_name = p.policy_name AND 'v' || v.version_number = p.default_version
WHERE p.policy_name = ?`;
