import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertValidAliasName } from '../../src/domain/alias.js';
import { alibabaErrorOf } from '../../src/api/alibaba-errors.js';
import { parseKeyReference } from '../../src/api/key-reference.js';
import { keyArn } from '../../src/domain/arn.js';
import { KmsError } from '../../src/domain/errors.js';
import { assertRotationIntervalAllowed, parseDurationSeconds } from '../../src/domain/rotation-interval.js';
import { formatWireTime } from '../../src/domain/time.js';

const scope = { region: 'cn-hangzhou', accountId: '42' };
const keyId = '1234abcd-12ab-34cd-56ef-123456789012';
/** InvalidParameter on the Alibaba wire, naming `parameter` in its message. */
const isInvalid = (parameter: string) => (error: unknown) =>
  error instanceof KmsError && error.kind === 'InvalidInput' && alibabaErrorOf(error).message.includes(parameter);

/** A rotation interval as CreateKey and UpdateRotationPolicy take it: a duration, then its range. */
function rotationIntervalSeconds(value: string, minSeconds: number): number {
  const seconds = parseDurationSeconds(value);
  assert.ok(seconds !== undefined, `${value} is a duration`);
  assertRotationIntervalAllowed(seconds, minSeconds);
  return seconds;
}

describe('key references', () => {
  it('reads a bare key id', () => assert.deepEqual(parseKeyReference(scope, keyId), { kind: 'keyId', keyId }));
  it('reads an alias', () => assert.deepEqual(parseKeyReference(scope, 'alias/a'), { kind: 'alias', aliasName: 'alias/a' }));
  it('reads a key Arn of this region and account', () =>
    assert.deepEqual(parseKeyReference(scope, keyArn(scope, keyId)), { kind: 'keyId', keyId }));
  it('reads an alias Arn', () =>
    assert.deepEqual(parseKeyReference(scope, 'acs:kms:cn-hangzhou:42:alias/a'), { kind: 'alias', aliasName: 'alias/a' }));
  it('treats an Arn of another account as foreign', () =>
    assert.deepEqual(parseKeyReference(scope, `acs:kms:cn-hangzhou:43:key/${keyId}`), { kind: 'foreign' }));
  it('treats an Arn of another region as foreign', () =>
    assert.deepEqual(parseKeyReference(scope, `acs:kms:cn-beijing:42:key/${keyId}`), { kind: 'foreign' }));
  it('treats a malformed Arn as foreign', () => assert.deepEqual(parseKeyReference(scope, 'acs:kms:x'), { kind: 'foreign' }));
});

describe('alias names', () => {
  for (const name of ['alias/a', 'alias/a-b_c/d', `alias/${'x'.repeat(249)}`]) {
    it(`accepts ${name.slice(0, 30)} (${name.length} characters)`, () => assertValidAliasName(name));
  }
  for (const [label, name] of [
    ['without the prefix', 'a'],
    ['with nothing after the prefix', 'alias/'],
    ['in the reserved alias/acs space', 'alias/acs-x'],
    ['with a space', 'alias/a b'],
    ['with a dot', 'alias/a.b'],
    ['over 255 characters', `alias/${'x'.repeat(250)}`],
  ] as const) {
    it(`refuses an alias ${label}`, () => assert.throws(() => assertValidAliasName(name), isInvalid('AliasName')));
  }
});

describe('rotation intervals', () => {
  it('reads every unit', () => {
    assert.equal(parseDurationSeconds('7d'), 604_800);
    assert.equal(parseDurationSeconds('2h'), 7_200);
    assert.equal(parseDurationSeconds('3m'), 180);
    assert.equal(parseDurationSeconds('604800s'), 604_800);
  });
  for (const bad of ['', '7', 'd', '7w', '-7d', '07d', '7 d', '1.5d', '7D']) {
    it(`refuses the malformed duration ${JSON.stringify(bad)}`, () => assert.equal(parseDurationSeconds(bad), undefined));
  }
  it('accepts 7 to 730 days', () => {
    assert.equal(rotationIntervalSeconds('7d', 604_800), 604_800);
    assert.equal(rotationIntervalSeconds('730d', 604_800), 730 * 86_400);
  });
  it('refuses 6 days and 731 days', () => {
    assert.throws(() => rotationIntervalSeconds('6d', 604_800), isInvalid('RotationInterval'));
    assert.throws(() => rotationIntervalSeconds('731d', 604_800), isInvalid('RotationInterval'));
  });
  it('honours a lower minimum when the server is configured with one', () => assert.equal(rotationIntervalSeconds('2s', 1), 2));
});

describe('wire time', () => {
  it('formats UTC without a fraction', () => assert.equal(formatWireTime(Date.UTC(2026, 10, 28, 14, 41, 47, 123)), '2026-11-28T14:41:47Z'));
});
