import { AeadAuthenticationError } from '../crypto/aead.js';
import { SealPurpose } from '../domain/seal-purposes.js';
import { resealSqliteDatabase, type ResealReport, type SealedRecord } from '../keystore/sqlite/sqlite-reseal.js';
import type { RootKeyPair } from '../protection/root-key-pair.js';
import { DIGEST_KEY_RECORD } from '../protection/sealed-digest-key.js';
import { databaseExists, databasePathIn } from './data-directory.js';
import { assertRootKeyMatches, assertServerStartedWithBoth, keepDigestsAcrossRotation, ROOT_KEY_CHECK } from './root-key-source.js';
import { openStore } from './store-factory.js';

/**
 * `arca root-key rotate` (ADR 34): every value the data directory holds sealed under the previous
 * root key is sealed again under the current one, while a server started with both keys
 * (`--root-key-file <new> --previous-root-key-file <old>`) keeps serving. Resumable: a value sealed
 * under the current key already is left alone, so a run that was interrupted, or found values the
 * server changed meanwhile, is finished by running it again.
 */
export async function rotateRootKey(dataDir: string, pair: RootKeyPair): Promise<ResealReport> {
  if (!databaseExists(dataDir)) throw new Error(`${dataDir} holds no Arca database`);
  await refuseSameKey(pair);
  const store = await openStore({ kind: 'sqlite' }, dataDir);
  try {
    // The check opens under either key: a pair of which neither is this data's key is refused here.
    await assertRootKeyMatches(store, pair);
    await assertServerStartedWithBoth(store, pair);
    await keepDigestsAcrossRotation(pair, store);
  } finally {
    await store.close();
  }
  const purposes = {
    keyMaterial: SealPurpose.KeyMaterial,
    accessKeySecret: SealPurpose.AccessKeySecret,
    metadata: [
      { name: ROOT_KEY_CHECK, purpose: SealPurpose.RootKeyCheck },
      { name: DIGEST_KEY_RECORD, purpose: SealPurpose.DigestKey },
    ],
  };
  return resealSqliteDatabase(databasePathIn(dataDir), purposes, (record) => resealUnderCurrent(pair, record));
}

async function resealUnderCurrent(pair: RootKeyPair, { sealed, purpose, binding }: SealedRecord): Promise<Buffer | undefined> {
  if (await pair.sealedByCurrent(sealed, purpose, binding)) return undefined;
  let plaintext: Buffer;
  try {
    plaintext = await pair.previous.open(sealed, purpose, binding);
  } catch (error) {
    if (error instanceof AeadAuthenticationError) throw new Error(`a stored ${purpose} (${binding}) opens under neither root key`);
    throw error;
  }
  try {
    return await pair.current.seal(plaintext, purpose, binding);
  } finally {
    plaintext.fill(0);
  }
}

async function refuseSameKey(pair: RootKeyPair): Promise<void> {
  const probe = await pair.previous.seal(Buffer.alloc(0), SealPurpose.RootKeyCheck, 'rotation-probe');
  if (await pair.sealedByCurrent(probe, SealPurpose.RootKeyCheck, 'rotation-probe')) {
    throw new Error('the new and the previous root key are the same key');
  }
}
