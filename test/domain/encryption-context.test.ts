import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
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

// --- contexts that collided (the outside review, issue 16) ----------------------------------------

const refusesNaming = (parameter: string) => (error: unknown) =>
  error instanceof KmsError && error.kind === 'InvalidInput' && error.field === parameter;

/** The canonical encoding read back, strictly: a left inverse of encodeContextForAad. */
function decodeAad(aad: Buffer): Map<string, string> {
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let offset = 0;
  const readString = () => {
    const length = aad.readUInt32BE(offset);
    offset += 4;
    assert.ok(offset + length <= aad.length, 'a length runs past the end');
    const text = utf8.decode(aad.subarray(offset, offset + length));
    offset += length;
    return text;
  };
  const count = aad.readUInt32BE(0);
  offset = 4;
  const context = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const key = readString();
    assert.ok(!context.has(key), 'a key appears twice in the encoding');
    context.set(key, readString());
  }
  assert.equal(offset, aad.length, 'bytes left over');
  return context;
}

describe('encryption contexts that must not collide', () => {
  it('refuses a lone surrogate in a key or a value, escaped or raw, in the JSON and the flattened form: {"k":"\\ud800"} no longer encodes as {"k":"\\ufffd"}', () => {
    for (const json of [
      '{"k":"\\ud800"}',
      '{"k":"\\udc00"}',
      '{"\\ud800":"v"}',
      '{"k":"a\\ud83d"}',
      '{"k":"\\ude00\\ud83d"}',
      '{"k":"\ud800"}',
    ]) {
      assert.throws(() => parseEncryptionContextJson(json, 'EncryptionContext'), refusesNaming('EncryptionContext'), json);
    }
    for (const pair of [
      ['k', '\ud800'],
      ['\udfff', 'v'],
    ] as const) {
      assert.throws(() => contextFromEntries([pair], 'SourceEncryptionContext'), refusesNaming('SourceEncryptionContext'));
    }
    const replacement = parseEncryptionContextJson('{"k":"\\ufffd"}', 'EncryptionContext');
    assert.equal(replacement.get('k'), '\ufffd', 'U+FFFD itself is an ordinary character');
  });

  it('accepts an escaped surrogate pair as the character it spells', () => {
    const escaped = parseEncryptionContextJson('{"\\ud83d\\ude00":"\\uD83D\\uDE00"}', 'EncryptionContext');
    assert.deepEqual([...escaped], [['😀', '😀']]);
  });

  it('refuses a repeated key, with the same or another value, where JSON.parse kept the last one', () => {
    for (const json of ['{"a":"1","a":"2"}', '{"a":"2","a":"2"}', '{"a":"1","b":"x","a":"1"}', '{"a":"1","\\u0061":"2"}']) {
      assert.throws(() => parseEncryptionContextJson(json, 'EncryptionContext'), refusesNaming('EncryptionContext'), json);
    }
    assert.throws(
      () =>
        contextFromEntries(
          [
            ['a', '1'],
            ['a', '1'],
          ],
          'EncryptionContext',
        ),
      refusesNaming('EncryptionContext'),
    );
  });

  it('refuses what JSON refuses: a raw control character, a bad escape, trailing text, a BOM, single quotes, a trailing comma', () => {
    for (const json of [
      '{"a":"\u0001"}',
      '{"a":"\\x41"}',
      '{"a":"\\u12"}',
      '{"a":"b"} x',
      '{"a":"b"}}',
      '\ufeff{"a":"b"}',
      "{'a':'b'}",
      '{"a":"b",}',
      '{"a" "b"}',
      '{"a":"b"',
      '{"a":"b\\',
      '',
      ' ',
      '{,}',
      '{"a":"b"}\u00a0',
    ]) {
      assert.throws(() => parseEncryptionContextJson(json, 'EncryptionContext'), refusesNaming('EncryptionContext'), JSON.stringify(json));
    }
  });

  // Strings drawn from characters that stress the encoding: lone and paired surrogates, U+FFFD,
  // quotes, backslashes, control characters, and any other code unit now and then.
  const tricky = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('a', 'b', '"', '\\', '/', '\u0000', '\n', '\ud800', '\udc00', '\ufffd', '😀', 'é', 'e\u0301') },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)) },
  );
  const trickyString = fc.array(tricky, { maxLength: 6 }).map((parts) => parts.join(''));
  const entriesArbitrary = fc.array(fc.tuple(trickyString, trickyString), { maxLength: 5 });

  /** JSON text for `entries` as some client might write it: whitespace and escapes chosen by `seed`. */
  function writeJson(entries: ReadonlyArray<readonly [string, string]>, seed: number): string {
    let state = seed >>> 0;
    const next = (choices: number) => {
      state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
      return state % choices;
    };
    const space = () => ['', ' ', '\n\t', '\r\n  '][next(4)] ?? '';
    const writeString = (value: string) => {
      let out = '"';
      for (const unit of value.split('')) {
        const code = unit.charCodeAt(0);
        const mustEscape = code < 0x20 || unit === '"' || unit === '\\';
        const choice = next(3);
        if (!mustEscape && choice === 0) out += unit;
        else if (choice === 1 && JSON.stringify(unit).length === 4) out += JSON.stringify(unit).slice(1, -1);
        else out += `\\u${code.toString(16).padStart(4, '0')[next(2) === 0 ? 'toLowerCase' : 'toUpperCase']()}`;
      }
      return `${out}"`;
    };
    const members = entries.map(([key, value]) => `${space()}${writeString(key)}${space()}:${space()}${writeString(value)}${space()}`);
    return `${space()}{${members.join(',')}${entries.length === 0 ? space() : ''}}${space()}`;
  }

  const isWellFormed = (text: string) => !/\p{Surrogate}/u.test(text);
  const shouldAccept = (entries: ReadonlyArray<readonly [string, string]>) =>
    new Set(entries.map(([key]) => key)).size === entries.length &&
    entries.every(([key, value]) => isWellFormed(key) && isWellFormed(value)) &&
    JSON.stringify(Object.fromEntries(entries)).length <= 8192;
  const tryParse = (json: string) => {
    try {
      return parseEncryptionContextJson(json, 'EncryptionContext');
    } catch (error) {
      assert.ok(refusesNaming('EncryptionContext')(error), String(error));
      return undefined;
    }
  };

  it('property: JSON of any pairs, however written, is accepted exactly when its keys are distinct and its strings well formed, and then parses to those pairs', () => {
    fc.assert(
      fc.property(entriesArbitrary, fc.integer(), (entries, seed) => {
        const json = writeJson(entries, seed);
        const parsed = tryParse(json);
        assert.equal(parsed !== undefined, shouldAccept(entries), json);
        if (parsed) assert.deepEqual(parsed, new Map(entries));
      }),
      { numRuns: 2000 },
    );
  });

  it('property: every accepted context round-trips: through its compact JSON, and out of its encoding, so no two distinct accepted contexts encode the same AAD', () => {
    fc.assert(
      fc.property(entriesArbitrary, fc.integer(), (entries, seed) => {
        const parsed = tryParse(writeJson(entries, seed));
        if (!parsed) return;
        assert.deepEqual(parseEncryptionContextJson(JSON.stringify(Object.fromEntries(parsed)), 'EncryptionContext'), parsed);
        // decodeAad is a left inverse of the encoding on accepted contexts, so the encoding is injective there.
        assert.deepEqual(decodeAad(encodeContextForAad(parsed)), parsed);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: two accepted contexts, JSON or flattened, with equal AAD are the same context', () => {
    const small = fc.array(fc.constantFrom('a', 'b', '\ud800', '\ufffd', '\u0000'), { maxLength: 2 }).map((parts) => parts.join(''));
    const pairs = fc.array(fc.tuple(small, small), { maxLength: 3 });
    const accept = (entries: ReadonlyArray<readonly [string, string]>) => {
      try {
        return contextFromEntries(entries, 'EncryptionContext');
      } catch {
        return undefined;
      }
    };
    fc.assert(
      fc.property(pairs, pairs, fc.integer(), (first, second, seed) => {
        const a = accept(first);
        const b = tryParse(writeJson(second, seed));
        if (!a || !b) return;
        if (encodeContextForAad(a).equals(encodeContextForAad(b))) assert.deepEqual(a, b);
        else assert.notDeepEqual(a, b);
      }),
      { numRuns: 3000 },
    );
  });

  it('property: whatever text it accepts, JSON.parse reads as the same pairs (and the reader never throws anything else)', () => {
    const jsonish = fc.oneof(
      fc.string({ unit: fc.constantFrom('{', '}', '"', ':', ',', ' ', '\\', 'u', 'd', '8', '0', 'a', 'n', '\ud800', '1', '[', ']') }),
      fc.json(),
      entriesArbitrary.chain((entries) => fc.integer().map((seed) => writeJson(entries, seed))),
    );
    fc.assert(
      fc.property(jsonish, (text) => {
        const parsed = tryParse(text);
        if (!parsed) return;
        const reference: unknown = JSON.parse(text);
        assert.ok(typeof reference === 'object' && reference !== null && !Array.isArray(reference));
        assert.deepEqual(new Map(Object.entries(reference)), parsed);
      }),
      { numRuns: 3000 },
    );
  });
});
