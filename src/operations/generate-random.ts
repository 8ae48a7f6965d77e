import { randomBytes } from 'node:crypto';
import { KmsError } from '../domain/errors.js';
import { defineOperation, resource } from './operation.js';

export const MIN_RANDOM_BYTES = 1;
export const MAX_RANDOM_BYTES = 1024;

export interface GenerateRandomInput {
  readonly numberOfBytes: number;
}

/** Random bytes from the system's CSPRNG, on no key (AWS KMS's GenerateRandom). */
export const generateRandom = defineOperation({
  action: 'GenerateRandom',
  validate: (input: GenerateRandomInput) => {
    const n = input.numberOfBytes;
    if (!Number.isInteger(n) || n < MIN_RANDOM_BYTES || n > MAX_RANDOM_BYTES) throw new KmsError('InvalidInput', 'numberOfBytes');
  },
  resources: (_input: GenerateRandomInput) => ({ service: resource.service() }),
  run: (_context, input): Promise<Buffer> => Promise.resolve(randomBytes(input.numberOfBytes)),
});
