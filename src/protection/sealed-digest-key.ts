import type { KeyedDigest, MetadataStore, SecretSealer } from '../domain/ports.js';
import { SecretBytes } from '../crypto/secret-bytes.js';
import { SealPurpose } from '../domain/seal-purposes.js';
import { keyedDigest } from './root-key.js';

export const DIGEST_KEY_RECORD = 'digest-key';
const DIGEST_KEY_LENGTH = 32;

/**
 * Keyed digests (bring-your-own-key material commitments) for a root key held in a PKCS#11
 * token. A file root key derives its digest key with HKDF (ADR 6); a token key cannot hand out a
 * derived secret, so the digest key is 32 random bytes stored in the metadata store sealed under
 * the token root key — created on first need, opened once per process. The digest is the same
 * HMAC construction as the file root key's. Call it only after the root key was checked against
 * the data directory, or a wrong token key would seal a digest key no right one can open.
 */
export async function withSealedDigestKey(rootKey: SecretSealer, store: MetadataStore): Promise<SecretSealer & KeyedDigest> {
  const digestKey = await loadOrCreateDigestKey(rootKey, store);
  return {
    seal: (plaintext, purpose, binding) => rootKey.seal(plaintext, purpose, binding),
    open: (sealed, purpose, binding) => rootKey.open(sealed, purpose, binding),
    digest: (data, purpose, binding) => Promise.resolve(keyedDigest(digestKey, data, purpose, binding)),
  };
}

async function loadOrCreateDigestKey(rootKey: SecretSealer, store: MetadataStore): Promise<SecretBytes> {
  const stored = await store.getMetadata(DIGEST_KEY_RECORD);
  if (stored !== undefined) return SecretBytes.adopt(await rootKey.open(stored, SealPurpose.DigestKey, DIGEST_KEY_RECORD));
  const key = SecretBytes.random(DIGEST_KEY_LENGTH);
  const sealed = await rootKey.seal(key.unsafeReveal(), SealPurpose.DigestKey, DIGEST_KEY_RECORD);
  key.wipe();
  // Two processes may create one at the same moment: the first stored wins, and both use it.
  const winner = await store.putMetadataIfAbsent(DIGEST_KEY_RECORD, sealed);
  return SecretBytes.adopt(await rootKey.open(winner, SealPurpose.DigestKey, DIGEST_KEY_RECORD));
}
