import { cancelKeyDeletion } from './cancel-key-deletion.js';
import { createAlias } from './create-alias.js';
import { createKey } from './create-key.js';
import { createKeyVersion } from './create-key-version.js';
import { decrypt } from './decrypt.js';
import { deleteAlias } from './delete-alias.js';
import { describeAccountKmsStatus } from './describe-account-kms-status.js';
import { describeKey } from './describe-key.js';
import { describeKeyVersion } from './describe-key-version.js';
import { describeRegions } from './describe-regions.js';
import { describeService } from './describe-service.js';
import { disableKey } from './disable-key.js';
import { enableKey } from './enable-key.js';
import { encrypt } from './encrypt.js';
import { generateDataKey } from './generate-data-key.js';
import { generateDataKeyWithoutPlaintext } from './generate-data-key-without-plaintext.js';
import { getRandomPassword } from './get-random-password.js';
import { listAliases } from './list-aliases.js';
import { listAliasesByKeyId } from './list-aliases-by-key-id.js';
import { listKeyVersions } from './list-key-versions.js';
import { listKeys } from './list-keys.js';
import { listResourceTags } from './list-resource-tags.js';
import { reEncrypt } from './re-encrypt.js';
import { scheduleKeyDeletion } from './schedule-key-deletion.js';
import { setDeletionProtection } from './set-deletion-protection.js';
import { tagResource } from './tag-resource.js';
import { untagResource } from './untag-resource.js';
import { updateAlias } from './update-alias.js';
import { updateKeyDescription } from './update-key-description.js';
import { updateRotationPolicy } from './update-rotation-policy.js';
import { getParametersForImport } from './get-parameters-for-import.js';
import { importKeyMaterial } from './import-key-material.js';
import { deleteKeyMaterial } from './delete-key-material.js';
import { exportDataKey } from './export-data-key.js';
import { generateAndExportDataKey } from './generate-and-export-data-key.js';

/** Every operation Arca runs, listed by hand: nothing is found by reflection. */
export const operations = {
  createKey,
  describeKey,
  listKeys,
  enableKey,
  disableKey,
  scheduleKeyDeletion,
  cancelKeyDeletion,
  updateKeyDescription,
  setDeletionProtection,
  createAlias,
  updateAlias,
  deleteAlias,
  listAliases,
  listAliasesByKeyId,
  encrypt,
  decrypt,
  generateDataKey,
  generateDataKeyWithoutPlaintext,
  reEncrypt,
  tagResource,
  untagResource,
  listResourceTags,
  describeRegions,
  getRandomPassword,
  describeAccountKmsStatus,
  describeService,
  createKeyVersion,
  describeKeyVersion,
  listKeyVersions,
  updateRotationPolicy,
  getParametersForImport,
  importKeyMaterial,
  deleteKeyMaterial,
  exportDataKey,
  generateAndExportDataKey,
} as const;
