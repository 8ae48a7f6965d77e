// Wycheproof AEAD vector files (see test/vectors/wycheproof/SOURCE.md): their layout, loading,
// one test per case, and the check of a valid case. Meant to be imported as a namespace:
// `import * as wycheproof from './wycheproof.js'`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import type { GcmWithIv } from '../../src/crypto/gcm-sealed.js';

export interface AeadCase {
  tcId: number;
  comment: string;
  flags: string[];
  key: string;
  iv: string;
  aad: string;
  msg: string;
  ct: string;
  tag: string;
  result: 'valid' | 'invalid' | 'acceptable';
}
export interface AeadGroup {
  ivSize: number;
  keySize: number;
  tagSize: number;
  tests: AeadCase[];
}
/** A case with a definite answer: the files Arca runs hold no 'acceptable' case. */
export type DecidedCase = AeadCase & { result: 'valid' | 'invalid' };
export interface AeadFile {
  numberOfTests: number;
  testGroups: AeadGroup[];
}

/** Reads `test/vectors/wycheproof/<fileName>`, e.g. `aes_gcm_test.json`. */
export function load(fileName: string): AeadFile {
  return JSON.parse(readFileSync(new URL(`../vectors/wycheproof/${fileName}`, import.meta.url), 'utf8')) as AeadFile;
}

const hex = (s: string): Buffer => Buffer.from(s, 'hex');

/** A case's hex fields as bytes. */
export function decode(c: AeadCase): Record<'key' | 'iv' | 'aad' | 'msg' | 'ct' | 'tag', Buffer> {
  return {
    key: hex(c.key),
    iv: hex(c.iv),
    aad: hex(c.aad),
    msg: hex(c.msg),
    ct: hex(c.ct),
    tag: hex(c.tag),
  };
}

/**
 * Checks a valid case both ways: encrypting its message gives the published ciphertext and tag
 * (of the case's tag length), and decrypting those gives the message back.
 */
export function assertValidCase(
  c: AeadCase,
  encryptWithIv: (
    key: Buffer,
    iv: Uint8Array,
    plaintext: Uint8Array,
    additionalData: Uint8Array,
    tagLengthInBytes: number,
  ) => { ciphertext: Buffer; tag: Buffer },
  decryptWithIv: GcmWithIv['decrypt'],
): void {
  const { key, iv, aad, msg, ct, tag } = decode(c);
  const sealed = encryptWithIv(key, iv, msg, aad, tag.length);
  assert.equal(sealed.ciphertext.toString('hex'), c.ct);
  assert.equal(sealed.tag.toString('hex'), c.tag);
  assert.equal(decryptWithIv(key, iv, ct, tag, aad).toString('hex'), c.msg);
}

/**
 * Registers one test per case, titled by `title` and running `run`; a case whose result is
 * 'acceptable' fails its test, none being expected. The returned map, filled as those tests run,
 * holds each case's outcome by tcId for a closing test that counts them.
 */
export function itForEachCase<Outcome>(
  vectors: AeadFile,
  title: (group: AeadGroup, c: AeadCase) => string,
  run: (c: DecidedCase) => Outcome,
): Map<number, Outcome> {
  const outcomes = new Map<number, Outcome>();
  for (const group of vectors.testGroups) {
    for (const c of group.tests) {
      it(title(group, c), () => {
        if (!isDecided(c)) {
          throw new Error(`tcId ${c.tcId}: no 'acceptable' case was expected in this file`);
        }
        outcomes.set(c.tcId, run(c));
      });
    }
  }
  return outcomes;
}

function isDecided(c: AeadCase): c is DecidedCase {
  return c.result !== 'acceptable';
}
