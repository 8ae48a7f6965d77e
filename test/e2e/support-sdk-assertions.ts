// Shared assertions for the SDK conformance tests (test/e2e/sdk-*.test.ts): the wire formats of
// alibaba-kms-api.md §2 and §6, and the shape of the errors each SDK generation throws.
import assert from 'node:assert/strict';
import { TEST_ACCOUNT_ID, TEST_REGION } from '../support/server.js';

/** UTC `yyyy-MM-ddTHH:mm:ssZ`, no fraction. */
export const WIRE_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
/** A lower-case UUID, as Alibaba's classic KeyIds and KeyVersionIds are. */
export const LOWER_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A RequestId: a UUID in either case. */
export const REQUEST_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** Canonical base64 (padded, standard alphabet). */
export const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export const DAY_MS = 86_400_000;

export function keyArnOf(keyId: string): string {
  return `acs:kms:${TEST_REGION}:${TEST_ACCOUNT_ID}:key/${keyId}`;
}

export function aliasArnOf(aliasName: string): string {
  return `acs:kms:${TEST_REGION}:${TEST_ACCOUNT_ID}:${aliasName}`;
}

/** Asserts the wire date form and returns its epoch milliseconds. */
export function wireDateMs(value: unknown, field = 'date'): number {
  assert.equal(typeof value, 'string', `${field} is a string`);
  assert.match(value as string, WIRE_DATE, `${field} is yyyy-MM-ddTHH:mm:ssZ`);
  const ms = Date.parse(value as string);
  assert.ok(Number.isFinite(ms), `${field} parses`);
  return ms;
}

export function assertRequestId(body: any): void {
  assert.equal(typeof body?.RequestId, 'string', 'RequestId is present');
  assert.match(body.RequestId, REQUEST_ID);
}

/** A response to an action that returns nothing but its RequestId. */
export function assertOnlyRequestId(body: any): void {
  assertRequestId(body);
  assert.deepEqual(Object.keys(body), ['RequestId']);
}

/** The bytes a base64 text stands for, after checking that it is canonical base64. */
export function base64Bytes(value: unknown): Buffer {
  assert.equal(typeof value, 'string');
  assert.match(value as string, BASE64, 'canonical base64');
  const bytes = Buffer.from(value as string, 'base64');
  assert.equal(bytes.toString('base64'), value, 'base64 round-trips');
  return bytes;
}

/** No stack frames, no source paths, no module names: an error body says only what the catalog says. */
export function assertNoInternals(text: string): void {
  assert.doesNotMatch(text, /\bat\s+\S+\s+\(/, 'no stack frames');
  assert.doesNotMatch(text, /\n\s*at\s/, 'no stack frames');
  assert.doesNotMatch(text, /\.(?:ts|js|mjs|cjs):\d+/, 'no source locations');
  assert.doesNotMatch(text, /(?:\/src\/|\/node_modules\/|\/work\/|file:\/\/)/, 'no file paths');
  assert.doesNotMatch(text, /\b(?:TypeError|ReferenceError|SyntaxError|SqliteError|KmsError)\b/, 'no internal error names');
}

export interface ExpectedV3Error {
  readonly code: string;
  readonly statusCode: number;
  /** The exact Message, when the test pins it. */
  readonly message?: string;
}

/**
 * Awaits a call through the 3.x SDK path (openapi-core) that must fail, checks the thrown
 * error (code, statusCode, data of exactly RequestId, HostId, Code, Message and Recommend, nothing
 * internal), and returns it.
 */
export async function expectV3Error(promise: Promise<unknown>, expected: ExpectedV3Error): Promise<any> {
  let thrown: any;
  try {
    const body = await promise;
    assert.fail(`expected ${expected.code} (${expected.statusCode}), got success: ${JSON.stringify(body)}`);
  } catch (error) {
    if (error instanceof assert.AssertionError) throw error;
    thrown = error;
  }
  const summary = `${thrown?.code} ${thrown?.statusCode} ${JSON.stringify(thrown?.data)}`;
  assert.equal(thrown?.code, expected.code, summary);
  assert.equal(thrown?.statusCode, expected.statusCode, summary);
  const data = thrown.data;
  assert.equal(typeof data, 'object', 'error data is the response body');
  assert.deepEqual(Object.keys(data), ['RequestId', 'HostId', 'Code', 'Message', 'Recommend'], summary);
  assert.equal(data.Recommend, `/docs/errors.md?q=${expected.code}`, summary);
  assert.equal(data.Code, expected.code, summary);
  assert.equal(typeof data.Message, 'string', 'Message is present');
  assert.ok(data.Message.length > 0, 'Message is not empty');
  if (expected.message !== undefined) assert.equal(data.Message, expected.message, summary);
  assertRequestId(data);
  assert.equal(thrown.requestId, data.RequestId, 'the SDK reads the same RequestId');
  assertNoInternals(JSON.stringify(data));
  return thrown;
}

export interface ExpectedV1Error {
  /** The wire Code; the 1.x SDK reports it as `<Code>Error`. */
  readonly code: string;
  /** The HTTP status, which the 1.x SDK only shows inside its message (`code: 404, …`). */
  readonly statusCode: number;
  readonly message?: string;
}

/** The same for the npm 1.2.0 client (rpc-client), whose errors carry `code = <Code>Error`. */
export async function expectV1Error(promise: Promise<unknown>, expected: ExpectedV1Error): Promise<any> {
  let thrown: any;
  try {
    const body = await promise;
    assert.fail(`expected ${expected.code}, got success: ${JSON.stringify(body)}`);
  } catch (error) {
    if (error instanceof assert.AssertionError) throw error;
    thrown = error;
  }
  const summary = `${thrown?.code} ${JSON.stringify(thrown?.data)}`;
  assert.equal(thrown?.code, `${expected.code}Error`, summary);
  assert.ok(String(thrown.message).includes(`code: ${expected.statusCode}, `), `status ${expected.statusCode} in: ${thrown.message}`);
  const data = thrown.data;
  assert.equal(typeof data, 'object', 'error data is the response body');
  assert.deepEqual(Object.keys(data), ['RequestId', 'HostId', 'Code', 'Message', 'Recommend'], summary);
  assert.equal(data.Recommend, `/docs/errors.md?q=${expected.code}`, summary);
  assert.equal(data.Code, expected.code, summary);
  assert.equal(typeof data.Message, 'string');
  if (expected.message !== undefined) assert.equal(data.Message, expected.message, summary);
  assertRequestId(data);
  assert.ok(String(thrown.message).endsWith(`requestid: ${data.RequestId}`), thrown.message);
  assertNoInternals(JSON.stringify(data));
  return thrown;
}

/** Flips one bit of the byte at `index` (negative counts from the end) of a base64 blob. */
export function flipBit(blob: string, index: number): string {
  const bytes = Buffer.from(blob, 'base64');
  const at = index < 0 ? bytes.length + index : index;
  bytes[at] = (bytes[at] ?? 0) ^ 0x01;
  return bytes.toString('base64');
}
