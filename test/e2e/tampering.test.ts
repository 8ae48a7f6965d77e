// Ciphertext tampering, exhaustively, over real HTTP, for an AES-256-GCM and an SM4-GCM key: every
// single-bit flip of a short blob, every truncation, the header moved to another key or version,
// and changes to the encryption context. Every one must be refused, never return plaintext, and,
// wherever the answer depends on a secret (the tag check), be the one opaque
// 400 InvalidParameter on CiphertextBlob.
//
// The one other answer allowed: a flip inside the 36-byte header that leaves a well-formed key
// version id naming no version here is 404 Forbidden.KeyNotFound. The header is public routing
// data (anyone can read it from the blob); that lookup involves no secret, so it tells the caller
// nothing they did not send. docs/reliability.md states this.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { isUuid, KEY_VERSION_ID_LENGTH } from '../../src/domain/ciphertext-blob.js';
import { callAcs3, callOk, type HttpResponse } from '../support/acs3-signer.js';
import { TEST_CREDENTIALS } from '../support/environment.js';
import { startTestServer, type TestServer } from '../support/server.js';

const PLAINTEXT = 'Zq7';
const CONTEXT = '{"ab":"c"}';
const OPAQUE = { status: 400, code: 'InvalidParameter', message: 'The specified parameter "CiphertextBlob" is not valid.' };
const CONCURRENCY = 8;

interface Attempt {
  readonly label: string;
  readonly action: 'Decrypt' | 'ReEncrypt';
  readonly params: Record<string, string>;
  /** Forbidden.KeyNotFound is allowed as well (a header flip that names no version). */
  readonly unknownVersionAllowed?: boolean;
}

interface Outcome {
  readonly attempt: Attempt;
  readonly response: HttpResponse;
}

async function runAll(server: TestServer, attempts: readonly Attempt[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < attempts.length) {
      const attempt = attempts[next]!;
      next += 1;
      outcomes.push({ attempt, response: await callAcs3(server, TEST_CREDENTIALS, attempt.action, attempt.params) });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return outcomes;
}

/** Every outcome refused, none with plaintext, the opaque error wherever a secret decided. */
function assertRefusedOpaquely(outcomes: readonly Outcome[]): { opaque: number; unknownVersion: number } {
  let opaque = 0;
  let unknownVersion = 0;
  for (const { attempt, response } of outcomes) {
    const summary = `${attempt.label}: HTTP ${response.status} ${response.text}`;
    assert.notEqual(response.status, 200, `accepted: ${summary}`);
    assert.equal(response.json?.Plaintext, undefined, `plaintext returned: ${summary}`);
    assert.ok(!response.text.includes(PLAINTEXT), `the plaintext is in the answer: ${summary}`);
    const seen = { status: response.status, code: response.json?.Code, message: response.json?.Message };
    if (attempt.unknownVersionAllowed && seen.code === 'Forbidden.KeyNotFound') {
      assert.equal(seen.status, 404, summary);
      unknownVersion += 1;
      continue;
    }
    assert.deepEqual(seen, OPAQUE, summary);
    opaque += 1;
  }
  return { opaque, unknownVersion };
}

function flipBit(blob: Buffer, bit: number): string {
  const copy = Buffer.from(blob);
  copy[bit >> 3] = copy[bit >> 3]! ^ (1 << (bit & 7));
  return copy.toString('base64');
}

/** Contexts that differ from {"ab":"c"}: edits of each character, moved boundaries, extra pairs. */
function contextVariants(): string[] {
  const variants = new Set<string>();
  const add = (context: Record<string, string> | string): void => {
    variants.add(typeof context === 'string' ? context : JSON.stringify(context));
  };
  for (const [key, value] of [
    ['ab', 'c'],
    ['a', 'bc'],
    ['abc', ''],
    ['', 'abc'],
    ['b', 'ac'],
    ['ba', 'c'],
    ['ab', ''],
    ['', 'c'],
  ] as const) {
    if (key !== 'ab' || value !== 'c') add({ [key]: value });
  }
  const edits = (text: string): string[] => {
    const out = new Set<string>();
    for (let i = 0; i <= text.length; i += 1) {
      for (const c of ['x', 'A', ' ', '\u0000', 'é', '"', '\\']) out.add(text.slice(0, i) + c + text.slice(i));
      if (i < text.length) {
        out.add(text.slice(0, i) + text.slice(i + 1));
        out.add(text.slice(0, i) + text[i]!.toUpperCase() + text.slice(i + 1));
        out.add(text.slice(0, i) + String.fromCharCode(text.charCodeAt(i) ^ 1) + text.slice(i + 1));
      }
    }
    out.delete(text);
    return [...out];
  };
  for (const key of edits('ab')) add({ [key]: 'c' });
  for (const value of edits('c')) add({ ab: value });
  add({});
  add({ ab: 'c', '': '' });
  add({ ab: 'c', x: 'y' });
  add({ ab: 'c', ab2: 'c' });
  add({ ab: 'c', c: 'ab' });
  add({ 'ab\u0000': 'c' });
  add({ ab: 'c\u0000' });
  add({ ab: 'c\u0301' });
  return [...variants];
}

describe('ciphertext tampering over HTTP', () => {
  let server: TestServer;
  const totals = { cases: 0, opaque: 0, unknownVersion: 0 };

  const call = (action: string, params: Record<string, string> = {}): Promise<any> => callOk(server, TEST_CREDENTIALS, action, params);

  before(async () => {
    server = await startTestServer();
  });

  after(async () => {
    process.stdout.write(`# tamper cases: ${JSON.stringify(totals)}\n`);
    await server?.close();
  });

  function tally(outcomes: readonly Outcome[]): void {
    const { opaque, unknownVersion } = assertRefusedOpaquely(outcomes);
    totals.cases += outcomes.length;
    totals.opaque += opaque;
    totals.unknownVersion += unknownVersion;
  }

  for (const keySpec of ['Aliyun_AES_256', 'Aliyun_SM4'] as const) {
    describe(keySpec, () => {
      let keyId: string;
      let blob: string;
      let bytes: Buffer;

      before(async () => {
        keyId = (await call('CreateKey', { KeySpec: keySpec })).KeyMetadata.KeyId;
        blob = (await call('Encrypt', { KeyId: keyId, Plaintext: PLAINTEXT, EncryptionContext: CONTEXT })).CiphertextBlob;
        bytes = Buffer.from(blob, 'base64');
      });

      it('the untouched blob decrypts, with the context in any key order, spacing or the flattened form (the test can tell success apart)', async () => {
        assert.equal(bytes.length, KEY_VERSION_ID_LENGTH + 12 + PLAINTEXT.length + 16);
        const forms: Array<Record<string, string>> = [
          { EncryptionContext: CONTEXT },
          { EncryptionContext: ' { "ab" : "c" } ' },
          { 'EncryptionContext.ab': 'c' },
        ];
        for (const params of forms) {
          assert.equal((await call('Decrypt', { CiphertextBlob: blob, ...params })).Plaintext, PLAINTEXT);
        }
      });

      it('every single-bit flip of the blob is refused; after the header every one is the opaque error', async () => {
        const attempts: Attempt[] = [];
        for (let bit = 0; bit < bytes.length * 8; bit += 1) {
          const flipped = flipBit(bytes, bit);
          const inHeader = bit < KEY_VERSION_ID_LENGTH * 8;
          const headerStillUuid = inHeader && isUuid(Buffer.from(flipped, 'base64').toString('latin1', 0, KEY_VERSION_ID_LENGTH));
          attempts.push({
            label: `bit ${bit}`,
            action: 'Decrypt',
            params: { CiphertextBlob: flipped, EncryptionContext: CONTEXT },
            unknownVersionAllowed: headerStillUuid,
          });
        }
        assert.equal(attempts.length, bytes.length * 8);
        const outcomes = await runAll(server, attempts);
        tally(outcomes);
        // A flip that keeps the header a UUID names a version that does not exist: KeyNotFound, and
        // only then; a flip anywhere else gets the opaque error.
        for (const { attempt, response } of outcomes) {
          if (response.json?.Code === 'Forbidden.KeyNotFound') assert.ok(attempt.unknownVersionAllowed, attempt.label);
          else if (attempt.unknownVersionAllowed) assert.fail(`${attempt.label}: a well-formed unknown header answered ${response.text}`);
        }
      });

      it('every truncation of the blob (1 byte short of whole down to 1 byte) is the opaque error', async () => {
        const attempts: Attempt[] = [];
        for (let length = bytes.length - 1; length >= 1; length -= 1) {
          attempts.push({
            label: `${length} bytes`,
            action: 'Decrypt',
            params: { CiphertextBlob: bytes.subarray(0, length).toString('base64'), EncryptionContext: CONTEXT },
          });
        }
        tally(await runAll(server, attempts));
      });

      it('the header moved to another key, to a key of the other cipher, and to another version of the same key is the opaque error', async () => {
        const created = async (spec: string): Promise<{ KeyId: string; PrimaryKeyVersion: string }> => {
          const { KeyId } = (await call('CreateKey', { KeySpec: spec })).KeyMetadata;
          return (await call('DescribeKey', { KeyId })).KeyMetadata;
        };
        const otherKey = await created(keySpec);
        const otherCipher = await created(keySpec === 'Aliyun_SM4' ? 'Aliyun_AES_256' : 'Aliyun_SM4');
        assert.ok(isUuid(otherKey.PrimaryKeyVersion) && isUuid(otherCipher.PrimaryKeyVersion));
        const oldVersion = bytes.toString('latin1', 0, KEY_VERSION_ID_LENGTH);
        const newVersion = (await call('CreateKeyVersion', { KeyId: keyId })).KeyVersion.KeyVersionId as string;
        const newBlob = Buffer.from(
          (await call('Encrypt', { KeyId: keyId, Plaintext: PLAINTEXT, EncryptionContext: CONTEXT })).CiphertextBlob,
          'base64',
        );
        const withHeader = (source: Buffer, header: string): string =>
          Buffer.concat([Buffer.from(header, 'latin1'), source.subarray(KEY_VERSION_ID_LENGTH)]).toString('base64');
        const moves: Array<[string, string]> = [
          ['to another key of the same cipher', withHeader(bytes, otherKey.PrimaryKeyVersion)],
          ['to a key of the other cipher', withHeader(bytes, otherCipher.PrimaryKeyVersion)],
          ['to a newer version of the same key', withHeader(bytes, newVersion)],
          ['of a newer blob to the older version', withHeader(newBlob, oldVersion)],
        ];
        const attempts: Attempt[] = moves.flatMap(([label, moved]): Attempt[] => [
          { label, action: 'Decrypt', params: { CiphertextBlob: moved, EncryptionContext: CONTEXT } },
          {
            label: `${label} (ReEncrypt)`,
            action: 'ReEncrypt',
            params: { CiphertextBlob: moved, SourceEncryptionContext: CONTEXT, DestinationKeyId: otherKey.KeyId },
          },
        ]);
        tally(await runAll(server, attempts));
        // Both versions still open their own blobs.
        assert.equal((await call('Decrypt', { CiphertextBlob: blob, EncryptionContext: CONTEXT })).Plaintext, PLAINTEXT);
        assert.equal(
          (await call('Decrypt', { CiphertextBlob: newBlob.toString('base64'), EncryptionContext: CONTEXT })).Plaintext,
          PLAINTEXT,
        );
      });

      it('every changed encryption context, {"a":"bc"} and {"abc":""} included, and no context at all, is the opaque error', async () => {
        const variants = contextVariants();
        assert.ok(variants.includes('{"a":"bc"}') && variants.includes('{}'));
        const attempts: Attempt[] = [
          { label: 'no context', action: 'Decrypt', params: { CiphertextBlob: blob } },
          { label: 'flattened EncryptionContext.a=bc', action: 'Decrypt', params: { CiphertextBlob: blob, 'EncryptionContext.a': 'bc' } },
          { label: 'flattened EncryptionContext.abc=', action: 'Decrypt', params: { CiphertextBlob: blob, 'EncryptionContext.abc': '' } },
          ...variants.map((context): Attempt => ({
            label: context,
            action: 'Decrypt',
            params: { CiphertextBlob: blob, EncryptionContext: context },
          })),
          ...variants.slice(0, 10).map((context): Attempt => ({
            label: `ReEncrypt ${context}`,
            action: 'ReEncrypt',
            params: { CiphertextBlob: blob, SourceEncryptionContext: context, DestinationKeyId: keyId },
          })),
        ];
        tally(await runAll(server, attempts));
      });
    });
  }

  it('a blob sealed under a context of two pairs opens with neither pair alone, nor with the values swapped or run together', async () => {
    const keyId = (await call('CreateKey')).KeyMetadata.KeyId;
    const blob = (await call('Encrypt', { KeyId: keyId, Plaintext: PLAINTEXT, EncryptionContext: '{"a":"1","b":"2"}' })).CiphertextBlob;
    const contexts = [
      '{"a":"1"}',
      '{"b":"2"}',
      '{"a":"2","b":"1"}',
      '{"a":"1b","":"2"}',
      '{"a":"12","b":""}',
      '{"a":"1","b":"2","c":"3"}',
      '{"a":"1","b":"2","":""}',
    ];
    tally(
      await runAll(
        server,
        contexts.map((context): Attempt => ({
          label: context,
          action: 'Decrypt',
          params: { CiphertextBlob: blob, EncryptionContext: context },
        })),
      ),
    );
    assert.equal((await call('Decrypt', { CiphertextBlob: blob, EncryptionContext: '{"b":"2","a":"1"}' })).Plaintext, PLAINTEXT);
  });
});
