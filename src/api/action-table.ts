import { cancelKeyDeletionAction } from './actions/cancel-key-deletion.js';
import { createAliasAction } from './actions/create-alias.js';
import { createKeyAction } from './actions/create-key.js';
import { createKeyVersionAction } from './actions/create-key-version.js';
import { decryptAction } from './actions/decrypt.js';
import { deleteAliasAction } from './actions/delete-alias.js';
import { describeAccountKmsStatusAction } from './actions/describe-account-kms-status.js';
import { describeKeyAction } from './actions/describe-key.js';
import { describeKeyVersionAction } from './actions/describe-key-version.js';
import { describeRegionsAction } from './actions/describe-regions.js';
import { describeServiceAction } from './actions/describe-service.js';
import { disableKeyAction } from './actions/disable-key.js';
import { enableKeyAction } from './actions/enable-key.js';
import { encryptAction } from './actions/encrypt.js';
import { generateDataKeyAction } from './actions/generate-data-key.js';
import { generateDataKeyWithoutPlaintextAction } from './actions/generate-data-key-without-plaintext.js';
import { getRandomPasswordAction } from './actions/get-random-password.js';
import { listAliasesAction } from './actions/list-aliases.js';
import { listAliasesByKeyIdAction } from './actions/list-aliases-by-key-id.js';
import { listKeyVersionsAction } from './actions/list-key-versions.js';
import { listKeysAction } from './actions/list-keys.js';
import { listResourceTagsAction } from './actions/list-resource-tags.js';
import { reEncryptAction } from './actions/re-encrypt.js';
import { scheduleKeyDeletionAction } from './actions/schedule-key-deletion.js';
import { setDeletionProtectionAction } from './actions/set-deletion-protection.js';
import { tagResourceAction } from './actions/tag-resource.js';
import { untagResourceAction } from './actions/untag-resource.js';
import { updateAliasAction } from './actions/update-alias.js';
import { updateKeyDescriptionAction } from './actions/update-key-description.js';
import { updateRotationPolicyAction } from './actions/update-rotation-policy.js';
import { getParametersForImportAction } from './actions/get-parameters-for-import.js';
import { importKeyMaterialAction } from './actions/import-key-material.js';
import { deleteKeyMaterialAction } from './actions/delete-key-material.js';
import { exportDataKeyAction } from './actions/export-data-key.js';
import { generateAndExportDataKeyAction } from './actions/generate-and-export-data-key.js';
import { setKeyPolicyAction } from './actions/set-key-policy.js';
import { getKeyPolicyAction } from './actions/get-key-policy.js';
import { listAuditEventsAction } from './actions/list-audit-events.js';
import type { AnyWireAction } from './wire-action.js';

/**
 * Every action the API answers, listed by hand. An action of Alibaba's API that is not listed here
 * is in `unsupported-actions.ts` (refused by name); any other name does not exist.
 */
const ACTIONS: readonly AnyWireAction[] = [
  createKeyAction,
  describeKeyAction,
  listKeysAction,
  enableKeyAction,
  disableKeyAction,
  scheduleKeyDeletionAction,
  cancelKeyDeletionAction,
  updateKeyDescriptionAction,
  setDeletionProtectionAction,
  createAliasAction,
  updateAliasAction,
  deleteAliasAction,
  listAliasesAction,
  listAliasesByKeyIdAction,
  encryptAction,
  decryptAction,
  generateDataKeyAction,
  generateDataKeyWithoutPlaintextAction,
  reEncryptAction,
  tagResourceAction,
  untagResourceAction,
  listResourceTagsAction,
  describeRegionsAction,
  getRandomPasswordAction,
  describeAccountKmsStatusAction,
  describeServiceAction,
  createKeyVersionAction,
  describeKeyVersionAction,
  listKeyVersionsAction,
  updateRotationPolicyAction,
  getParametersForImportAction,
  importKeyMaterialAction,
  deleteKeyMaterialAction,
  exportDataKeyAction,
  generateAndExportDataKeyAction,
  setKeyPolicyAction,
  getKeyPolicyAction,
  // Arca's own: the audit trail (docs/adr/0028).
  listAuditEventsAction,
];

export const ACTION_TABLE: ReadonlyMap<string, AnyWireAction> = new Map(ACTIONS.map((entry) => [entry.action, entry]));
