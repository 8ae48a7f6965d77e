import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { chmodSync, linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';

/** The checkpoint signing key's file in a data directory, unless `--audit-key-file` puts it elsewhere. */
export const AUDIT_KEY_FILE_NAME = 'audit-signing.key';

/** Where the public half is written: beside the private key, with `.pub` in place of `.key`. */
export function publicKeyPathFor(privateKeyPath: string): string {
  return privateKeyPath.endsWith('.key') ? `${privateKeyPath.slice(0, -'.key'.length)}.pub` : `${privateKeyPath}.pub`;
}

export function defaultAuditKeyPath(dataDir: string): string {
  return join(dataDir, AUDIT_KEY_FILE_NAME);
}

/** The id checkpoints name their key by: hex of the first 8 bytes of SHA-256 of the DER SubjectPublicKeyInfo. */
export function signingKeyId(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

/** The Ed25519 key that signs the checkpoints; it never enters the database. */
export class CheckpointSigner {
  readonly keyId: string;
  readonly publicKey: KeyObject;
  readonly #privateKey: KeyObject;

  constructor(privateKey: KeyObject) {
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('the audit signing key is not an Ed25519 key');
    this.#privateKey = privateKey;
    this.publicKey = createPublicKey(privateKey);
    this.keyId = signingKeyId(this.publicKey);
  }

  sign(message: Buffer): Buffer {
    return sign(null, message, this.#privateKey);
  }
}

export function verifyCheckpointSignature(publicKey: KeyObject, message: Buffer, signature: Buffer): boolean {
  try {
    return verify(null, message, publicKey, signature);
  } catch {
    return false;
  }
}

/**
 * Reads the signing key (PKCS#8 PEM, mode 0600), creating it on first use with its public half
 * (SPKI PEM) beside it. Several processes may start at once (a cluster's workers): the key is
 * written to a private temporary file and linked into place, which fails when another process
 * linked first; then everyone reads the one that won.
 */
export function loadOrCreateSigningKey(path: string): CheckpointSigner {
  try {
    return new CheckpointSigner(createPrivateKey(readFileSync(path)));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const temporary = join(dirname(path), `.${AUDIT_KEY_FILE_NAME}.${randomUUID()}.tmp`);
  writeFileSync(temporary, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  chmodSync(temporary, 0o600);
  try {
    linkSync(temporary, path);
    writeFileSync(publicKeyPathFor(path), publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
  return new CheckpointSigner(createPrivateKey(readFileSync(path)));
}

/** A verifying key from a PEM file: a public key, or a private key whose public half is taken. */
export function readVerifyingKey(path: string): KeyObject {
  const pem = readFileSync(path);
  const key = pem.includes('PRIVATE KEY') ? createPublicKey(createPrivateKey(pem)) : createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${path} is not an Ed25519 key`);
  return key;
}
