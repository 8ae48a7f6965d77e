import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alibabaErrorOf } from '../../src/api/alibaba-errors.js';
import {
  blobAdditionalData,
  contextFromEntries,
  EMPTY_CONTEXT,
  encodeContextForAad,
  parseEncryptionContextJson,
} from '../../src/domain/encryption-context.js';
import { KmsError } from '../../src/domain/errors.js';

const hex = (buffer: Buffer) => buffer.toString('hex');

describe('encryption context canonical encoding (v1)', () => {
  it('encodes the empty context as four zero bytes', () => {
    assert.equal(hex(encodeContextForAad(EMPTY_CONTEXT)), '00000000');
    assert.equal(hex(encodeContextForAad(parseEncryptionContextJson('{}', 'EncryptionContext'))), '00000000');
  });

  it('pins the golden encoding of {"b":"2","a":"1"}: count, then length-prefixed pairs sorted by key', () => {
    const context = parseEncryptionContextJson('{"b":"2","a":"1"}', 'EncryptionContext');
    assert.equal(
      hex(encodeContextForAad(context)),
      '00000002' + '00000001' + '61' + '00000001' + '31' + '00000001' + '62' + '00000001' + '32',
    );
  });

  it('ignores key order and JSON whitespace', () => {
    const a = parseEncryptionContextJson('{"Key1":"Value1","Key2":"Value2"}', 'EncryptionContext');
    const b = parseEncryptionContextJson('{ "Key2" : "Value2",\n "Key1": "Value1" }', 'EncryptionContext');
    assert.deepEqual(encodeContextForAad(a), encodeContextForAad(b));
  });

  it('keeps {"ab":"c"} and {"a":"bc"} apart', () => {
    const a = encodeContextForAad(parseEncryptionContextJson('{"ab":"c"}', 'EncryptionContext'));
    const b = encodeContextForAad(parseEncryptionContextJson('{"a":"bc"}', 'EncryptionContext'));
    assert.notDeepEqual(a, b);
  });

  it('keeps a context apart from one with an extra empty pair', () => {
    const a = encodeContextForAad(parseEncryptionContextJson('{"a":"b"}', 'EncryptionContext'));
    const b = encodeContextForAad(parseEncryptionContextJson('{"a":"b","":""}', 'EncryptionContext'));
    assert.notDeepEqual(a, b);
  });

  it('sorts by UTF-8 bytes, not by UTF-16 code units', () => {
    // U+FF5E (3 UTF-8 bytes ef bd 9e) sorts before U+10000 (f0 90 80 80) in UTF-8,
    // but after it in UTF-16 (0xFF5E > 0xD800).
    const context = contextFromEntries(
      [
        ['\u{10000}', 'x'],
        ['\uff5e', 'y'],
      ],
      'EncryptionContext',
    );
    const encoded = encodeContextForAad(context);
    assert.equal(hex(encoded.subarray(4, 8)), '00000003');
    assert.equal(hex(encoded.subarray(8, 11)), 'efbd9e');
  });

  it('equates the flattened form with the JSON form', () => {
    const flattened = contextFromEntries(
      [
        ['b', '2'],
        ['a', '1'],
      ],
      'EncryptionContext',
    );
    const json = parseEncryptionContextJson('{"a":"1","b":"2"}', 'EncryptionContext');
    assert.deepEqual(encodeContextForAad(flattened), encodeContextForAad(json));
  });

  for (const [label, json] of [
    ['an array', '["a"]'],
    ['a number value', '{"a":1}'],
    ['a nested object', '{"a":{"b":"c"}}'],
    ['null', 'null'],
    ['a string', '"a"'],
    ['invalid JSON', '{a:1}'],
    ['more than 8192 characters', JSON.stringify({ a: 'x'.repeat(8200) })],
  ] as const) {
    it(`refuses ${label} with InvalidParameter naming the parameter`, () => {
      assert.throws(
        () => parseEncryptionContextJson(json, 'EncryptionContext'),
        (error: unknown) =>
          error instanceof KmsError &&
          error.kind === 'InvalidInput' &&
          error.field === 'EncryptionContext' &&
          alibabaErrorOf(error).message.includes('EncryptionContext'),
      );
    });
  }

  it('prefixes the 36-byte blob header to the context in the additional data', () => {
    const versionId = '86a9efd9-3d16-4894-bd4f-1fc43f3f2abf';
    const aad = blobAdditionalData(versionId, EMPTY_CONTEXT);
    assert.equal(aad.toString('ascii', 0, 36), versionId);
    assert.equal(hex(aad.subarray(36)), '00000000');
  });
});
