// The `openssl` command line as a client would use it for SM2 (OpenSSL 3 has SM2 encryption in
// `pkeyutl`): the independent implementation Arca's SM2 is checked against.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicKey } from 'node:crypto';

function inTempDir<T>(work: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'arca-openssl-'));
  try {
    return work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `openssl pkeyutl -encrypt -pubin -inkey <pub.pem>`: GM/T 0009 DER ciphertext. */
export function opensslSm2Encrypt(publicKeySpki: Buffer, message: Buffer): Buffer {
  return inTempDir((dir) => {
    const pem = createPublicKey({ key: publicKeySpki, format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' });
    writeFileSync(join(dir, 'pub.pem'), pem);
    writeFileSync(join(dir, 'in.bin'), message);
    execFileSync('openssl', [
      'pkeyutl',
      '-encrypt',
      '-pubin',
      '-inkey',
      join(dir, 'pub.pem'),
      '-in',
      join(dir, 'in.bin'),
      '-out',
      join(dir, 'out.bin'),
    ]);
    return readFileSync(join(dir, 'out.bin'));
  });
}

export interface OpensslSm2Key {
  /** PEM of the private key, as `openssl genpkey` writes it. */
  readonly privateKeyPem: string;
  /** DER SubjectPublicKeyInfo. */
  readonly publicKeySpki: Buffer;
}

/** `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:SM2`. */
export function opensslSm2KeyPair(): OpensslSm2Key {
  return inTempDir((dir) => {
    const keyFile = join(dir, 'key.pem');
    execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', keyFile]);
    const publicKeyPem = execFileSync('openssl', ['pkey', '-in', keyFile, '-pubout']).toString();
    return {
      privateKeyPem: readFileSync(keyFile, 'utf8'),
      publicKeySpki: createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' }),
    };
  });
}

/** `openssl pkeyutl -decrypt -inkey <key.pem>`; throws when openssl refuses the ciphertext. */
export function opensslSm2Decrypt(privateKeyPem: string, ciphertext: Buffer): Buffer {
  return inTempDir((dir) => {
    writeFileSync(join(dir, 'key.pem'), privateKeyPem);
    writeFileSync(join(dir, 'in.bin'), ciphertext);
    return execFileSync('openssl', ['pkeyutl', '-decrypt', '-inkey', join(dir, 'key.pem'), '-in', join(dir, 'in.bin')], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  });
}
