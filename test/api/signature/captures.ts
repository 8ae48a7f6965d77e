// Reads the SDK captures fixtures: every raw request block becomes a SignedRequest, decoded the
// way the HTTP layer will decode it (query and form bodies with URLSearchParams semantics).
import { readFileSync } from 'node:fs';

import type { SignedRequest } from '../../../src/api/signature/signed-request.js';
import { parseRequestTimestamp } from '../../../src/api/signature/timestamp.js';

export const TEST_ACCESS_KEY_ID = 'testid';
export const TEST_SECRET = 'testsecret';

/** The fixtures in the capture layout: the research captures, and the ACS3-HMAC-SM3 ones. */
export type CaptureFixture = 'alibaba-sdk-captures.txt' | 'alibaba-sdk-sm3-captures.txt';
const BLOCK_START = '==================== ';
const RAW_REQUEST_MARKER = '--- raw request #1 as received by the server:';
const SECTION_PREFIX = '--- ';

export interface Capture {
  /** `A1`, `B2` …: the block's label in the fixture. */
  readonly id: string;
  readonly title: string;
  readonly method: string;
  /** The request target as sent: `/?KeyId=alias%2Fx&…`. */
  readonly target: string;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body: Buffer;
  /** The canonical request the capture tool recomputed (ACS3 and ACS4 blocks). */
  readonly canonicalRequest: string | undefined;
  readonly stringToSign: string | undefined;
}

const cached = new Map<CaptureFixture, readonly Capture[]>();

export function loadCaptures(fixture: CaptureFixture = 'alibaba-sdk-captures.txt'): readonly Capture[] {
  const captures = cached.get(fixture) ?? parseCaptures(readFileSync(new URL(`../../fixtures/${fixture}`, import.meta.url), 'utf8'));
  cached.set(fixture, captures);
  return captures;
}

export function captureById(id: string, fixture: CaptureFixture = 'alibaba-sdk-captures.txt'): Capture {
  const capture = loadCaptures(fixture).find((candidate) => candidate.id === id);
  if (capture === undefined) throw new Error(`no capture ${id}`);
  return capture;
}

export function parseCaptures(text: string): readonly Capture[] {
  const lines = text.split('\n');
  const captures: Capture[] = [];
  lines.forEach((line, index) => {
    if (line.startsWith(BLOCK_START)) captures.push(parseBlock(lines, index));
  });
  return captures;
}

function parseBlock(lines: readonly string[], start: number): Capture {
  const [id = '', ...titleWords] = (lines[start] ?? '').slice(BLOCK_START.length).split(' ');
  const end = nextIndex(lines, start + 1, (line) => line.startsWith(BLOCK_START)) ?? lines.length;
  const block = lines.slice(start, end);

  const rawStart = requiredIndex(block, 0, (line) => line === RAW_REQUEST_MARKER, `${id}: raw request`);
  const [method = '', target = ''] = (block[rawStart + 1] ?? '').split(' ');
  const headerEnd = requiredIndex(block, rawStart + 2, (line) => line === '', `${id}: end of headers`);
  const bodyEnd = requiredIndex(block, headerEnd + 1, (line) => line.startsWith(SECTION_PREFIX), `${id}: end of body`);

  return {
    id,
    title: titleWords.join(' '),
    method,
    target,
    headers: parseHeaders(block.slice(rawStart + 2, headerEnd)),
    // The capture tool printed the body followed by one newline; an empty body is one empty line.
    body: Buffer.from(block.slice(headerEnd + 1, bodyEnd).join('\n'), 'utf8'),
    canonicalRequest: section(block, '--- canonical request:'),
    stringToSign: section(block, '--- string to sign:'),
  };
}

function parseHeaders(lines: readonly string[]): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    const existing = headers[name];
    if (existing === undefined) headers[name] = value;
    else headers[name] = [...(typeof existing === 'string' ? [existing] : existing), value];
  }
  return headers;
}

function section(block: readonly string[], marker: string): string | undefined {
  const start = nextIndex(block, 0, (line) => line === marker);
  if (start === undefined) return undefined;
  const end = nextIndex(block, start + 1, (line) => line.startsWith(SECTION_PREFIX)) ?? block.length;
  return block.slice(start + 1, end).join('\n');
}

function nextIndex(lines: readonly string[], from: number, test: (line: string) => boolean): number | undefined {
  for (let index = from; index < lines.length; index += 1) {
    if (test(lines[index] ?? '')) return index;
  }
  return undefined;
}

function requiredIndex(lines: readonly string[], from: number, test: (line: string) => boolean, what: string): number {
  const index = nextIndex(lines, from, test);
  if (index === undefined) throw new Error(`captures fixture: cannot find ${what}`);
  return index;
}

/** The capture as the HTTP layer would hand it to `verifyRequest`. */
export function toSignedRequest(capture: Capture): SignedRequest {
  const url = new URL(capture.target, 'http://placeholder.invalid');
  const contentType = capture.headers['content-type'];
  const isForm = typeof contentType === 'string' && contentType.startsWith('application/x-www-form-urlencoded');
  return {
    method: capture.method,
    path: url.pathname,
    query: [...url.searchParams],
    formParams: isForm ? [...new URLSearchParams(capture.body.toString('utf8'))] : [],
    body: capture.body,
    headers: capture.headers,
  };
}

/** The request's own timestamp: `x-acs-date` (ACS3/ACS4) or the `Timestamp` parameter (1.0). */
export function timestampMsOf(request: SignedRequest): number {
  const xAcsDate = request.headers['x-acs-date'];
  const text =
    typeof xAcsDate === 'string' ? xAcsDate : [...request.query, ...request.formParams].find(([key]) => key === 'Timestamp')?.[1];
  const timestampMs = text === undefined ? undefined : parseRequestTimestamp(text);
  if (timestampMs === undefined) throw new Error('capture has no readable timestamp');
  return timestampMs;
}

export function withQueryValue(request: SignedRequest, name: string, value: string): SignedRequest {
  return { ...request, query: request.query.map(([key, old]) => [key, key === name ? value : old] as const) };
}

export function withoutQueryParam(request: SignedRequest, name: string): SignedRequest {
  return { ...request, query: request.query.filter(([key]) => key !== name) };
}

export function withHeader(request: SignedRequest, name: string, value: string | readonly string[] | undefined): SignedRequest {
  return { ...request, headers: { ...request.headers, [name]: value } };
}
