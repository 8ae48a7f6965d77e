// What the per-action inject() tests share: one API per test file, the response and refusal
// checks (alibaba-kms-api.md §2: RequestId in the body and the x-acs-request-id header, the error
// body's fields), the documented refusals, and set-up steps (keys, states, imported material).
// The API itself comes from test/support/inject-api.ts only.
import assert from 'node:assert/strict';
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import { createInjectApi, type InjectApi, type InjectResponse, type ParamValue } from '../../support/inject-api.js';

export const LOWER_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const REQUEST_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
export const WIRE_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
export const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
export const DAY_MS = 86_400_000;
/** The CiphertextBlob layout (§5.2): key version id (36) ‖ IV (12) ‖ ciphertext ‖ tag (16). */
export const BLOB_OVERHEAD = 36 + 12 + 16;

type Params = Readonly<Record<string, ParamValue>>;

/**
 * One API for the whole test file: built by a `before` hook, which then runs `setUp` with it (the
 * file's shared keys), and closed by an `after` hook even when tests failed. Returns a getter.
 */
export function apiForFile(setUp: (api: InjectApi) => Promise<void> = () => Promise.resolve()): () => InjectApi {
  let api: InjectApi | undefined;
  before(async () => {
    api = await createInjectApi();
    await setUp(api);
  });
  after(async () => {
    await api?.close();
  });
  return () => {
    assert.ok(api, 'the API was not built');
    return api;
  };
}

/** `yyyy-MM-ddTHH:mm:ssZ` (§6 Formats), written here independently of the server's formatter. */
export function wireTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}T${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}Z`;
}

function summary(response: InjectResponse): string {
  return `HTTP ${response.statusCode} ${response.text.slice(0, 400)}`;
}

function assertRequestIdMatchesHeader(response: InjectResponse): void {
  assert.equal(typeof response.json?.RequestId, 'string', `RequestId is present: ${summary(response)}`);
  assert.match(response.json.RequestId, REQUEST_ID);
  assert.equal(response.headers['x-acs-request-id'], response.json.RequestId, 'x-acs-request-id equals RequestId');
  assert.match(String(response.headers['content-type']), /^application\/json/);
}

/** A success (§2.1): HTTP 200, a JSON body whose RequestId is the x-acs-request-id header. Returns the body. */
export function ok(response: InjectResponse): any {
  assert.equal(response.statusCode, 200, summary(response));
  assertRequestIdMatchesHeader(response);
  return response.json;
}

/** A success whose body is only `{RequestId}`. */
export function okEmpty(response: InjectResponse): void {
  assert.deepEqual(Object.keys(ok(response)), ['RequestId']);
}

/** `params` without the parameter `name`. */
export function without<T extends Record<string, unknown>>(params: T, name: keyof T): Record<string, T[keyof T]> {
  return Object.fromEntries(Object.entries(params).filter(([key]) => key !== name)) as Record<string, T[keyof T]>;
}

/** The field names of a body, sorted. */
export function fieldsOf(body: object): string[] {
  return Object.keys(body).sort();
}

export interface Refusal {
  readonly status: number;
  readonly code: string;
  /** The exact Message, when it is documented (or names a parameter). */
  readonly message?: string;
}

/** The fields of every error body (§2.2), in Alibaba's order. */
export const ERROR_BODY_FIELDS = ['RequestId', 'HostId', 'Code', 'Message', 'Recommend'];

/** The Recommend link of a server without --error-help-url: its own docs/errors.md, the Code as `q`. */
export function defaultRecommend(code: string): string {
  return `/docs/errors.md?q=${code}`;
}

/**
 * A refusal (§2.2): the status, and a body of exactly RequestId, HostId, Code, Message and
 * Recommend (the default help link for its Code). Returns the body.
 */
export function refused(response: InjectResponse, expected: Refusal): any {
  assert.equal(response.statusCode, expected.status, summary(response));
  assertRequestIdMatchesHeader(response);
  const body = response.json;
  assert.deepEqual(Object.keys(body), ERROR_BODY_FIELDS, summary(response));
  assert.equal(body.Code, expected.code, summary(response));
  assert.equal(body.Recommend, defaultRecommend(expected.code), summary(response));
  assert.equal(typeof body.Message, 'string');
  assert.ok(body.Message.length > 0, 'Message is not empty');
  if (expected.message !== undefined) assert.equal(body.Message, expected.message, summary(response));
  return body;
}

// The documented refusals (§2.3; the state refusals of §3).
export const missing = (parameter: string): Refusal => ({
  status: 400,
  code: 'MissingParameter',
  message: `The parameter "${parameter}" is needed but not provided.`,
});
export const invalid = (parameter: string): Refusal => ({
  status: 400,
  code: 'InvalidParameter',
  message: `The specified parameter "${parameter}" is not valid.`,
});
/** The one answer for a blob that does not open, whatever the cause (tampering, wrong context, garbage). */
export const INVALID_CIPHERTEXT = invalid('CiphertextBlob');
export const KEY_NOT_FOUND: Refusal = { status: 404, code: 'Forbidden.KeyNotFound', message: 'The specified Key is not found.' };
export const KEY_VERSION_NOT_FOUND: Refusal = {
  status: 404,
  code: 'Forbidden.KeyVersionNotFound',
  message: 'The specified Key version is not found.',
};
export const ALIAS_NOT_FOUND: Refusal = { status: 404, code: 'Forbidden.AliasNotFound', message: 'The specified Alias is not found.' };
export const ALIAS_ALREADY_EXISTS: Refusal = { status: 400, code: 'AliasAlreadyExists', message: 'AliasName Already Exists.' };
export const REJECTED_DISABLED: Refusal = {
  status: 409,
  code: 'Rejected.Disabled',
  message: 'The request was rejected because the key state is Disabled.',
};
export const REJECTED_PENDING_DELETION: Refusal = {
  status: 409,
  code: 'Rejected.PendingDeletion',
  message: 'The request was rejected because the key state is PendingDeletion.',
};
export const REJECTED_PENDING_IMPORT: Refusal = {
  status: 409,
  code: 'Rejected.PendingImport',
  message: 'The request was rejected because the key state is PendingImport.',
};
export const STATE_MODIFIED_FAILED: Refusal = { status: 409, code: 'Rejected.StateModifiedFailed', message: 'Keystate modified failed.' };
/** ScheduleKeyDeletion on a protected key: the code is undocumented (§3); Arca uses the state-change code. */
export const DELETION_PROTECTED: Refusal = { status: 409, code: 'Rejected.StateModifiedFailed' };
export const UNSUPPORTED_ORIGIN: Refusal = {
  status: 400,
  code: 'Unsupported.Origin',
  message: 'This key origin is not valid for this api.',
};
/** DryRun: the code is documented, the status is not (§2.3); Arca answers 412, as the e2e tests assert. */
export const DRY_RUN: Refusal = { status: 412, code: 'DryRunOperationError' };
export const INVALID_KEY_MATERIAL: Refusal = { status: 400, code: 'InvalidKeyMaterial' };
export const INVALID_IMPORT_TOKEN: Refusal = { status: 400, code: 'InvalidImportToken' };
export const EXPIRED_IMPORT_TOKEN: Refusal = { status: 400, code: 'ExpiredImportToken' };

/** Calls an action that must succeed and returns its body. */
export async function must(api: InjectApi, action: string, params: Params = {}): Promise<any> {
  return ok(await api.call(action, params));
}

/** CreateKey; returns its KeyMetadata. */
export async function createKey(api: InjectApi, params: Params = {}): Promise<any> {
  return (await must(api, 'CreateKey', params)).KeyMetadata;
}

export async function describeKey(api: InjectApi, keyId: string): Promise<any> {
  return (await must(api, 'DescribeKey', { KeyId: keyId })).KeyMetadata;
}

export async function encryptUnder(api: InjectApi, keyId: string, plaintext: string, encryptionContext?: object): Promise<string> {
  const body = await must(api, 'Encrypt', {
    KeyId: keyId,
    Plaintext: plaintext,
    ...(encryptionContext ? { EncryptionContext: encryptionContext } : {}),
  });
  return body.CiphertextBlob;
}

export function keyArnOf(api: InjectApi, keyId: string): string {
  return `acs:kms:${api.region}:${api.accountId}:key/${keyId}`;
}

export function aliasArnOf(api: InjectApi, aliasName: string): string {
  return `acs:kms:${api.region}:${api.accountId}:${aliasName}`;
}

/** Alias names unique within a file: `alias/<label>-<n>`. */
export function aliasNamer(): (label: string) => string {
  let counter = 0;
  return (label) => `alias/${label}-${++counter}`;
}

/** Flips one bit of the byte at `index` (negative counts from the end) of a base64 blob. */
export function flipBit(blob: string, index: number): string {
  const bytes = Buffer.from(blob, 'base64');
  const at = index < 0 ? bytes.length + index : index;
  bytes[at] = (bytes[at] ?? 0) ^ 0x01;
  return bytes.toString('base64');
}

/** The bytes of a canonical base64 text (asserted canonical). */
export function base64Bytes(value: unknown): Buffer {
  assert.equal(typeof value, 'string');
  assert.match(value as string, BASE64, 'canonical base64');
  return Buffer.from(value as string, 'base64');
}

/** Moves an Enabled key into Disabled or PendingDeletion over the API. */
export async function moveTo(api: InjectApi, keyId: string, state: 'Disabled' | 'PendingDeletion'): Promise<void> {
  if (state === 'Disabled') await must(api, 'DisableKey', { KeyId: keyId });
  else await must(api, 'ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 });
}

/** Wraps material for a GetParametersForImport PublicKey the way a client does (Node's publicEncrypt, RSA-OAEP SHA-256). */
export function wrapForImport(publicKeyBase64: string, material: Buffer): string {
  const key = createPublicKey({ key: Buffer.from(publicKeyBase64, 'base64'), format: 'der', type: 'spki' });
  return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, material).toString('base64');
}

/** Import parameters for an EXTERNAL key, RSA_2048 with RSAES_OAEP_SHA_256. */
export async function importParameters(
  api: InjectApi,
  keyId: string,
): Promise<{ ImportToken: string; PublicKey: string; TokenExpireTime: string }> {
  return must(api, 'GetParametersForImport', { KeyId: keyId, WrappingKeySpec: 'RSA_2048', WrappingAlgorithm: 'RSAES_OAEP_SHA_256' });
}

/** Imports `material` into an EXTERNAL key (never expiring unless `expireUnix` is given). */
export async function importMaterial(api: InjectApi, keyId: string, material: Buffer, expireUnix = 0): Promise<void> {
  const { ImportToken, PublicKey } = await importParameters(api, keyId);
  okEmpty(
    await api.call('ImportKeyMaterial', {
      KeyId: keyId,
      ImportToken,
      EncryptedKeyMaterial: wrapForImport(PublicKey, material),
      KeyMaterialExpireUnix: expireUnix,
    }),
  );
}

/** A new EXTERNAL Aliyun_AES_256 key with imported material: Enabled. */
export async function externalKeyWithMaterial(
  api: InjectApi,
  material: Buffer = randomBytes(32),
): Promise<{ keyId: string; material: Buffer }> {
  const keyId = (await createKey(api, { Origin: 'EXTERNAL' })).KeyId;
  await importMaterial(api, keyId, material);
  return { keyId, material };
}
