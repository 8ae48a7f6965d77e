// The behaviour every KeyProtector adapter must show (software, PKCS#11), run unchanged
// against each: material round trips, the sealed layout, one opaque error for every
// authentication failure, material bound to its version, and refusal of unsupported specs.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { alibabaErrorOf } from '../../src/api/alibaba-errors.js';
import { AeadAuthenticationError, GCM_IV_LENGTH, GCM_TAG_LENGTH } from '../../src/crypto/aead.js';
import { createAead } from '../../src/crypto/aead-factory.js';
import { SecretBytes } from '../../src/crypto/secret-bytes.js';
import { KmsError } from '../../src/domain/errors.js';
import { KeySpec, profileOf } from '../../src/domain/key-spec.js';
import type { KeyProtector } from '../../src/domain/ports.js';

export interface OpenedProtector {
  readonly protector: KeyProtector;
  close(): Promise<void>;
}

const AAD = Buffer.from('header and context');

function flipBit(bytes: Buffer, index: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[index] = (copy[index] ?? 0) ^ 0x01;
  return copy;
}

/** `skip`: a reason the adapter cannot run here (node:test's describe option). */
export function describeKeyProtectorContract(name: string, open: () => Promise<OpenedProtector>, skip: string | false = false): void {
  void describe(`${name} (KeyProtector contract)`, { skip }, () => {
    let opened: OpenedProtector;
    let protector: KeyProtector;
    before(async () => {
      opened = await open();
      protector = opened.protector;
    });
    after(async () => {
      await opened.close();
    });

    for (const keySpec of Object.values(KeySpec)) {
      void describe(keySpec, () => {
        it('when supported: generate then open gives an Aead that round-trips in the sealed layout iv(12) ‖ ciphertext ‖ tag(16)', async () => {
          if (!protector.supportsKeySpec(keySpec)) return; // the next case checks the refusal
          const id = randomUUID();
          const material = await protector.generate(keySpec, id);
          const aead = await protector.open(keySpec, id, material);
          assert.equal(aead.algorithm, profileOf(keySpec).algorithm);
          const plaintext = Buffer.from('the quick brown fox');
          const sealed = await aead.encrypt(plaintext, AAD);
          assert.equal(sealed.length, GCM_IV_LENGTH + plaintext.length + GCM_TAG_LENGTH);
          assert.deepEqual(await aead.decrypt(sealed, AAD), plaintext);
          // An empty plaintext seals to an IV and a tag only.
          assert.equal((await aead.encrypt(Buffer.alloc(0), AAD)).length, GCM_IV_LENGTH + GCM_TAG_LENGTH);
        });

        it('when not supported: generate refuses it with UnsupportedKeySpecAtProtectionLevel', async () => {
          if (protector.supportsKeySpec(keySpec)) return;
          await assert.rejects(protector.generate(keySpec, randomUUID()), (error: unknown) => {
            assert.ok(error instanceof KmsError);
            assert.equal(error.kind, 'KeySpecUnsupportedAtProtectionLevel');
            assert.equal(alibabaErrorOf(error).httpStatus, 400);
            return true;
          });
        });
      });
    }

    void describe('with an AES-256 version', () => {
      const keySpec = KeySpec.Aes256;
      const id = randomUUID();
      let material: Awaited<ReturnType<KeyProtector['generate']>>;
      before(async () => {
        material = await protector.generate(keySpec, id);
      });

      it('draws a fresh IV for every encryption', async () => {
        const aead = await protector.open(keySpec, id, material);
        const ivs = new Set<string>();
        for (let i = 0; i < 50; i++) ivs.add((await aead.encrypt(Buffer.from('x'), AAD)).subarray(0, GCM_IV_LENGTH).toString('hex'));
        assert.equal(ivs.size, 50);
      });

      it('every authentication failure (wrong additional data, a flipped bit anywhere, truncation) is AeadAuthenticationError', async () => {
        const aead = await protector.open(keySpec, id, material);
        const sealed = await aead.encrypt(Buffer.from('secret'), AAD);
        await assert.rejects(aead.decrypt(sealed, Buffer.from('other context')), AeadAuthenticationError);
        for (const index of [0, GCM_IV_LENGTH, sealed.length - 1]) {
          await assert.rejects(aead.decrypt(flipBit(sealed, index), AAD), AeadAuthenticationError);
        }
        await assert.rejects(aead.decrypt(sealed.subarray(0, GCM_IV_LENGTH + GCM_TAG_LENGTH - 1), AAD), AeadAuthenticationError);
        await assert.rejects(aead.decrypt(Buffer.alloc(0), AAD), AeadAuthenticationError);
        // And the Aead still works after the refusals.
        assert.deepEqual(await aead.decrypt(sealed, AAD), Buffer.from('secret'));
      });

      it('material opened again (a restart) decrypts what the first Aead sealed', async () => {
        const first = await protector.open(keySpec, id, material);
        const sealed = await first.encrypt(Buffer.from('kept'), AAD);
        const again = await protector.open(keySpec, id, { kind: material.kind, sealed: Buffer.from(material.sealed) });
        assert.deepEqual(await again.decrypt(sealed, AAD), Buffer.from('kept'));
      });

      it('material is bound to its version id: it does not open for another version', async () => {
        await assert.rejects(protector.open(keySpec, randomUUID(), material));
      });

      it('tampered material does not open', async () => {
        await assert.rejects(
          protector.open(keySpec, id, { kind: material.kind, sealed: flipBit(material.sealed, material.sealed.length - 3) }),
        );
      });

      it('two versions have different keys: one cannot open what the other sealed', async () => {
        const otherId = randomUUID();
        const other = await protector.open(keySpec, otherId, await protector.generate(keySpec, otherId));
        const sealed = await (await protector.open(keySpec, id, material)).encrypt(Buffer.from('mine'), AAD);
        await assert.rejects(other.decrypt(sealed, AAD), AeadAuthenticationError);
      });

      it('many concurrent encryptions and decryptions all succeed and match', async () => {
        const aead = await protector.open(keySpec, id, material);
        const plaintexts = Array.from({ length: 200 }, (_, i) => Buffer.from(`message ${i} `.repeat(1 + (i % 7))));
        const sealed = await Promise.all(plaintexts.map((p) => aead.encrypt(p, AAD)));
        const opened = await Promise.all(sealed.map((s) => aead.decrypt(s, AAD)));
        opened.forEach((p, i) => assert.deepEqual(p, plaintexts[i]));
      });
    });

    it('protect: material from outside opens to an Aead interoperable with AES-256-GCM on the same key', async () => {
      const id = randomUUID();
      const key = SecretBytes.random(32);
      const material = await protector.protect(SecretBytes.copyOf(key.unsafeReveal()), id);
      assert.equal(material.sealed.includes(key.unsafeReveal()), false, 'the stored form does not hold the key');
      const aead = await protector.open(KeySpec.Aes256, id, material);
      const reference = createAead(profileOf(KeySpec.Aes256).algorithm, key);
      const fromReference = await reference.encrypt(Buffer.from('made outside'), AAD);
      assert.deepEqual(await aead.decrypt(fromReference, AAD), Buffer.from('made outside'));
      assert.deepEqual(await reference.decrypt(await aead.encrypt(Buffer.from('made inside'), AAD), AAD), Buffer.from('made inside'));
    });
  });
}
