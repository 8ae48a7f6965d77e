import { KmsError } from '../../domain/errors.js';
import { listKeyVersions } from '../../operations/list-key-versions.js';
import { awsAction } from '../aws-action.js';
import { awsKeyArn } from '../aws-arn.js';
import { epochSeconds } from '../aws-shapes.js';
import { itemsOfPage, listWindow, pageFor, pagingFields } from '../paging.js';

/**
 * The key's versions as AWS's rotations (kms:ListKeyVersions), oldest first: each version is one
 * key material, its KeyMaterialId the version id, the newest CURRENT. AWS lists only rotations by
 * default (ROTATIONS_ONLY) and the original material too with ALL_KEY_MATERIAL; Arca lists every
 * version either way, the first being the key's original material (ADR 35).
 */
export const listKeyRotationsAwsAction = awsAction({
  name: 'ListKeyRotations',
  actions: [listKeyVersions.action],
  run: async (params, { execute, scope }) => {
    const key = params.keyReference('KeyId', 'key-only');
    const include = params.optionalString('IncludeKeyMaterial');
    if (include !== undefined && include !== 'ALL_KEY_MATERIAL' && include !== 'ROTATIONS_ONLY') {
      throw new KmsError('InvalidInput', 'includeKeyMaterial');
    }
    const window = listWindow(params, { defaultLimit: 100, max: 1000 });
    const page = await execute(listKeyVersions, { key, page: pageFor(window) });
    // In the order the versions were added (the store's promise): the last of the last page is the primary.
    const versions = itemsOfPage(window, page);
    const newest = window.offset + versions.length === page.totalCount ? versions.at(-1)?.keyVersionId : undefined;
    return {
      Rotations: versions.map((version) => ({
        KeyId: awsKeyArn(scope, version.keyId),
        KeyMaterialId: version.keyVersionId,
        KeyMaterialState: version.keyVersionId === newest ? 'CURRENT' : 'NON_CURRENT',
        RotationDate: epochSeconds(version.creationDate),
      })),
      ...pagingFields(window, versions.length, page.totalCount),
    };
  },
});
