import { cancelKeyDeletionAwsAction } from './actions/cancel-key-deletion.js';
import { createAliasAwsAction } from './actions/create-alias.js';
import { createKeyAwsAction } from './actions/create-key.js';
import { decryptAwsAction } from './actions/decrypt.js';
import { deleteAliasAwsAction } from './actions/delete-alias.js';
import { deleteImportedKeyMaterialAwsAction } from './actions/delete-imported-key-material.js';
import { describeKeyAwsAction } from './actions/describe-key.js';
import { disableKeyRotationAwsAction } from './actions/disable-key-rotation.js';
import { disableKeyAwsAction } from './actions/disable-key.js';
import { enableKeyRotationAwsAction } from './actions/enable-key-rotation.js';
import { enableKeyAwsAction } from './actions/enable-key.js';
import { encryptAwsAction } from './actions/encrypt.js';
import { generateDataKeyWithoutPlaintextAwsAction } from './actions/generate-data-key-without-plaintext.js';
import { generateDataKeyAwsAction } from './actions/generate-data-key.js';
import { generateRandomAwsAction } from './actions/generate-random.js';
import { getKeyPolicyAwsAction } from './actions/get-key-policy.js';
import { getKeyRotationStatusAwsAction } from './actions/get-key-rotation-status.js';
import { getParametersForImportAwsAction } from './actions/get-parameters-for-import.js';
import { importKeyMaterialAwsAction } from './actions/import-key-material.js';
import { listAliasesAwsAction } from './actions/list-aliases.js';
import { listKeyPoliciesAwsAction } from './actions/list-key-policies.js';
import { listKeyRotationsAwsAction } from './actions/list-key-rotations.js';
import { listKeysAwsAction } from './actions/list-keys.js';
import { listResourceTagsAwsAction } from './actions/list-resource-tags.js';
import { putKeyPolicyAwsAction } from './actions/put-key-policy.js';
import { reEncryptAwsAction } from './actions/re-encrypt.js';
import { rotateKeyOnDemandAwsAction } from './actions/rotate-key-on-demand.js';
import { scheduleKeyDeletionAwsAction } from './actions/schedule-key-deletion.js';
import { tagResourceAwsAction } from './actions/tag-resource.js';
import { untagResourceAwsAction } from './actions/untag-resource.js';
import { updateAliasAwsAction } from './actions/update-alias.js';
import { updateKeyDescriptionAwsAction } from './actions/update-key-description.js';
import type { AwsAction } from './aws-action.js';

/**
 * Every operation the AWS KMS front end answers (`X-Amz-Target: TrentService.<name>`), listed by
 * hand: the one registry. Any operation not listed is UnknownOperationException.
 */
const AWS_ACTIONS: readonly AwsAction[] = [
  cancelKeyDeletionAwsAction,
  createAliasAwsAction,
  createKeyAwsAction,
  decryptAwsAction,
  deleteAliasAwsAction,
  deleteImportedKeyMaterialAwsAction,
  describeKeyAwsAction,
  disableKeyRotationAwsAction,
  disableKeyAwsAction,
  enableKeyRotationAwsAction,
  enableKeyAwsAction,
  encryptAwsAction,
  generateDataKeyWithoutPlaintextAwsAction,
  generateDataKeyAwsAction,
  generateRandomAwsAction,
  getKeyPolicyAwsAction,
  getKeyRotationStatusAwsAction,
  getParametersForImportAwsAction,
  importKeyMaterialAwsAction,
  listAliasesAwsAction,
  listKeyPoliciesAwsAction,
  listKeyRotationsAwsAction,
  listKeysAwsAction,
  listResourceTagsAwsAction,
  putKeyPolicyAwsAction,
  reEncryptAwsAction,
  rotateKeyOnDemandAwsAction,
  scheduleKeyDeletionAwsAction,
  tagResourceAwsAction,
  untagResourceAwsAction,
  updateAliasAwsAction,
  updateKeyDescriptionAwsAction,
];

export const AWS_ACTION_TABLE: ReadonlyMap<string, AwsAction> = new Map(AWS_ACTIONS.map((entry) => [entry.name, entry]));
