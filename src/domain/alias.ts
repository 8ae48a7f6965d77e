import { KmsError } from './errors.js';

const MAX_ALIAS_LENGTH = 255;
const ALIAS_NAME_PATTERN = /^alias\/[A-Za-z0-9_/-]+$/;

/**
 * Alibaba's rules: `alias/` then letters, digits, `_`, `-` and `/`; at most 255 characters in
 * all (the current API reference counts the prefix); the `alias/acs` prefix is reserved.
 */
export function assertValidAliasName(aliasName: string): void {
  const valid = aliasName.length <= MAX_ALIAS_LENGTH && ALIAS_NAME_PATTERN.test(aliasName) && !aliasName.startsWith('alias/acs');
  if (!valid) throw new KmsError('InvalidInput', 'aliasName');
}
