import type { Alias } from '../../domain/key.js';
import type { Paged } from '../../operations/operation.js';
import { listAliases } from '../../operations/list-aliases.js';
import { listAliasesByKeyId } from '../../operations/list-aliases-by-key-id.js';
import { awsAction } from '../aws-action.js';
import { awsAliasArn } from '../aws-arn.js';
import { epochSeconds } from '../aws-shapes.js';
import { itemsOfPage, listWindow, pageFor, pagingFields } from '../paging.js';

/** Without KeyId every alias (kms:ListAliases); with it, the key's (kms:ListAliasesByKeyId). */
export const listAliasesAwsAction = awsAction({
  name: 'ListAliases',
  actions: [listAliases.action, listAliasesByKeyId.action],
  run: async (params, { execute, scope }) => {
    const key = params.optionalKeyReference('KeyId', 'key-only');
    const window = listWindow(params, { defaultLimit: 50, max: 100 });
    const page: Paged<Alias> =
      key === undefined
        ? await execute(listAliases, { page: pageFor(window) })
        : await execute(listAliasesByKeyId, { key, page: pageFor(window) });
    const aliases = itemsOfPage(window, page);
    return {
      Aliases: aliases.map((alias) => ({
        AliasName: alias.aliasName,
        AliasArn: awsAliasArn(scope, alias.aliasName),
        TargetKeyId: alias.keyId,
        CreationDate: epochSeconds(alias.creationDate),
      })),
      ...pagingFields(window, aliases.length, page.totalCount),
    };
  },
});
