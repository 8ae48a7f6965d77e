import { randomInt } from 'node:crypto';
import { KmsError } from '../domain/errors.js';
import { defineOperation, resource } from './operation.js';

const CHARACTER_CLASSES = {
  lowercase: 'abcdefghijklmnopqrstuvwxyz',
  uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  numbers: '0123456789',
  punctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
} as const;
type CharacterClass = keyof typeof CHARACTER_CLASSES;

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 128;

export interface GetRandomPasswordInput {
  readonly passwordLength: number;
  readonly excludeCharacters: string;
  readonly exclude: ReadonlySet<CharacterClass>;
  readonly requireEachIncludedType: boolean;
}

export const getRandomPassword = defineOperation({
  action: 'GetRandomPassword',
  resources: (_input: GetRandomPasswordInput) => ({ service: resource.service() }),
  run: (_context, input): Promise<string> => {
    const length = input.passwordLength;
    if (!Number.isInteger(length) || length < MIN_PASSWORD_LENGTH || length > MAX_PASSWORD_LENGTH) {
      throw new KmsError('InvalidInput', 'passwordLength');
    }
    const pools = includedPools(input);
    if (pools.length === 0) throw new KmsError('InvalidInput', 'excludeCharacters');
    if (input.requireEachIncludedType && pools.length > length) throw new KmsError('InvalidInput', 'passwordLength');
    return Promise.resolve(drawPassword(pools, length, input.requireEachIncludedType));
  },
});

function includedPools(input: GetRandomPasswordInput): string[] {
  const excluded = new Set(input.excludeCharacters);
  return (Object.keys(CHARACTER_CLASSES) as CharacterClass[])
    .filter((name) => !input.exclude.has(name))
    .map((name) => [...CHARACTER_CLASSES[name]].filter((c) => !excluded.has(c)).join(''))
    .filter((pool) => pool.length > 0);
}

function pick(pool: string): string {
  return pool[randomInt(pool.length)] ?? '';
}

/** Uniform draws from the union; with `requireEach`, one draw from each class placed at random. */
function drawPassword(pools: readonly string[], length: number, requireEach: boolean): string {
  const all = pools.join('');
  const chars = Array.from({ length }, () => pick(all));
  if (requireEach) {
    const positions = shuffledIndexes(length).slice(0, pools.length);
    pools.forEach((pool, i) => {
      chars[positions[i] ?? 0] = pick(pool);
    });
  }
  return chars.join('');
}

function shuffledIndexes(length: number): number[] {
  const indexes = Array.from({ length }, (_, i) => i);
  for (let i = length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [indexes[i], indexes[j]] = [indexes[j] ?? 0, indexes[i] ?? 0];
  }
  return indexes;
}
