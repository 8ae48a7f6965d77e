// Malformed and hostile requests over real HTTP. Each must be refused with a 4xx error from the
// catalog, in Alibaba's JSON shape, never a 5xx and never a stack trace; the server keeps
// serving, and the key store is exactly as it was.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import { ALIBABA_ERRORS } from '../../src/api/alibaba-errors.js';
import {
  callOk,
  send,
  sendRaw,
  serialize,
  signAcs3,
  type Acs3Options,
  type Credentials,
  type HttpResponse,
  type PreparedRequest,
} from '../support/acs3-signer.js';
import { startTestServer, TEST_ACCESS_KEY_ID, TEST_ACCESS_KEY_SECRET, type TestServer } from '../support/server.js';

const credentials: Credentials = { accessKeyId: TEST_ACCESS_KEY_ID, accessKeySecret: TEST_ACCESS_KEY_SECRET };
const CATALOG_CODES = new Set(Object.values(ALIBABA_ERRORS).map((entry) => entry.code));
const KIB = 1024;

interface BadInput {
  readonly name: string;
  /** Builds the request; `raw` requests are written to the socket byte for byte. */
  readonly build: (env: { server: TestServer; keyId: string; sign: (options: Partial<Acs3Options>) => PreparedRequest }) => PreparedRequest;
  readonly raw?: boolean;
  readonly chunks?: number;
  /** The exact answer, when the catalog names one; otherwise any 4xx catalog error. */
  readonly expect?: { readonly status: number; readonly code: string };
}

const INVALID = { status: 400, code: 'InvalidParameter' } as const;
const MISSING = { status: 400, code: 'MissingParameter' } as const;
const TOO_LARGE = { status: 413, code: 'InvalidParameter.RequestTooLarge' } as const;

const deepArray = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

const CASES: readonly BadInput[] = [
  // Encoding
  {
    name: 'a query with broken percent-encoding (%zz)',
    build: ({ sign, keyId }) =>
      sign({ action: 'Encrypt', query: { KeyId: keyId, Plaintext: 'x' }, rawQuery: `KeyId=${keyId}&Plaintext=%zz` }),
    expect: INVALID,
  },
  {
    name: 'a query ending in a truncated percent-escape (%4)',
    build: ({ sign, keyId }) =>
      sign({ action: 'Encrypt', query: { KeyId: keyId, Plaintext: 'x' }, rawQuery: `KeyId=${keyId}&Plaintext=%4` }),
    expect: INVALID,
  },
  {
    name: 'a form body with broken percent-encoding (%zz)',
    build: ({ sign, keyId }) =>
      sign({ action: 'Encrypt', body: `KeyId=${keyId}&Plaintext=%zz`, contentType: 'application/x-www-form-urlencoded' }),
    expect: INVALID,
  },
  {
    name: 'a percent-encoded sequence that is not UTF-8 (%C3%28) in the query',
    build: ({ sign, keyId }) =>
      sign({ action: 'Encrypt', query: { KeyId: keyId, Plaintext: 'x' }, rawQuery: `KeyId=${keyId}&Plaintext=%C3%28` }),
    expect: INVALID,
  },
  {
    name: 'a percent-encoded UTF-16 surrogate (%ED%A0%80) in the query',
    build: ({ sign, keyId }) =>
      sign({ action: 'Encrypt', query: { KeyId: keyId, Plaintext: 'x' }, rawQuery: `KeyId=${keyId}&Plaintext=%ED%A0%80` }),
    expect: INVALID,
  },
  {
    name: 'a percent-encoded byte that is not UTF-8 (%FF) in a form body',
    build: ({ sign, keyId }) =>
      sign({ action: 'Encrypt', body: `KeyId=${keyId}&Plaintext=%FF`, contentType: 'application/x-www-form-urlencoded' }),
    expect: INVALID,
  },
  {
    name: 'a signed form body holding raw bytes that are not UTF-8 (0xFF 0xFE)',
    build: ({ sign, keyId }) =>
      sign({
        action: 'Encrypt',
        body: Buffer.concat([Buffer.from(`KeyId=${keyId}&Plaintext=a`, 'ascii'), Buffer.of(0xff, 0xfe), Buffer.from('b', 'ascii')]),
        contentType: 'application/x-www-form-urlencoded',
      }),
  },
  {
    name: 'a request target holding a raw byte that is not UTF-8 (0xFF)',
    raw: true,
    build: ({ sign, keyId }) => {
      const request = sign({ action: 'Encrypt', query: { KeyId: keyId, Plaintext: 'a\u00ffb' } });
      request.path = `/?KeyId=${keyId}&Plaintext=a\u00ffb`;
      return request;
    },
  },

  // Parameters
  {
    name: 'a parameter given twice in the query',
    build: ({ sign, keyId }) =>
      sign({
        action: 'Encrypt',
        query: [
          ['KeyId', keyId],
          ['Plaintext', 'one'],
          ['Plaintext', 'two'],
        ],
      }),
    expect: INVALID,
  },
  {
    name: 'a parameter given in the query and again in the form body',
    build: ({ sign, keyId }) => sign({ action: 'Encrypt', query: { KeyId: keyId, Plaintext: 'one' }, form: { Plaintext: 'two' } }),
    expect: INVALID,
  },
  {
    name: 'an empty Action parameter (no x-acs-action header)',
    build: ({ sign }) => sign({ action: null, query: { Action: '' } }),
    expect: MISSING,
  },
  {
    name: 'an empty x-acs-action header',
    build: ({ sign }) => sign({ action: '' }),
    expect: MISSING,
  },
  {
    name: 'no action at all',
    build: ({ sign }) => sign({ action: null }),
    expect: MISSING,
  },
  {
    name: 'a NumberOfBytes of sixteen digits',
    build: ({ sign, keyId }) => sign({ action: 'GenerateDataKey', query: { KeyId: keyId, NumberOfBytes: '1000000000000000' } }),
    expect: INVALID,
  },
  {
    name: 'a PendingWindowInDays in exponent notation (1e1)',
    build: ({ sign, keyId }) => sign({ action: 'ScheduleKeyDeletion', query: { KeyId: keyId, PendingWindowInDays: '1e1' } }),
    expect: INVALID,
  },

  // Sizes
  {
    name: 'a 300 KiB form body',
    build: ({ sign, keyId }) => sign({ action: 'Encrypt', form: { KeyId: keyId, Plaintext: 'p'.repeat(300 * KIB) } }),
    expect: TOO_LARGE,
  },
  {
    name: 'a 300 KiB form body sent chunked, without Content-Length',
    chunks: 30,
    build: ({ sign, keyId }) => sign({ action: 'Encrypt', form: { KeyId: keyId, Plaintext: 'p'.repeat(300 * KIB) } }),
    expect: TOO_LARGE,
  },
  {
    name: 'a 300 KiB opaque body (application/octet-stream)',
    build: ({ sign }) => sign({ action: 'DescribeRegions', body: Buffer.alloc(300 * KIB, 7), contentType: 'application/octet-stream' }),
    expect: TOO_LARGE,
  },
  {
    name: 'a URL query of 40 KiB (a Plaintext over the 6 KB limit)',
    build: ({ sign, keyId }) => sign({ action: 'Encrypt', query: { KeyId: keyId, Plaintext: 'q'.repeat(40 * KIB) } }),
    expect: INVALID,
  },
  {
    name: 'a URL query of 40 KiB (a CreateKey Description over 8192 characters)',
    build: ({ sign }) => sign({ action: 'CreateKey', query: { Description: 'd'.repeat(40 * KIB) } }),
    expect: INVALID,
  },
  {
    name: 'a request target of 70 KiB, beyond the header limit',
    raw: true,
    build: ({ sign }) => sign({ action: 'DescribeRegions', query: { Padding: 'z'.repeat(70 * KIB) } }),
  },

  // Strings where JSON belongs
  {
    name: 'Tags as a plain string',
    build: ({ sign, keyId }) => sign({ action: 'TagResource', query: { KeyId: keyId, Tags: 'env=prod' } }),
    expect: INVALID,
  },
  {
    name: 'Tags as JSON null',
    build: ({ sign, keyId }) => sign({ action: 'TagResource', query: { KeyId: keyId, Tags: 'null' } }),
    expect: INVALID,
  },
  {
    name: 'Tags as a JSON string',
    build: ({ sign, keyId }) =>
      sign({ action: 'TagResource', query: { KeyId: keyId, Tags: '"[{\\"TagKey\\":\\"a\\",\\"TagValue\\":\\"b\\"}]"' } }),
    expect: INVALID,
  },
  {
    name: 'CreateKey with Tags as a plain string',
    build: ({ sign }) => sign({ action: 'CreateKey', query: { Tags: 'env' } }),
    expect: INVALID,
  },
  {
    name: 'Filters as a plain string',
    build: ({ sign }) => sign({ action: 'ListKeys', query: { Filters: 'KeyState=Enabled' } }),
    expect: INVALID,
  },
  {
    name: 'EncryptionContext as a plain string',
    build: ({ sign, keyId }) => sign({ action: 'Encrypt', query: { KeyId: keyId, Plaintext: 'x', EncryptionContext: 'purpose=test' } }),
    expect: INVALID,
  },
  {
    name: 'EncryptionContext as JSON null',
    build: ({ sign, keyId }) => sign({ action: 'Encrypt', query: { KeyId: keyId, Plaintext: 'x', EncryptionContext: 'null' } }),
    expect: INVALID,
  },
  {
    name: 'EncryptionContext as a JSON array',
    build: ({ sign, keyId }) => sign({ action: 'Encrypt', query: { KeyId: keyId, Plaintext: 'x', EncryptionContext: '[["a","b"]]' } }),
    expect: INVALID,
  },
  {
    name: 'TagKeys as a plain string',
    build: ({ sign, keyId }) => sign({ action: 'UntagResource', query: { KeyId: keyId, TagKeys: 'seed' } }),
    expect: INVALID,
  },
  {
    name: 'TagKeys as a JSON object',
    build: ({ sign, keyId }) => sign({ action: 'UntagResource', query: { KeyId: keyId, TagKeys: '{"seed":"1"}' } }),
    expect: INVALID,
  },

  // JSON where strings belong
  {
    name: 'Tags whose TagKey is a JSON object',
    build: ({ sign, keyId }) => sign({ action: 'TagResource', query: { KeyId: keyId, Tags: '[{"TagKey":{"k":"v"},"TagValue":"b"}]' } }),
    expect: INVALID,
  },
  {
    name: 'Tags whose TagValue is a number',
    build: ({ sign, keyId }) => sign({ action: 'TagResource', query: { KeyId: keyId, Tags: '[{"TagKey":"a","TagValue":1}]' } }),
    expect: INVALID,
  },
  {
    name: 'Tags as a single JSON object instead of a list',
    build: ({ sign, keyId }) => sign({ action: 'TagResource', query: { KeyId: keyId, Tags: '{"TagKey":"a","TagValue":"b"}' } }),
    expect: INVALID,
  },
  {
    name: 'Tags nested 20000 levels deep',
    build: ({ sign, keyId }) => sign({ action: 'TagResource', form: { KeyId: keyId, Tags: deepArray(20_000) } }),
    expect: INVALID,
  },
  {
    name: 'Filters as a single JSON object instead of a list',
    build: ({ sign }) => sign({ action: 'ListKeys', query: { Filters: '{"Key":"KeyState","Values":["Enabled"]}' } }),
    expect: INVALID,
  },
  {
    name: 'Filters whose Values is a string instead of a list',
    build: ({ sign }) => sign({ action: 'ListKeys', query: { Filters: '[{"Key":"KeyState","Values":"Enabled"}]' } }),
    expect: INVALID,
  },
  {
    name: 'Filters whose Key is a JSON object',
    build: ({ sign }) => sign({ action: 'ListKeys', query: { Filters: '[{"Key":{"KeyState":1},"Values":["Enabled"]}]' } }),
    expect: INVALID,
  },
  {
    name: 'Filters nested 20000 levels deep',
    build: ({ sign }) => sign({ action: 'ListKeys', form: { Filters: deepArray(20_000) } }),
    expect: INVALID,
  },
  {
    name: 'Filters whose Key is "constructor" (a name every JavaScript object inherits)',
    build: ({ sign }) => sign({ action: 'ListKeys', query: { Filters: '[{"Key":"constructor","Values":["Enabled"]}]' } }),
    expect: INVALID,
  },
  {
    name: 'Filters whose Key is "__proto__"',
    build: ({ sign }) => sign({ action: 'ListKeys', query: { Filters: '[{"Key":"__proto__","Values":["Enabled"]}]' } }),
    expect: INVALID,
  },
  {
    name: 'EncryptionContext with a number value',
    build: ({ sign, keyId }) => sign({ action: 'Encrypt', query: { KeyId: keyId, Plaintext: 'x', EncryptionContext: '{"a":1}' } }),
    expect: INVALID,
  },
  {
    name: 'EncryptionContext with a nested object value',
    build: ({ sign, keyId }) => sign({ action: 'Encrypt', query: { KeyId: keyId, Plaintext: 'x', EncryptionContext: '{"a":{"b":"c"}}' } }),
    expect: INVALID,
  },
  {
    name: 'EncryptionContext given both as JSON and flattened (EncryptionContext.a)',
    build: ({ sign, keyId }) =>
      sign({ action: 'Encrypt', query: { KeyId: keyId, Plaintext: 'x', EncryptionContext: '{"a":"b"}', 'EncryptionContext.a': 'b' } }),
    expect: INVALID,
  },
  {
    name: 'TagKeys holding numbers',
    build: ({ sign, keyId }) => sign({ action: 'UntagResource', query: { KeyId: keyId, TagKeys: '[1,2]' } }),
    expect: INVALID,
  },
  // Response format
  {
    name: 'a Format that is neither JSON nor XML',
    build: ({ sign, keyId }) => sign({ action: 'DescribeKey', query: { KeyId: keyId, Format: 'YAML' } }),
    expect: INVALID,
  },
  {
    // Parameters that cannot be read are refused in JSON, whatever Format says.
    name: 'Format=XML with a parameter given twice',
    build: ({ sign, keyId }) =>
      sign({
        action: 'DescribeKey',
        query: [
          ['Format', 'XML'],
          ['KeyId', keyId],
          ['KeyId', keyId],
        ],
      }),
    expect: INVALID,
  },
  {
    name: 'TagKeys holding nested lists',
    build: ({ sign, keyId }) => sign({ action: 'UntagResource', query: { KeyId: keyId, TagKeys: '[["seed"]]' } }),
    expect: INVALID,
  },
];

/**
 * A refusal in the catalog's shape (exactly RequestId, HostId, Code, Message and the default
 * Recommend link), with no trace of the server's insides.
 */
function assertCatalogRefusal(response: HttpResponse, expect: BadInput['expect']): void {
  const summary = `HTTP ${response.status} ${response.text.slice(0, 300)}`;
  assert.ok(response.status >= 400 && response.status < 500, `expected a 4xx, got ${summary}`);
  assert.ok(response.json !== undefined && typeof response.json === 'object', `the body is not JSON: ${summary}`);
  assert.deepEqual(Object.keys(response.json), ['RequestId', 'HostId', 'Code', 'Message', 'Recommend'], summary);
  assert.equal(response.json.Recommend, `/docs/errors.md?q=${String(response.json.Code)}`, summary);
  assert.ok(CATALOG_CODES.has(response.json.Code), `Code ${String(response.json.Code)} is not in the catalog: ${summary}`);
  assert.equal(typeof response.json.Message, 'string', summary);
  assert.equal(typeof response.json.RequestId, 'string', summary);
  assert.ok(response.json.RequestId.length > 0, summary);
  assert.equal(response.headers['x-acs-request-id'], response.json.RequestId, `x-acs-request-id differs from RequestId: ${summary}`);
  assert.doesNotMatch(response.text, /\bat \S+ \(|\.(?:ts|js):\d+|node_modules|Error:/, `the body leaks internals: ${summary}`);
  if (expect) assert.deepEqual({ status: response.status, code: response.json.Code }, expect, summary);
}

describe('bad input over HTTP', () => {
  let server: TestServer;
  let keyId: string;
  let snapshotBefore: unknown;

  const sign = (options: Partial<Acs3Options>): PreparedRequest =>
    signAcs3({ credentials, host: server.endpoint, action: 'DescribeRegions', ...options });

  /** ListKeys, DescribeKey of every key, their tags, and ListAliases. */
  async function snapshot(): Promise<unknown> {
    const keys = (await callOk(server, credentials, 'ListKeys', { PageSize: '100' })).Keys.Key as Array<{ KeyId: string }>;
    const described = [];
    for (const { KeyId } of keys) {
      described.push({
        metadata: (await callOk(server, credentials, 'DescribeKey', { KeyId })).KeyMetadata,
        tags: (await callOk(server, credentials, 'ListResourceTags', { KeyId })).Tags,
      });
    }
    const aliases = (await callOk(server, credentials, 'ListAliases', { PageSize: '100' })).Aliases;
    return { keys, described, aliases };
  }

  before(async () => {
    server = await startTestServer();
    keyId = (await callOk(server, credentials, 'CreateKey', { Tags: '[{"TagKey":"seed","TagValue":"1"}]', Description: 'target' }))
      .KeyMetadata.KeyId;
    await callOk(server, credentials, 'CreateAlias', { KeyId: keyId, AliasName: 'alias/bad-input' });
    await callOk(server, credentials, 'CreateKey', { KeySpec: 'Aliyun_SM4' });
  });

  beforeEach(async () => {
    snapshotBefore = await snapshot();
  });

  after(async () => {
    await server?.close();
  });

  it('has every case it was written with', () => {
    assert.equal(CASES.length, 48);
    assert.equal(new Set(CASES.map((c) => c.name)).size, CASES.length);
  });

  for (const badInput of CASES) {
    const outcome = badInput.expect ? `${badInput.expect.status} ${badInput.expect.code}` : 'a 4xx catalog error';
    it(`${badInput.name} is refused with ${outcome}; the server keeps serving and the store is unchanged`, async () => {
      const request = badInput.build({ server, keyId, sign });
      const response = badInput.raw
        ? await sendRaw(server, serialize(request))
        : await send(server, request, badInput.chunks === undefined ? {} : { chunks: badInput.chunks });
      assertCatalogRefusal(response, badInput.expect);

      const regions = await callOk(server, credentials, 'DescribeRegions');
      assert.equal(typeof regions.RequestId, 'string');
      assert.deepEqual(await snapshot(), snapshotBefore, 'the key store changed');
    });
  }

  it('after every bad input the key still encrypts and decrypts', async () => {
    const { CiphertextBlob } = await callOk(server, credentials, 'Encrypt', { KeyId: 'alias/bad-input', Plaintext: 'still here' });
    assert.equal((await callOk(server, credentials, 'Decrypt', { CiphertextBlob })).Plaintext, 'still here');
  });
});
