import { KmsError } from '../../domain/errors.js';
import type { InDeviceImportedMaterial, InDeviceImporter, InDeviceImportPair } from '../../domain/ports.js';
import type { Pkcs11KeyProtector } from './pkcs11-key-protector.js';
import { ImportedMaterialInvalidError, ImportKeyMissingError } from './token-errors.js';

/** Import key pairs one key may have in the token at once (older ones are destroyed first). */
export const MAX_IMPORT_KEY_PAIRS_PER_KEY = 4;
/** Import key pairs the token holds at most, over all keys (the oldest are destroyed first). */
export const MAX_IMPORT_KEY_PAIRS = 256;

const LABEL_PREFIX = 'arca-import/';

/** CKA_LABEL of a pair: the key, the expiry and the random id, so a sweep needs nothing else. */
export function importKeyLabel(pair: InDeviceImportPair): string {
  return `${LABEL_PREFIX}${pair.keyId}/${pair.expiresAtMs}/${pair.pairId}`;
}

export function parseImportKeyLabel(label: string): InDeviceImportPair | undefined {
  if (!label.startsWith(LABEL_PREFIX)) return undefined;
  const [keyId, expires, pairId, ...rest] = label.slice(LABEL_PREFIX.length).split('/');
  if (keyId === undefined || expires === undefined || pairId === undefined || rest.length > 0 || !/^\d{1,16}$/.test(expires)) return undefined;
  return { keyId, pairId, expiresAtMs: Number(expires) };
}

/**
 * The labels to destroy before a new pair for `keyId` is made at `nowMs`: expired pairs, then
 * the oldest of the key's pairs and of all pairs, so that with the new one the bounds hold.
 * Labels Arca did not make are left alone.
 */
export function importKeyLabelsToSweep(labels: readonly string[], keyId: string, nowMs: number): string[] {
  const live: { label: string; pair: InDeviceImportPair }[] = [];
  const doomed: string[] = [];
  for (const label of labels) {
    const pair = parseImportKeyLabel(label);
    if (!pair) continue;
    if (pair.expiresAtMs <= nowMs) doomed.push(label);
    else live.push({ label, pair });
  }
  live.sort((a, b) => a.pair.expiresAtMs - b.pair.expiresAtMs);
  const ofKey = live.filter(({ pair }) => pair.keyId === keyId);
  const overKey = ofKey.slice(0, Math.max(0, ofKey.length - (MAX_IMPORT_KEY_PAIRS_PER_KEY - 1))).map(({ label }) => label);
  doomed.push(...overKey);
  const rest = live.filter(({ label }) => !overKey.includes(label));
  doomed.push(...rest.slice(0, Math.max(0, rest.length - (MAX_IMPORT_KEY_PAIRS - 1))).map(({ label }) => label));
  return doomed;
}

/**
 * Bring-your-own-key for HSM keys (docs/adr/0020): the wrapping key pair is made in the token
 * and its private key never leaves it; the material is unwrapped there (RSA-OAEP SHA-1, what
 * SoftHSM2 2.6 unwraps) and wrapped at once for storage, and the commitment to it is a CMAC the
 * token computes with it.
 */
export class TokenImporter implements InDeviceImporter {
  readonly scheme = { keySpec: 'RSA_2048', algorithm: 'RSAES_OAEP_SHA_1' } as const;
  readonly #protector: Pkcs11KeyProtector;

  constructor(protector: Pkcs11KeyProtector) {
    this.#protector = protector;
  }

  async createImportKeyPair(pair: InDeviceImportPair, nowMs: number): Promise<Buffer> {
    const labels = await this.#protector.listImportKeyLabels();
    for (const label of importKeyLabelsToSweep(labels, pair.keyId, nowMs)) await this.#protector.deleteImportKeyPair(label);
    return (await this.#protector.createImportKeyPair(importKeyLabel(pair))).publicKeySpki;
  }

  async importWrapped(pair: InDeviceImportPair, keyVersionId: string, encryptedKeyMaterial: Buffer, commitmentMessage: Buffer): Promise<InDeviceImportedMaterial> {
    try {
      return await this.#protector.importWrapped(keyVersionId, importKeyLabel(pair), this.scheme.algorithm, encryptedKeyMaterial, commitmentMessage);
    } catch (error) {
      if (error instanceof ImportKeyMissingError) throw new KmsError('InvalidImportToken');
      if (error instanceof ImportedMaterialInvalidError) throw new KmsError('InvalidKeyMaterial');
      throw error;
    }
  }

  async deleteImportKeyPair(pair: InDeviceImportPair): Promise<void> {
    await this.#protector.deleteImportKeyPair(importKeyLabel(pair));
  }
}
