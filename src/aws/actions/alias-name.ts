import { KmsError } from '../../domain/errors.js';
import { aliasNameOf } from '../aws-arn.js';
import type { AwsParams } from '../aws-params.js';

/**
 * AliasName: `alias/…` (or its alias Arn). AWS reserves `alias/aws/` for its managed keys, as
 * Alibaba reserves `alias/acs`; both are refused in both APIs, and Arca's own rules
 * (src/domain/alias.ts: at most 255 characters, letters, digits, `_`, `-`, `/`) apply on top.
 */
export function awsAliasName(params: AwsParams): string {
  const aliasName = aliasNameOf(params.scope, params.requiredString('AliasName'));
  if (!aliasName.startsWith('alias/') || aliasName.startsWith('alias/aws/')) throw new KmsError('InvalidInput', 'aliasName');
  return aliasName;
}
