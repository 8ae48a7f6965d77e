// A property-based fuzzer for the HTTP API (fast-check). It sends, over real HTTP to a running
// server:
// - validly signed requests (ACS3-HMAC-SHA256 or HMAC-SHA1 signature 1.0) for every action, with
//   parameters drawn from random, boundary and malformed values: wrong types, huge values,
//   unicode, empty strings, repeated parameters, JSON where strings belong and strings where JSON
//   belongs, references to real keys, aliases, versions and blobs, and mutations of them;
// - requests that are unsigned, badly signed or malformed at the HTTP level: bad Authorization
//   headers, broken percent-encoding, oversized URLs and bodies, unknown methods and paths, bytes
//   changed after signing.
// The properties, checked on every response:
// - no 5xx at all (a deliberate InternalFailure would still be a finding to look at);
// - every error is JSON (or, for a request with Format=XML, well-formed XML rooted at <Error>) with
//   a catalog Code, a Message and a RequestId, echoed in x-acs-request-id, and says nothing about
//   the server's insides; every success is JSON (or XML rooted at <ActionResponse>) with a
//   RequestId;
// - a refused request changes nothing: the SQLite file's every table, row for row, is the same
//   before and after it;
// - the server stays up (GET /health answers 200 throughout).
// Used by test/fuzz/api-fuzz.test.ts (a bounded run in `npm test`) and scripts/fuzz.ts (long runs).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import Database from 'better-sqlite3';
import fc from 'fast-check';

import { ALIBABA_ERRORS } from '../../src/api/alibaba-errors.js';
import { parseAlibabaXml, XML_CONTENT_TYPE } from '../support/alibaba-xml.js';
import {
  callOk,
  dechunk,
  encodeParams,
  serialize,
  signAcs3,
  signV1,
  type Credentials,
  type PreparedRequest,
} from '../support/acs3-signer.js';

export const CATALOG_CODES: ReadonlySet<string> = new Set(Object.values(ALIBABA_ERRORS).map((entry) => entry.code));

/**
 * The parameters each action reads, by wire name. The fuzz test checks that this lists exactly
 * the actions of the action table, so a new action cannot go unfuzzed.
 */
export const ACTION_PARAMETERS: Readonly<Record<string, readonly string[]>> = {
  CreateKey: [
    'KeySpec',
    'KeyUsage',
    'Origin',
    'ProtectionLevel',
    'Description',
    'EnableAutomaticRotation',
    'RotationInterval',
    'Tags',
    'DKMSInstanceId',
  ],
  DescribeKey: ['KeyId'],
  ListKeys: ['Filters', 'PageNumber', 'PageSize'],
  EnableKey: ['KeyId'],
  DisableKey: ['KeyId'],
  ScheduleKeyDeletion: ['KeyId', 'PendingWindowInDays'],
  CancelKeyDeletion: ['KeyId'],
  UpdateKeyDescription: ['KeyId', 'Description'],
  SetDeletionProtection: ['KeyId', 'ProtectedResourceArn', 'EnableDeletionProtection', 'DeletionProtectionDescription'],
  CreateAlias: ['AliasName', 'KeyId'],
  UpdateAlias: ['AliasName', 'KeyId'],
  DeleteAlias: ['AliasName'],
  ListAliases: ['PageNumber', 'PageSize'],
  ListAliasesByKeyId: ['KeyId', 'PageNumber', 'PageSize'],
  Encrypt: ['KeyId', 'Plaintext', 'EncryptionContext', 'DryRun'],
  Decrypt: ['CiphertextBlob', 'EncryptionContext', 'DryRun'],
  GenerateDataKey: ['KeyId', 'KeySpec', 'NumberOfBytes', 'EncryptionContext', 'DryRun'],
  GenerateDataKeyWithoutPlaintext: ['KeyId', 'KeySpec', 'NumberOfBytes', 'EncryptionContext', 'DryRun'],
  ReEncrypt: ['CiphertextBlob', 'SourceEncryptionContext', 'DestinationKeyId', 'DestinationEncryptionContext', 'DryRun'],
  TagResource: ['KeyId', 'Tags'],
  UntagResource: ['KeyId', 'TagKeys'],
  ListResourceTags: ['KeyId'],
  DescribeRegions: [],
  GetRandomPassword: [
    'PasswordLength',
    'ExcludeCharacters',
    'ExcludeLowercase',
    'ExcludeUppercase',
    'ExcludeNumbers',
    'ExcludePunctuation',
    'RequireEachIncludedType',
  ],
  DescribeAccountKmsStatus: [],
  DescribeService: [],
  ListAuditEvents: ['StartTime', 'EndTime', 'EventName', 'MaxResults', 'NextToken'],
  CreateKeyVersion: ['KeyId'],
  DescribeKeyVersion: ['KeyId', 'KeyVersionId'],
  ListKeyVersions: ['KeyId', 'PageNumber', 'PageSize'],
  UpdateRotationPolicy: ['KeyId', 'EnableAutomaticRotation', 'RotationInterval'],
  GetParametersForImport: ['KeyId', 'WrappingKeySpec', 'WrappingAlgorithm'],
  ImportKeyMaterial: ['KeyId', 'EncryptedKeyMaterial', 'ImportToken', 'KeyMaterialExpireUnix'],
  DeleteKeyMaterial: ['KeyId'],
  ExportDataKey: ['CiphertextBlob', 'PublicKeyBlob', 'WrappingKeySpec', 'WrappingAlgorithm', 'EncryptionContext', 'DryRun'],
  GenerateAndExportDataKey: [
    'KeyId',
    'KeySpec',
    'NumberOfBytes',
    'EncryptionContext',
    'DryRun',
    'PublicKeyBlob',
    'WrappingKeySpec',
    'WrappingAlgorithm',
  ],
  SetKeyPolicy: ['KeyId', 'PolicyName', 'Policy'],
  GetKeyPolicy: ['KeyId', 'PolicyName'],
};

/** Real things on the server for parameters to point at, so the fuzzer gets past the lookups. */
export interface FuzzFixtures {
  readonly references: readonly string[];
  readonly blobs: readonly string[];
}

export interface FuzzTarget {
  readonly port: number;
  /** `127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly credentials: Credentials;
  /** The server's SQLite file, read (never written) to compare the store before and after. */
  readonly databasePath: string;
}

/** Creates keys (AES, SM4, a disabled one), an alias, versions and blobs to aim parameters at. */
export async function makeFixtures(target: FuzzTarget): Promise<FuzzFixtures> {
  const call = (action: string, params: Record<string, string> = {}): Promise<any> => callOk(target, target.credentials, action, params);
  const aes = (await call('CreateKey', { Description: 'fuzz target' })).KeyMetadata;
  const sm4 = (await call('CreateKey', { KeySpec: 'Aliyun_SM4' })).KeyMetadata;
  const disabled = (await call('CreateKey')).KeyMetadata;
  const external = (await call('CreateKey', { Origin: 'EXTERNAL' })).KeyMetadata;
  await call('DisableKey', { KeyId: disabled.KeyId });
  await call('CreateAlias', { KeyId: aes.KeyId, AliasName: 'alias/fuzz' });
  const version = (await call('CreateKeyVersion', { KeyId: sm4.KeyId })).KeyVersion.KeyVersionId as string;
  const blobs = [
    (await call('Encrypt', { KeyId: aes.KeyId, Plaintext: 'fuzz', EncryptionContext: '{"a":"b"}' })).CiphertextBlob,
    (await call('Encrypt', { KeyId: sm4.KeyId, Plaintext: 'x'.repeat(100) })).CiphertextBlob,
    (await call('GenerateDataKeyWithoutPlaintext', { KeyId: 'alias/fuzz' })).CiphertextBlob,
  ] as string[];
  return {
    references: [
      aes.KeyId,
      sm4.KeyId,
      disabled.KeyId,
      external.KeyId,
      aes.Arn,
      'alias/fuzz',
      `acs:kms:cn-hangzhou:1234567890123456:alias/fuzz`,
      version,
      aes.PrimaryKeyVersion,
    ],
    blobs,
  };
}

// ---------------------------------------------------------------------------------------------
// Values

/** No lone surrogate: such a string has no UTF-8 form, so no client can send it. */
const wellFormed = (text: string): boolean => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);

const BOUNDARY_NUMBERS = [
  '0',
  '1',
  '-1',
  '6',
  '7',
  '8',
  '10',
  '16',
  '32',
  '64',
  '99',
  '100',
  '101',
  '128',
  '365',
  '366',
  '367',
  '729',
  '730',
  '731',
  '1023',
  '1024',
  '1025',
  '4096',
  '6144',
  '6145',
  '8192',
  '8193',
  '2147483647',
  '2147483648',
  '-2147483649',
  '4294967296',
  '9007199254740991',
  '9007199254740993',
  '999999999999999',
  '1000000000000000',
  '1e3',
  '1E400',
  '0x10',
  '0o7',
  '0b1',
  ' 7',
  '7 ',
  '+7',
  '07',
  '7.0',
  '7.5',
  '-0',
  'NaN',
  'Infinity',
  '-Infinity',
  '٣',
  '７',
];
const BOUNDARY_TEXT = [
  '',
  ' ',
  'true',
  'false',
  'TRUE',
  'False',
  'yes',
  'null',
  'undefined',
  '[]',
  '{}',
  '[{}]',
  '""',
  '"x"',
  '0',
  '-',
  'Aliyun_AES_256',
  'Aliyun_SM4',
  'AES_256',
  'AES_128',
  'SM4_128',
  'RSA_2048',
  'EC_SM2',
  'RSAES_OAEP_SHA_1',
  'RSAES_OAEP_SHA_256',
  'RSAES_PKCS1_V1_5',
  'SM2PKE',
  'ENCRYPT/DECRYPT',
  'SIGN/VERIFY',
  'Aliyun_KMS',
  'EXTERNAL',
  'SOFTWARE',
  'HSM',
  'Enabled',
  'Disabled',
  'PendingDeletion',
  '7d',
  '730d',
  '731d',
  '1s',
  '0d',
  '604800s',
  '365d',
  '1h',
  'alias/',
  'alias/x',
  'alias/acs/x',
  'alias/' + 'a'.repeat(255),
  'acs:kms:cn-hangzhou:1:key/x',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '../../etc/passwd',
  '%00',
  '\u0000',
  '\u202e',
  'ﬀ',
  'é',
  'é',
  '😀',
  '\ud83d\ude00'.repeat(3),
  'a\r\nb',
  '<script>',
  "' OR 1=1 --",
  '{{7*7}}',
  '${x}',
];

const jsonText = fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value));
const tagsJson = fc
  .array(
    fc.record({
      TagKey: fc.oneof(fc.string({ maxLength: 140 }), fc.jsonValue({ maxDepth: 1 })),
      TagValue: fc.oneof(fc.string({ maxLength: 260 }), fc.integer()),
    }),
    {
      maxLength: 25,
    },
  )
  .map((tags) => JSON.stringify(tags));
const filtersJson = fc
  .array(
    fc.record({
      Key: fc.constantFrom('KeyState', 'KeySpec', 'KeyUsage', 'ProtectionLevel', 'CreatorType', 'TagKey', 'TagValue', 'x', '__proto__'),
      Values: fc.oneof(fc.array(fc.string({ maxLength: 20 }), { maxLength: 4 }), fc.string()),
    }),
    {
      maxLength: 4,
    },
  )
  .map((filters) => JSON.stringify(filters));
const contextJson = fc
  .dictionary(
    fc.string({ maxLength: 12 }),
    fc.oneof({ weight: 5, arbitrary: fc.string({ maxLength: 12 }) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }),
    { maxKeys: 5 },
  )
  .map((c) => JSON.stringify(c));
const huge = fc
  .tuple(fc.constantFrom(1025, 4097, 6144, 6145, 8192, 8193, 20_000, 60_000), fc.constantFrom('a', 'é', '汉', '😀', '%', '+', '&'))
  .map(([length, unit]) => unit.repeat(length));

/** Bit flips, truncations and extensions of a real blob: the most interesting Decrypt inputs. */
function blobMutations(blobs: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...blobs), fc.nat(), fc.nat({ max: 7 }), fc.constantFrom('flip', 'cut', 'extend', 'unpad', 'keep'))
    .map(([blob, at, bit, how]) => {
      const bytes = Buffer.from(blob, 'base64');
      const index = at % bytes.length;
      if (how === 'flip') bytes[index] = bytes[index]! ^ (1 << bit);
      if (how === 'cut') return bytes.subarray(0, index).toString('base64');
      if (how === 'extend') return Buffer.concat([bytes, Buffer.alloc(bit + 1)]).toString('base64');
      if (how === 'unpad') return blob.replace(/=+$/, '');
      return bytes.toString('base64');
    });
}

function valueArbitrary(fixtures: FuzzFixtures): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...fixtures.references) },
    { weight: 3, arbitrary: fc.constantFrom(...fixtures.blobs) },
    { weight: 4, arbitrary: blobMutations(fixtures.blobs) },
    { weight: 4, arbitrary: fc.constantFrom(...BOUNDARY_NUMBERS) },
    { weight: 4, arbitrary: fc.constantFrom(...BOUNDARY_TEXT) },
    { weight: 2, arbitrary: fc.integer().map(String) },
    { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).filter(wellFormed) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    { weight: 3, arbitrary: jsonText },
    { weight: 2, arbitrary: tagsJson },
    { weight: 1, arbitrary: filtersJson },
    { weight: 2, arbitrary: contextJson },
    { weight: 1, arbitrary: huge },
    { weight: 2, arbitrary: fc.uuid() },
  );
}

const EXTRA_NAMES = [
  'DryRun',
  'PageNumber',
  'PageSize',
  'KeyId',
  'RegionId',
  'Format',
  'EncryptionContext.a',
  'EncryptionContext.',
  'Tags.1.TagKey',
  '__proto__',
  'constructor',
  'Action',
  'Version',
  'Signature',
  'AccessKeyId',
];

const BOOLEAN = fc.constantFrom('true', 'false', 'True', 'FALSE');
const NUMBER = fc.oneof(fc.constantFrom(...BOUNDARY_NUMBERS), fc.integer({ min: -5, max: 2000 }).map(String));

/** Values that a well-meaning client might send for a parameter of this name. */
function plausibleValue(name: string, fixtures: FuzzFixtures): fc.Arbitrary<string> {
  switch (name) {
    case 'KeyId':
    case 'DestinationKeyId':
    case 'KeyVersionId':
    case 'ProtectedResourceArn':
      return fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...fixtures.references) }, { weight: 1, arbitrary: fc.uuid() });
    case 'CiphertextBlob':
      return fc.oneof(fc.constantFrom(...fixtures.blobs), blobMutations(fixtures.blobs));
    case 'Plaintext':
      return fc.oneof(fc.string({ maxLength: 64 }), fc.string({ unit: 'grapheme', maxLength: 64 }), huge);
    case 'EncryptionContext':
    case 'SourceEncryptionContext':
    case 'DestinationEncryptionContext':
      return fc.oneof(fc.constant('{"a":"b"}'), contextJson);
    case 'KeySpec':
      return fc.constantFrom('Aliyun_AES_256', 'Aliyun_SM4', 'AES_256', 'AES_128', 'SM4_128', 'RSA_2048', '');
    case 'KeyUsage':
      return fc.constantFrom('ENCRYPT/DECRYPT', 'SIGN/VERIFY', '');
    case 'Origin':
      return fc.constantFrom('Aliyun_KMS', 'EXTERNAL', 'aliyun_kms');
    case 'ProtectionLevel':
      return fc.constantFrom('SOFTWARE', 'HSM', 'software');
    case 'NumberOfBytes':
    case 'PendingWindowInDays':
    case 'PageNumber':
    case 'PageSize':
    case 'PasswordLength':
      return NUMBER;
    case 'Tags':
      return tagsJson;
    case 'TagKeys':
      return fc.array(fc.string({ maxLength: 20 }), { maxLength: 4 }).map((keys) => JSON.stringify(keys));
    case 'Filters':
      return filtersJson;
    case 'AliasName':
      return fc.oneof(
        fc.constant('alias/fuzz'),
        fc
          .string({ maxLength: 30 })
          .filter(wellFormed)
          .map((name) => `alias/${name}`),
        fc.stringMatching(/^alias\/[a-z0-9_/-]{1,20}$/),
      );
    case 'RotationInterval':
      return fc.oneof(
        fc.constantFrom('7d', '730d', '731d', '6d', '604800s', '1s', '0d', '', 'd'),
        fc.tuple(fc.integer({ min: -1, max: 100_000_000 }), fc.constantFrom('d', 'h', 'm', 's', '')).map(([n, unit]) => `${n}${unit}`),
      );
    case 'PolicyName':
      return fc.constantFrom('default', 'Default', '', 'other');
    case 'Policy':
      return fc.oneof(
        fc.constant(
          '{"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1234567890123456:user/fuzz"]},"Action":"kms:*","Resource":"*"}]}',
        ),
        fc.constant('{"Version":"1","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}'),
        fc.json({ maxDepth: 4 }),
        huge,
      );
    case 'Description':
    case 'DeletionProtectionDescription':
    case 'ExcludeCharacters':
      return fc.oneof(fc.string({ maxLength: 100 }), huge);
    case 'EnableAutomaticRotation':
    case 'EnableDeletionProtection':
    case 'DryRun':
    case 'RequireEachIncludedType':
    case 'ExcludeLowercase':
    case 'ExcludeUppercase':
    case 'ExcludeNumbers':
    case 'ExcludePunctuation':
      return BOOLEAN;
    default:
      return fc.string({ maxLength: 20 });
  }
}

/**
 * The parameters of one request. Half the time it is the action's own parameters with plausible
 * values (so the request gets past MissingParameter and into the operation), the other half any
 * names with any values; either way a few malformed extras and repeats may be mixed in.
 */
function knownParameters(action: string): readonly string[] {
  // Own properties only: a random action named "constructor" must not find Object's.
  return Object.hasOwn(ACTION_PARAMETERS, action) ? (ACTION_PARAMETERS[action] ?? []) : [];
}

function parametersFor(action: string, fixtures: FuzzFixtures): fc.Arbitrary<Array<[string, string]>> {
  const known = knownParameters(action);
  const anyValue = valueArbitrary(fixtures);
  const plausible = fc
    .tuple(
      ...known.map((name) =>
        fc.option(
          plausibleValue(name, fixtures).map((value): [string, string] => [name, value]),
          { freq: 3 },
        ),
      ),
    )
    .map((pairs) => pairs.filter((pair): pair is [string, string] => pair !== null));
  const random = fc.array(fc.tuple(parameterName(action), anyValue), { maxLength: 6 });
  const extras = fc.array(fc.tuple(parameterName(action), anyValue), { maxLength: 2 });
  return fc
    .tuple(
      fc.oneof(plausible, random),
      fc.oneof({ weight: 3, arbitrary: fc.constant([] as Array<[string, string]>) }, { weight: 1, arbitrary: extras }),
    )
    .map(([base, more]) => [...base, ...more]);
}

function parameterName(action: string): fc.Arbitrary<string> {
  const known = knownParameters(action);
  return fc.oneof(
    ...(known.length > 0 ? [{ weight: 12, arbitrary: fc.constantFrom(...known) }] : []),
    { weight: 2, arbitrary: fc.constantFrom(...EXTRA_NAMES) },
    { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 20 }).filter(wellFormed) },
  );
}

// ---------------------------------------------------------------------------------------------
// Requests

/** A validly signed request, described as data so fast-check can print and shrink it. */
export interface SignedCase {
  readonly kind: 'signed';
  readonly scheme: 'acs3' | 'v1';
  readonly method: 'GET' | 'POST';
  readonly action: string;
  readonly version: string;
  readonly params: ReadonlyArray<readonly [string, string]>;
  /** ACS3 only: where the parameters go, and whether the action is a header or a parameter. */
  readonly placement: 'query' | 'form' | 'split';
  readonly actionAsHeader: boolean;
  /** The Format parameter (in the query, or with the other parameters for HMAC-SHA1); JSON when absent. */
  readonly format?: string;
}

/** A request that is not validly signed, or not well-formed HTTP, written byte for byte. */
export interface RawCase {
  readonly kind: 'raw';
  readonly description: string;
  readonly bytes: Buffer;
}

export type FuzzCase = SignedCase | RawCase;

export function signedCaseArbitrary(fixtures: FuzzFixtures): fc.Arbitrary<SignedCase> {
  const actions = Object.keys(ACTION_PARAMETERS);
  const action = fc.oneof(
    { weight: 20, arbitrary: fc.constantFrom(...actions) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        ...actions.map((name) => name.toLowerCase()),
        'AsymmetricSign',
        'ImportKeyMaterial',
        '',
        ' Encrypt',
        'Encrypt\u0000',
        'constructor',
        '__proto__',
        'toString',
        'hasOwnProperty',
      ),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }).filter(wellFormed) },
  );
  return action.chain((chosen) =>
    fc.record({
      kind: fc.constant('signed' as const),
      scheme: fc.constantFrom('acs3' as const, 'acs3' as const, 'v1' as const),
      method: fc.constantFrom('POST' as const, 'GET' as const),
      action: fc.constant(chosen),
      version: fc.oneof(
        { weight: 30, arbitrary: fc.constant('2016-01-20') },
        { weight: 1, arbitrary: fc.constantFrom('', '2016-01-21', '2016-01-20 ', '2020-01-01') },
      ),
      params: parametersFor(chosen, fixtures),
      placement: fc.constantFrom('query' as const, 'form' as const, 'split' as const),
      actionAsHeader: fc.boolean(),
      format: fc.constantFrom(undefined, 'json', 'XML', 'XML', 'xml'),
    }),
  );
}

export function prepareSigned(target: FuzzTarget, c: SignedCase): PreparedRequest {
  if (c.scheme === 'v1') {
    return signV1({
      credentials: target.credentials,
      host: target.endpoint,
      method: c.method,
      action: c.action,
      version: c.version,
      params: c.params,
      inBody: c.method === 'POST',
      format: c.format ?? 'JSON',
    });
  }
  // A header carries visible ASCII only; any other action goes in the query.
  const actionAsHeader = c.actionAsHeader && /^[\x20-\x7e]*$/.test(c.action) && /^[\x20-\x7e]*$/.test(c.version);
  const params = actionAsHeader ? c.params : [['Action', c.action] as const, ['Version', c.version] as const, ...c.params];
  const half = Math.ceil(params.length / 2);
  const inQuery = c.placement === 'query' || c.method === 'GET' ? params : c.placement === 'split' ? params.slice(0, half) : [];
  const inForm = c.placement === 'query' || c.method === 'GET' ? [] : c.placement === 'split' ? params.slice(half) : params;
  return signAcs3({
    credentials: target.credentials,
    host: target.endpoint,
    method: c.method,
    action: actionAsHeader ? c.action : null,
    version: actionAsHeader ? c.version : null,
    query: c.format === undefined ? inQuery : [...inQuery, ['Format', c.format] as const],
    ...(inForm.length > 0 ? { form: inForm } : {}),
  });
}

const KIB = 1024;

/** Requests that fail before or at the signature, or at the HTTP parser. */
export function rawCaseArbitrary(target: FuzzTarget, fixtures: FuzzFixtures): fc.Arbitrary<RawCase> {
  const signedBase = (): PreparedRequest =>
    signAcs3({ credentials: target.credentials, host: target.endpoint, action: 'Encrypt', query: { KeyId: 'alias/fuzz', Plaintext: 'p' } });
  const raw = (description: string, prepared: PreparedRequest): RawCase => ({ kind: 'raw', description, bytes: serialize(prepared) });
  const unsigned = (headers: Record<string, string>, path = '/?Action=DescribeRegions&Version=2016-01-20'): PreparedRequest => ({
    method: 'POST',
    path,
    headers: { host: target.endpoint, ...headers },
    body: Buffer.alloc(0),
  });

  const badAuthorization = fc
    .oneof(
      fc.string({ maxLength: 200 }).filter(wellFormed),
      fc.string({ maxLength: 200 }).map((rest) => `ACS3-HMAC-SHA256 ${rest}`),
      fc.constantFrom(
        'ACS3-HMAC-SHA256',
        'ACS3-HMAC-SHA256 ',
        'ACS3-HMAC-SHA256 Credential=',
        'ACS3-HMAC-SHA256 Credential=LTAItestAccessKey0001',
        'ACS3-HMAC-SHA256 Credential=LTAItestAccessKey0001,SignedHeaders=,Signature=',
        'ACS3-HMAC-SHA256 Credential=LTAItestAccessKey0001,SignedHeaders=host,Signature=00',
        'ACS3-HMAC-SHA256 Credential=LTAItestAccessKey0001,SignedHeaders=host;x-acs-date;x-acs-signature-nonce,Signature=zz',
        'ACS3-HMAC-SHA256 Credential=a,Credential=b,SignedHeaders=host,Signature=00',
        'ACS3-HMAC-SM3 Credential=x,SignedHeaders=host,Signature=00',
        'ACS3-RSA-SHA256 Credential=x,SignedHeaders=host,Signature=00',
        'ACS4-HMAC-SHA256 Credential=x/20260101/cn-hangzhou/kms/aliyun_v4_request,SignedHeaders=host,Signature=00',
        'acs LTAItestAccessKey0001:c2lnbmF0dXJl',
        'Bearer abc',
        'Basic dXNlcjpwYXNz',
        ',,,,,,',
        '=====',
      ),
      fc.nat({ max: 60 }).map((n) => `ACS3-HMAC-SHA256 Credential=${'x'.repeat(n * KIB)},SignedHeaders=host,Signature=00`),
    )
    .map((authorization) => {
      const base = signedBase();
      base.headers.authorization = authorization;
      return raw('a malformed Authorization header', base);
    });

  const brokenPercent = fc
    .constantFrom('%', '%g0', '%0', '%%', '%C3', '%C3%28', '%ED%A0%80', '%FF%FE', '%E0%80%80', '%F4%90%80%80', '%u0041', '%00')
    .chain((bad) =>
      fc.constantFrom('query-name', 'query-value', 'form').map((where) => {
        if (where === 'form') {
          const prepared = signAcs3({
            credentials: target.credentials,
            host: target.endpoint,
            action: 'Encrypt',
            body: `KeyId=alias/fuzz&Plaintext=${bad}`,
            contentType: 'application/x-www-form-urlencoded',
          });
          return raw(`broken percent-encoding ${bad} in a form body`, prepared);
        }
        const prepared = signedBase();
        prepared.path = where === 'query-name' ? `/?KeyId=alias%2Ffuzz&Plain${bad}text=p` : `/?KeyId=alias%2Ffuzz&Plaintext=${bad}`;
        return raw(`broken percent-encoding ${bad} in the query`, prepared);
      }),
    );

  const oversized = fc.oneof(
    fc.integer({ min: 60, max: 100 }).map((kib) => {
      const prepared = signAcs3({
        credentials: target.credentials,
        host: target.endpoint,
        action: 'DescribeRegions',
        query: { Padding: 'z'.repeat(kib * KIB) },
      });
      return raw(`a request target of ${kib} KiB`, prepared);
    }),
    fc.integer({ min: 250, max: 400 }).map((kib) => {
      const prepared = signAcs3({
        credentials: target.credentials,
        host: target.endpoint,
        action: 'Encrypt',
        form: { KeyId: 'alias/fuzz', Plaintext: 'b'.repeat(kib * KIB) },
      });
      return raw(`a form body of ${kib} KiB`, prepared);
    }),
    fc.integer({ min: 1, max: 80 }).map((count) => {
      const prepared = signedBase();
      for (let i = 0; i < count; i += 1) prepared.headers[`x-pad-${i}`] = 'h'.repeat(1000);
      return raw(`${count} headers of 1000 bytes`, prepared);
    }),
  );

  const methods = fc
    .tuple(fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'MKCOL', 'SEARCH', 'PURGE', 'LINK'), fc.boolean())
    .map(([method, signed]) => {
      const prepared = signed
        ? signAcs3({ credentials: target.credentials, host: target.endpoint, method, action: 'DescribeRegions' })
        : unsigned({});
      prepared.method = method;
      return raw(`${signed ? 'a signed' : 'an unsigned'} ${method}`, prepared);
    });

  const paths = fc
    .constantFrom('/x', '//', '/%', '/%2F', '/./', '/../', '/?', '/#', '/health/', '/HEALTH', '*', '/index.html', '/' + 'p'.repeat(3000))
    .map((path) => raw(`the path ${path.slice(0, 20)}`, unsigned({}, path)));

  const tamperedAfterSigning = fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([at, xor]) => {
    const bytes: Buffer = serialize(signedBase());
    const index = at % bytes.length;
    bytes[index] = bytes[index]! ^ xor;
    return { kind: 'raw' as const, description: `a signed request with byte ${index} changed after signing`, bytes };
  });

  const headerOddities = fc
    .constantFrom(
      'duplicate x-acs-date',
      'duplicate authorization',
      'chunked and content-length',
      'json body',
      'latin1 form',
      'no host',
      'http/1.0',
      'content-length too short',
    )
    .map((oddity) => {
      const prepared = signedBase();
      let text = serialize(prepared).toString('latin1');
      if (oddity === 'duplicate x-acs-date') text = text.replace('\r\n\r\n', `\r\nx-acs-date: 2020-01-01T00:00:00Z\r\n\r\n`);
      if (oddity === 'duplicate authorization')
        text = text.replace('\r\n\r\n', `\r\nauthorization: ${prepared.headers.authorization}\r\n\r\n`);
      if (oddity === 'chunked and content-length') text = text.replace('\r\n\r\n', '\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n');
      if (oddity === 'no host') text = text.replace(/host: [^\r]*\r\n/, '');
      if (oddity === 'http/1.0') text = text.replace('HTTP/1.1', 'HTTP/1.0');
      if (oddity === 'json body' || oddity === 'latin1 form') {
        const body = oddity === 'json body' ? '{"KeyId":"alias/fuzz","Plaintext":"p"}' : 'KeyId=alias/fuzz&Plaintext=\u00e9';
        const signed = signAcs3({
          credentials: target.credentials,
          host: target.endpoint,
          action: 'Encrypt',
          body: Buffer.from(body, 'latin1'),
          contentType: oddity === 'json body' ? 'application/json' : 'application/x-www-form-urlencoded; charset=latin1',
        });
        return raw(oddity, signed);
      }
      if (oddity === 'content-length too short') {
        const withBody = signAcs3({
          credentials: target.credentials,
          host: target.endpoint,
          action: 'Encrypt',
          form: { KeyId: 'alias/fuzz', Plaintext: 'abcdef' },
        });
        return {
          kind: 'raw' as const,
          description: oddity,
          bytes: Buffer.from(
            serialize(withBody)
              .toString('latin1')
              .replace(/content-length: \d+/, 'content-length: 5'),
            'latin1',
          ),
        };
      }
      return { kind: 'raw' as const, description: oddity, bytes: Buffer.from(text, 'latin1') };
    });

  const signedWithBadValues = fc
    .tuple(fc.constantFrom('date', 'nonce', 'credential'), fc.string({ maxLength: 200 }).filter(wellFormed))
    .map(([what, value]) => {
      const prepared = signAcs3({
        credentials: what === 'credential' ? { ...target.credentials, accessKeyId: value || 'x' } : target.credentials,
        host: target.endpoint,
        action: 'DescribeRegions',
        ...(what === 'date' ? { date: value } : {}),
        ...(what === 'nonce' ? { nonce: value } : {}),
      });
      return raw(`a signed request with a random ${what}`, prepared);
    });

  return fc.oneof(
    badAuthorization,
    brokenPercent,
    oversized,
    methods,
    paths,
    tamperedAfterSigning,
    headerOddities,
    signedWithBadValues,
    fc.constant(raw('a replayable blob reference', unsigned({}, `/?${encodeParams([['CiphertextBlob', fixtures.blobs[0] ?? '']])}`))),
  );
}

// ---------------------------------------------------------------------------------------------
// Sending and checking

export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

export function sendPrepared(target: FuzzTarget, prepared: PreparedRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...prepared.headers, connection: 'close' };
    if (prepared.body.length > 0 || prepared.method === 'POST') headers['content-length'] = String(prepared.body.length);
    const req = httpRequest(
      { hostname: '127.0.0.1', port: target.port, method: prepared.method, path: prepared.path, headers, setHost: false },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (chunk: Buffer) => parts.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(parts).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(prepared.body.length > 0 ? prepared.body : undefined);
  });
}

/**
 * Writes `bytes` to a fresh connection and reads the first response. The server may close the
 * connection before it has read everything (an oversized request); what it answered before that
 * still counts, so a reset after data is not an error.
 */
export function sendBytes(target: FuzzTarget, bytes: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: target.port });
    const parts: Buffer[] = [];
    let settled = false;
    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      const all = Buffer.concat(parts);
      const end = all.indexOf('\r\n\r\n');
      if (end === -1) {
        reject(error ?? new Error('the server closed the connection without an answer'));
        return;
      }
      const [statusLine = '', ...lines] = all.subarray(0, end).toString('latin1').split('\r\n');
      const headers: IncomingHttpHeaders = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      let body: Buffer = all.subarray(end + 4);
      const length = Number(headers['content-length']);
      if (Number.isInteger(length) && body.length >= length) body = body.subarray(0, length);
      else if (String(headers['transfer-encoding']).toLowerCase() === 'chunked') body = dechunk(body);
      resolve({ status: Number(statusLine.split(' ')[1]), headers, text: body.toString('utf8') });
    };
    socket.on('data', (chunk: Buffer) => {
      parts.push(chunk);
    });
    socket.on('error', (error) => finish(error));
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    socket.write(bytes);
  });
}

const LEAK = /\bat \S+ \(|\.(?:ts|js):\d+|node_modules|Error:|FST_|HPE_|ERR_/;

/**
 * The answer's fields: its JSON object, or, for an answer in XML (`Format=XML`), the content of
 * its root element, which must be `<Error>` for a refusal and `<ActionResponse>` for a success.
 */
function answerFields(answer: Answer, summary: string): any {
  if (answer.headers['content-type'] === XML_CONTENT_TYPE) {
    let parsed: { root: string; content: any };
    try {
      parsed = parseAlibabaXml(answer.text);
    } catch (error) {
      assert.fail(`the body is not well-formed XML (${String(error)}): ${summary}`);
    }
    if (answer.status === 200) assert.match(parsed.root, /^[A-Za-z]+Response$/, `the root is not <ActionResponse>: ${summary}`);
    else assert.equal(parsed.root, 'Error', `the root is not <Error>: ${summary}`);
    assert.ok(parsed.content !== null && typeof parsed.content === 'object', `the root holds no fields: ${summary}`);
    return parsed.content;
  }
  let json: any;
  try {
    json = JSON.parse(answer.text);
  } catch {
    assert.fail(`the body is not JSON: ${summary}`);
  }
  assert.ok(json !== null && typeof json === 'object', `the body is not a JSON object: ${summary}`);
  return json;
}

/** The response properties every request must meet; throws an AssertionError naming the case. */
export function assertWellFormedAnswer(answer: Answer, method: string, label: string): void {
  const summary = `${label}: HTTP ${answer.status} ${answer.text.slice(0, 300)}`;
  assert.ok(answer.status >= 200 && answer.status < 500, `expected no 5xx: ${summary}`);
  if (method === 'HEAD') return;
  const json = answerFields(answer, summary);
  assert.equal(typeof json.RequestId, 'string', `no RequestId: ${summary}`);
  assert.ok(json.RequestId.length > 0, `empty RequestId: ${summary}`);
  assert.equal(answer.headers['x-acs-request-id'], json.RequestId, `x-acs-request-id differs from RequestId: ${summary}`);
  if (answer.status === 200) return;
  assert.ok(answer.status >= 400, `unexpected status: ${summary}`);
  assert.ok(CATALOG_CODES.has(json.Code), `Code ${String(json.Code)} is not in the catalog: ${summary}`);
  assert.equal(typeof json.Message, 'string', `no Message: ${summary}`);
  assert.doesNotMatch(answer.text, LEAK, `the body leaks internals: ${summary}`);
}

/**
 * The audit trail's tables: every request, refused or not, adds to them by design (ADR 28), so
 * "a refusal changes nothing" is about the rest of the store.
 */
const AUDIT_TABLES = new Set(['audit_records', 'audit_checkpoints']);

/** A digest of every row of every table in the SQLite file but the audit trail's: equal digests, equal stores. */
export function storeDigest(databasePath: string): string {
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    const hash = createHash('sha256');
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>;
    for (const { name } of tables) {
      if (AUDIT_TABLES.has(name)) continue;
      hash.update(`\u0000table ${name}\u0000`);
      for (const row of db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).iterate()) {
        hash.update(JSON.stringify(row, (_key, value: unknown) => (Buffer.isBuffer(value) ? value.toString('base64') : value)));
      }
    }
    return hash.digest('hex');
  } finally {
    db.close();
  }
}

export async function assertHealthy(target: FuzzTarget): Promise<void> {
  const answer = await sendPrepared(target, { method: 'GET', path: '/health', headers: { host: target.endpoint }, body: Buffer.alloc(0) });
  assert.equal(answer.status, 200, `GET /health: ${answer.status} ${answer.text}`);
}

export interface FuzzStatistics {
  requests: number;
  signed: number;
  raw: number;
  accepted: number;
  byStatus: Record<string, number>;
  byCode: Record<string, number>;
}

export function newStatistics(): FuzzStatistics {
  return { requests: 0, signed: 0, raw: 0, accepted: 0, byStatus: {}, byCode: {} };
}

/**
 * Sends one case, checks every property, and returns the answer's Code ('Success' for a 200). `state.digest` is the store's digest after the last
 * accepted request; a refusal must leave it unchanged.
 */
export async function runCase(target: FuzzTarget, fuzzCase: FuzzCase, state: { digest: string }, stats: FuzzStatistics): Promise<string> {
  let answer: Answer;
  let method: string;
  let label: string;
  if (fuzzCase.kind === 'signed') {
    const prepared = prepareSigned(target, fuzzCase);
    method = prepared.method;
    label = `${fuzzCase.scheme} ${fuzzCase.method} ${fuzzCase.action}`;
    answer = await sendPrepared(target, prepared);
    stats.signed += 1;
  } else {
    method = fuzzCase.bytes.subarray(0, fuzzCase.bytes.indexOf(' ')).toString('latin1');
    label = fuzzCase.description;
    answer = await sendBytes(target, fuzzCase.bytes);
    stats.raw += 1;
  }
  stats.requests += 1;
  stats.byStatus[answer.status] = (stats.byStatus[answer.status] ?? 0) + 1;
  assertWellFormedAnswer(answer, method, label);
  const after = storeDigest(target.databasePath);
  if (answer.status === 200) {
    stats.accepted += 1;
    state.digest = after;
    return 'Success';
  }
  const code = String(answerFields(answer, label).Code);
  stats.byCode[code] = (stats.byCode[code] ?? 0) + 1;
  assert.equal(after, state.digest, `${label}: refused with ${code}, yet the store changed`);
  return code;
}

/** Both kinds of case, weighted towards signed requests (which reach the actions). */
export function fuzzCaseArbitrary(target: FuzzTarget, fixtures: FuzzFixtures): fc.Arbitrary<FuzzCase> {
  return fc.oneof({ weight: 4, arbitrary: signedCaseArbitrary(fixtures) }, { weight: 1, arbitrary: rawCaseArbitrary(target, fixtures) });
}
