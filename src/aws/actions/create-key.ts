import { createKey } from '../../operations/create-key.js';
import { awsAction } from '../aws-action.js';
import { awsKeyMetadata } from '../aws-shapes.js';
import { assertKeyUsage, keySpecFromAws, originFromAws } from '../aws-values.js';
import { assertAwsTags } from './tags.js';

export const createKeyAwsAction = awsAction({
  name: 'CreateKey',
  actions: [createKey.action],
  run: async (params, { execute, scope }) => {
    assertKeyUsage(params.optionalString('KeyUsage'));
    const keySpec = keySpecFromAws(params.optionalString('KeySpec') ?? params.optionalString('CustomerMasterKeySpec'));
    const origin = originFromAws(params.optionalString('Origin'));
    // Key policies, multi-Region keys and custom key stores are not Arca's: refused, never ignored.
    params.refuse('Policy');
    params.refuse('CustomKeyStoreId');
    params.refuse('XksKeyId');
    if (params.optionalBoolean('MultiRegion') === true) params.refuse('MultiRegion');
    params.optionalBoolean('BypassPolicyLockoutSafetyCheck');
    const tags = params.tags('Tags');
    assertAwsTags(tags);
    const description = params.optionalString('Description');
    const key = await execute(createKey, {
      ...(keySpec === undefined ? {} : { keySpec }),
      ...(origin === undefined ? {} : { origin }),
      ...(description === undefined ? {} : { description }),
      tags,
    });
    return { KeyMetadata: awsKeyMetadata(key, scope) };
  },
});
