import { getRandomPassword } from '../../operations/get-random-password.js';
import { wireAction } from '../wire-action.js';

const DEFAULT_PASSWORD_LENGTH = 32;

export const getRandomPasswordAction = wireAction({
  action: 'GetRandomPassword',
  operation: getRandomPassword,
  parse: (params) => {
    const excluded = (name: string) => params.optionalBoolean(name) ?? false;
    const exclude = new Set<'lowercase' | 'uppercase' | 'numbers' | 'punctuation'>();
    if (excluded('ExcludeLowercase')) exclude.add('lowercase');
    if (excluded('ExcludeUppercase')) exclude.add('uppercase');
    if (excluded('ExcludeNumbers')) exclude.add('numbers');
    if (excluded('ExcludePunctuation')) exclude.add('punctuation');
    return {
      passwordLength: params.optionalInteger('PasswordLength') ?? DEFAULT_PASSWORD_LENGTH,
      excludeCharacters: params.optional('ExcludeCharacters') ?? '',
      exclude,
      requireEachIncludedType: params.optionalBoolean('RequireEachIncludedType') ?? false,
    };
  },
  respond: (password) => ({ RandomPassword: password }),
});
