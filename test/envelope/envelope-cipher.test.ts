// The envelope library (`arca-kms/envelope`) against a real server over HTTP: buffers and
// streams at every segment boundary for both algorithms, the published test vectors (opened
// by the library, and by an independent reading of ADR 0016 with node:crypto alone), and the
// data-key cache's bounds on age, messages and bytes.
import assert from 'node:assert/strict';
import { createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';

import { SecretBytes } from '../../src/crypto/secret-bytes.js';
import {
  AeadAlgorithm,
  CachingDataKeySource,
  type DataKey,
  type DataKeySource,
  type DecryptDataKeyRequest,
  EnvelopeCipher,
  EnvelopeError,
  EnvelopeErrorCode,
  type GenerateDataKeyRequest,
  KmsClient,
  KmsDataKeySource,
} from '../../src/envelope/index.js';
import { callOk } from '../support/acs3-signer.js';
import { TEST_CREDENTIALS } from '../support/environment.js';
import { startTestServer, type TestServer } from '../support/server.js';

const SEGMENT = 1024;
const vectors = JSON.parse(readFileSync(new URL('../fixtures/envelope-v1-vectors.json', import.meta.url), 'utf8')).vectors as Array<
  Record<string, any>
>;

let server: TestServer;
let client: KmsClient;
let aesKeyId: string;
let sm4KeyId: string;

/** Counts the calls that reach the KMS, passing each through unchanged. */
class CountingSource implements DataKeySource {
  generated = 0;
  decrypted = 0;
  readonly #inner: DataKeySource;
  constructor(inner: DataKeySource) {
    this.#inner = inner;
  }
  generateDataKey(request: GenerateDataKeyRequest): Promise<DataKey> {
    this.generated++;
    return this.#inner.generateDataKey(request);
  }
  decryptDataKey(request: DecryptDataKeyRequest): Promise<SecretBytes> {
    this.decrypted++;
    return this.#inner.decryptDataKey(request);
  }
}

before(async () => {
  server = await startTestServer();
  client = new KmsClient({ endpoint: server.endpoint, credentials: TEST_CREDENTIALS });
  aesKeyId = (await callOk(server, TEST_CREDENTIALS, 'CreateKey', {})).KeyMetadata.KeyId;
  sm4KeyId = (await callOk(server, TEST_CREDENTIALS, 'CreateKey', { KeySpec: 'Aliyun_SM4' })).KeyMetadata.KeyId;
});

after(async () => {
  client?.close();
  await server?.close();
});

async function rejectsWith(promise: Promise<unknown>, code: EnvelopeErrorCode): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof EnvelopeError && error.code === code);
}

describe('EnvelopeCipher with buffers', () => {
  const sizes = [0, 1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 2 * SEGMENT - 1, 2 * SEGMENT, 2 * SEGMENT + 1, 10 * SEGMENT + 333];
  for (const algorithm of [AeadAlgorithm.Aes256Gcm, AeadAlgorithm.Sm4Gcm]) {
    it(`${algorithm}: every size around the segment boundaries comes back, and the length is exact`, async () => {
      const envelopes = new EnvelopeCipher(new KmsDataKeySource(client));
      const keyId = algorithm === AeadAlgorithm.Sm4Gcm ? sm4KeyId : aesKeyId;
      for (const size of sizes) {
        const plaintext = randomBytes(size);
        const sealed = await envelopes.encrypt(plaintext, {
          keyId,
          algorithm,
          segmentSizeInBytes: SEGMENT,
          context: { size: String(size) },
        });
        const bodyLength = Math.floor(size / SEGMENT) * (SEGMENT + 16) + (size % SEGMENT) + 16;
        const blobLength = sealed.readUInt16BE(52);
        const headerLength = 54 + blobLength + 4 + sealed.readUInt32BE(54 + blobLength) + 32;
        assert.equal(sealed.length, headerLength + bodyLength, `size ${size}`);
        assert.ok((await envelopes.decrypt(sealed)).equals(plaintext), `size ${size}`);
        assert.ok((await envelopes.decrypt(sealed, { context: { size: String(size) } })).equals(plaintext));
      }
    });
  }

  it('a context that differs in any way is refused before the KMS is asked', async () => {
    const counting = new CountingSource(new KmsDataKeySource(client));
    const envelopes = new EnvelopeCipher(counting);
    const sealed = await envelopes.encrypt(Buffer.from('x'), { keyId: aesKeyId, context: { ab: 'c' } });
    const contexts: Array<Record<string, string>> = [{ a: 'bc' }, { ab: 'c', d: 'e' }, {}, { ab: 'C' }];
    for (const context of contexts) {
      await rejectsWith(envelopes.decrypt(sealed, { context }), EnvelopeErrorCode.ContextMismatch);
    }
    assert.equal(counting.decrypted, 0);
  });

  it('the header context cannot be swapped: the KMS refuses the data key and the header tag fails', async () => {
    const envelopes = new EnvelopeCipher(new KmsDataKeySource(client));
    const sealed = await envelopes.encrypt(Buffer.from('secret'), { keyId: aesKeyId, context: { tenant: 'a' } });
    const forged = Buffer.from(sealed);
    const at = forged.indexOf(Buffer.from('tenant'));
    forged[at + 'tenant'.length + 4] = 'b'.charCodeAt(0); // the value "a" becomes "b"
    await rejectsWith(envelopes.decrypt(forged), EnvelopeErrorCode.HeaderAuthenticationFailed);
  });

  it('a segment size outside 1 KiB to 16 MiB is refused', async () => {
    const envelopes = new EnvelopeCipher(new KmsDataKeySource(client));
    await assert.rejects(envelopes.encrypt(Buffer.alloc(1), { keyId: aesKeyId, segmentSizeInBytes: 1023 }), RangeError);
    await assert.rejects(envelopes.encrypt(Buffer.alloc(1), { keyId: aesKeyId, segmentSizeInBytes: 16 * 1024 * 1024 + 1 }), RangeError);
  });

  it('a disabled master key fails with the API error, not an envelope error', async () => {
    const keyId = (await callOk(server, TEST_CREDENTIALS, 'CreateKey', {})).KeyMetadata.KeyId;
    const envelopes = new EnvelopeCipher(new KmsDataKeySource(client));
    const sealed = await envelopes.encrypt(Buffer.from('x'), { keyId });
    await callOk(server, TEST_CREDENTIALS, 'DisableKey', { KeyId: keyId });
    await assert.rejects(envelopes.decrypt(sealed), (error: any) => error.name === 'KmsApiError' && error.code === 'Rejected.Disabled');
  });
});

describe('EnvelopeCipher with streams', () => {
  it('encryptStream | decryptStream carries input written in odd-sized pieces', async () => {
    const envelopes = new EnvelopeCipher(new KmsDataKeySource(client));
    const plaintext = randomBytes(50 * SEGMENT + 7);
    const pieces: Buffer[] = [];
    for (let offset = 0, step = 1; offset < plaintext.length; offset += step, step = (step * 7 + 3) % 4099)
      pieces.push(plaintext.subarray(offset, offset + step));
    const out: Buffer[] = [];
    await pipeline(
      Readable.from(pieces),
      envelopes.encryptStream({ keyId: sm4KeyId, algorithm: AeadAlgorithm.Sm4Gcm, segmentSizeInBytes: SEGMENT }),
      async function* rechunk(source: AsyncIterable<Buffer>) {
        // Hand the envelope on one byte short of each segment, to cross every boundary.
        for await (const piece of source) for (let at = 0; at < piece.length; at += SEGMENT - 1) yield piece.subarray(at, at + SEGMENT - 1);
      },
      envelopes.decryptStream(),
      async (source: AsyncIterable<Buffer>) => {
        for await (const piece of source) out.push(piece);
      },
    );
    assert.ok(Buffer.concat(out).equals(plaintext));
  });

  it('decryptStream errors on a truncated envelope after passing on only authenticated segments', async () => {
    const envelopes = new EnvelopeCipher(new KmsDataKeySource(client));
    const plaintext = randomBytes(5 * SEGMENT);
    const sealed = await envelopes.encrypt(plaintext, { keyId: aesKeyId, segmentSizeInBytes: SEGMENT });
    const cut = sealed.subarray(0, sealed.length - 16 - 2 * (SEGMENT + 16)); // final and one more segment gone
    const out: Buffer[] = [];
    await assert.rejects(
      pipeline(Readable.from([cut]), envelopes.decryptStream(), async (source: AsyncIterable<Buffer>) => {
        for await (const piece of source) out.push(piece);
      }),
      (error: unknown) => error instanceof EnvelopeError && error.code === EnvelopeErrorCode.Truncated,
    );
    assert.ok(Buffer.concat(out).equals(plaintext.subarray(0, 3 * SEGMENT)));
  });
});

describe('format version 1 test vectors (test/fixtures/envelope-v1-vectors.json)', () => {
  /** A KMS stand-in that knows exactly one sealed data key: the vector's. Only for the vectors. */
  function vectorSource(vector: Record<string, any>): DataKeySource {
    return {
      generateDataKey: () => Promise.reject(new Error('vectors only decrypt')),
      decryptDataKey: (request) => {
        assert.equal(request.ciphertextBlob, vector.ciphertextBlob);
        assert.deepEqual(request.context, vector.context);
        return Promise.resolve(SecretBytes.copyOf(Buffer.from(vector.dataKeyHex, 'hex')));
      },
    };
  }

  for (const vector of vectors) {
    it(`${vector.name}: the library opens it`, async () => {
      const opened = await new EnvelopeCipher(vectorSource(vector)).decrypt(Buffer.from(vector.envelopeHex, 'hex'), {
        context: vector.context,
      });
      assert.equal(opened.toString('hex'), vector.plaintextHex);
    });
  }

  for (const vector of vectors.filter((entry) => entry.algorithm === 'AES-256-GCM')) {
    it(`${vector.name}: an independent reading of ADR 0016 with node:crypto alone opens it`, () => {
      const envelope = Buffer.from(vector.envelopeHex, 'hex');
      assert.equal(envelope.subarray(0, 7).toString('ascii'), 'ARCAENV');
      assert.equal(envelope[7], 1);
      assert.equal(envelope[8], 1);
      const segmentSize = envelope.readUInt32BE(9);
      const salt = envelope.subarray(13, 45);
      const noncePrefix = envelope.subarray(45, 52);
      const blobLength = envelope.readUInt16BE(52);
      assert.equal(envelope.subarray(54, 54 + blobLength).toString('ascii'), vector.ciphertextBlob);
      const contextLength = envelope.readUInt32BE(54 + blobLength);
      const bodyEnd = 54 + blobLength + 4 + contextLength;
      const headerBody = envelope.subarray(0, bodyEnd);
      const info = Buffer.concat([Buffer.from('ARCA-ENVELOPE-V1'), createHash('sha256').update(headerBody).digest()]);
      const okm = Buffer.from(hkdfSync('sha256', Buffer.from(vector.dataKeyHex, 'hex'), salt, info, 64));
      assert.ok(
        createHmac('sha256', okm.subarray(0, 32))
          .update(headerBody)
          .digest()
          .equals(envelope.subarray(bodyEnd, bodyEnd + 32)),
      );
      const plaintext: Buffer[] = [];
      let offset = bodyEnd + 32;
      for (let index = 0; offset < envelope.length; index++) {
        const isFinal = envelope.length - offset < segmentSize + 16;
        const sealedLength = isFinal ? envelope.length - offset : segmentSize + 16;
        const nonce = Buffer.concat([
          noncePrefix,
          Buffer.from([index >>> 24, (index >>> 16) & 255, (index >>> 8) & 255, index & 255, isFinal ? 1 : 0]),
        ]);
        const decipher = createDecipheriv('aes-256-gcm', okm.subarray(32), nonce);
        decipher.setAuthTag(envelope.subarray(offset + sealedLength - 16, offset + sealedLength));
        plaintext.push(decipher.update(envelope.subarray(offset, offset + sealedLength - 16)));
        decipher.final();
        offset += sealedLength;
      }
      assert.equal(Buffer.concat(plaintext).toString('hex'), vector.plaintextHex);
    });
  }
});

describe('CachingDataKeySource', () => {
  function cached(limits: { maxAgeMs: number; maxMessages?: number; maxBytes?: number; now?: () => number }) {
    const counting = new CountingSource(new KmsDataKeySource(client));
    return { counting, envelopes: new EnvelopeCipher(new CachingDataKeySource(counting, limits)) };
  }

  it('maxMessages: one GenerateDataKey per that many envelopes, each envelope still opening alone', async () => {
    const { counting, envelopes } = cached({ maxAgeMs: 60_000, maxMessages: 3 });
    const plaintexts = Array.from({ length: 7 }, () => randomBytes(100));
    const sealed = [];
    for (const plaintext of plaintexts) sealed.push(await envelopes.encrypt(plaintext, { keyId: aesKeyId, context: { c: '1' } }));
    assert.equal(counting.generated, 3); // 3 + 3 + 1
    const uncached = new EnvelopeCipher(new KmsDataKeySource(client));
    for (const [index, envelope] of sealed.entries()) assert.ok((await uncached.decrypt(envelope)).equals(plaintexts[index]!));
    // One data key, but each envelope has its own salt and so its own segment key.
    assert.equal(new Set(sealed.map((envelope) => envelope.subarray(13, 45).toString('hex'))).size, 7);
  });

  it('maxBytes: a data key is retired before it would encrypt more than that many bytes', async () => {
    const { counting, envelopes } = cached({ maxAgeMs: 60_000, maxBytes: 250 });
    for (let index = 0; index < 5; index++) await envelopes.encrypt(randomBytes(100), { keyId: aesKeyId });
    assert.equal(counting.generated, 3); // 100+100 | 100+100 | 100
    await envelopes.encrypt(randomBytes(300), { keyId: aesKeyId }); // larger than maxBytes: never cached
    await envelopes.encrypt(randomBytes(100), { keyId: aesKeyId });
    assert.equal(counting.generated, 4);
  });

  it('maxAgeMs: an entry older than the bound is not used', async () => {
    let now = 1_000_000;
    const { counting, envelopes } = cached({ maxAgeMs: 5_000, now: () => now });
    await envelopes.encrypt(Buffer.from('a'), { keyId: aesKeyId });
    now += 4_999;
    await envelopes.encrypt(Buffer.from('b'), { keyId: aesKeyId });
    assert.equal(counting.generated, 1);
    now += 1;
    await envelopes.encrypt(Buffer.from('c'), { keyId: aesKeyId });
    assert.equal(counting.generated, 2);
  });

  it('different contexts and keys never share a data key; streams of unknown length bypass the cache', async () => {
    const { counting, envelopes } = cached({ maxAgeMs: 60_000 });
    await envelopes.encrypt(Buffer.from('a'), { keyId: aesKeyId, context: { k: '1' } });
    await envelopes.encrypt(Buffer.from('a'), { keyId: aesKeyId, context: { k: '2' } });
    await envelopes.encrypt(Buffer.from('a'), { keyId: sm4KeyId, context: { k: '1' } });
    assert.equal(counting.generated, 3);
    await pipeline(
      Readable.from([Buffer.from('x')]),
      envelopes.encryptStream({ keyId: aesKeyId, context: { k: '1' } }),
      async (source: AsyncIterable<Buffer>) => {
        for await (const piece of source) void piece;
      },
    );
    assert.equal(counting.generated, 4);
  });

  it('decryption: one Decrypt per sealed data key and context while the entry is young', async () => {
    let now = 0;
    const { counting, envelopes } = cached({ maxAgeMs: 1_000, now: () => now });
    const sealed = await new EnvelopeCipher(new KmsDataKeySource(client)).encrypt(Buffer.from('payload'), {
      keyId: aesKeyId,
      context: { k: 'v' },
    });
    for (let index = 0; index < 3; index++) assert.equal((await envelopes.decrypt(sealed)).toString(), 'payload');
    assert.equal(counting.decrypted, 1);
    now += 1_000;
    await envelopes.decrypt(sealed);
    assert.equal(counting.decrypted, 2);
  });

  it('refuses limits that are not positive', () => {
    const inner = new KmsDataKeySource(client);
    assert.throws(() => new CachingDataKeySource(inner, { maxAgeMs: 0 }), RangeError);
    assert.throws(() => new CachingDataKeySource(inner, { maxAgeMs: 1000, maxMessages: 0 }), RangeError);
    assert.throws(() => new CachingDataKeySource(inner, { maxAgeMs: 1000, maxBytes: -1 }), RangeError);
  });
});
