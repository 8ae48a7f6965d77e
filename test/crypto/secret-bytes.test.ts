import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { format, inspect } from 'node:util';
import { SecretBytes } from '../../src/crypto/secret-bytes.js';

const REDACTED = 'SecretBytes(<redacted>)';

// Distinctive bytes, so that any rendering of them (hex, base64, decimal list) is recognisable.
const KEY_BYTES = Buffer.from('deadbeefcafef00d0123456789abcdef8badf00dfeedface1337c0dedecafbad', 'hex');

function renderingsOfTheBytes(bytes: Buffer): string[] {
  return [
    bytes.toString('hex'),
    bytes.toString('base64'),
    bytes.toString('base64url'),
    [...bytes].join(','),
    [...bytes].join(', '),
    bytes.toString('hex').match(/../g)!.join(' '), // <Buffer de ad be ef …>
  ];
}

function assertRevealsNothing(rendered: string): void {
  for (const leak of renderingsOfTheBytes(KEY_BYTES)) {
    assert.ok(!rendered.includes(leak), `leaked ${leak} in ${rendered}`);
  }
  // A short run of the bytes is already too much.
  assert.ok(!rendered.includes('deadbeef'), rendered);
  assert.ok(!rendered.includes('222, 173'), rendered); // 0xde, 0xad as decimals
}

describe('SecretBytes never shows its bytes', () => {
  const secret = SecretBytes.copyOf(KEY_BYTES);

  it('String(secret) is the redacted marker', () => {
    assert.equal(String(secret), REDACTED);
  });

  it('a template literal and string concatenation give the redacted marker', () => {
    // The lint rule exists to stop exactly this; here the point is what happens if it slips by.
    // eslint-disable-next-line @typescript-eslint/restrict-template-expressions
    assert.equal(`key=${secret}`, `key=${REDACTED}`);
    // eslint-disable-next-line @typescript-eslint/restrict-plus-operands
    assert.equal('key=' + secret, `key=${REDACTED}`);
  });

  it('JSON.stringify of the secret, and of an object holding it, gives the redacted marker', () => {
    assert.equal(JSON.stringify(secret), JSON.stringify(REDACTED));
    const rendered = JSON.stringify({ keyMaterial: secret, nested: [secret] });
    assert.equal(rendered, JSON.stringify({ keyMaterial: REDACTED, nested: [REDACTED] }));
  });

  it('util.inspect, at any depth and with showHidden, gives the redacted marker', () => {
    assert.equal(inspect(secret), REDACTED);
    assert.equal(inspect(secret, { showHidden: true, depth: Infinity }), REDACTED);
    const rendered = inspect({ a: { b: { c: secret } } }, { depth: Infinity });
    assert.ok(rendered.includes(REDACTED));
    assertRevealsNothing(rendered);
  });

  it('util.inspect with customInspect turned off still shows no bytes (they live in a private field)', () => {
    assertRevealsNothing(inspect(secret, { customInspect: false, showHidden: true }));
  });

  it('console-style formatting (%s, %o, %O, %j and plain arguments) shows no bytes', () => {
    for (const rendered of [
      format('%s', secret),
      format('%o', secret),
      format('%O', secret),
      format('%j', secret),
      format('key', secret),
      format('%o', { key: secret }),
      format('%O', { key: secret }),
    ]) {
      assertRevealsNothing(rendered);
      assert.ok(rendered.includes(REDACTED), rendered);
    }
  });

  it('has no own properties for spread, Object.keys or structuredClone to copy', () => {
    assert.deepEqual(Object.keys(secret), []);
    assert.deepEqual(Object.getOwnPropertyNames(secret), []);
    assertRevealsNothing(inspect({ ...secret }));
    assertRevealsNothing(inspect(structuredClone(secret), { showHidden: true }));
  });

  it('an Error message built from it shows no bytes', () => {
    const error = new Error(`cannot use ${String(secret)}`);
    assertRevealsNothing(error.message);
    assertRevealsNothing(inspect(error));
  });
});

describe('SecretBytes.equals', () => {
  it('is true for the same bytes held by two instances', () => {
    assert.equal(SecretBytes.copyOf(KEY_BYTES).equals(SecretBytes.copyOf(KEY_BYTES)), true);
  });

  it('is false when one byte differs, first or last', () => {
    for (const index of [0, KEY_BYTES.length - 1]) {
      const changed = Buffer.from(KEY_BYTES);
      changed[index] = changed[index]! ^ 0x01;
      assert.equal(SecretBytes.copyOf(KEY_BYTES).equals(SecretBytes.copyOf(changed)), false);
    }
  });

  it('is false for a prefix (different lengths) and does not throw', () => {
    const prefix = SecretBytes.copyOf(KEY_BYTES.subarray(0, 16));
    assert.equal(SecretBytes.copyOf(KEY_BYTES).equals(prefix), false);
    assert.equal(prefix.equals(SecretBytes.copyOf(KEY_BYTES)), false);
  });

  it('is true for two empty secrets', () => {
    assert.equal(SecretBytes.copyOf(new Uint8Array(0)).equals(SecretBytes.copyOf(new Uint8Array(0))), true);
  });
});

describe('SecretBytes ownership and wiping', () => {
  it('copyOf keeps its own copy: changing the source afterwards changes nothing', () => {
    const source = Buffer.from(KEY_BYTES);
    const secret = SecretBytes.copyOf(source);
    source.fill(0);
    assert.deepEqual(secret.unsafeReveal(), KEY_BYTES);
  });

  it('random(n) has n bytes and two draws differ', () => {
    const a = SecretBytes.random(32);
    const b = SecretBytes.random(32);
    assert.equal(a.lengthInBytes, 32);
    assert.equal(a.equals(b), false);
  });

  it('wipe zeroes the adopted buffer', () => {
    const owned = Buffer.from(KEY_BYTES);
    const secret = SecretBytes.adopt(owned);
    secret.wipe();
    assert.deepEqual(owned, Buffer.alloc(KEY_BYTES.length));
  });

  it('after wipe, unsafeReveal and equals throw "used after wipe"', () => {
    const secret = SecretBytes.copyOf(KEY_BYTES);
    const other = SecretBytes.copyOf(KEY_BYTES);
    secret.wipe();
    assert.throws(() => secret.unsafeReveal(), /used after wipe/);
    assert.throws(() => secret.equals(other), /used after wipe/);
    assert.throws(() => other.equals(secret), /used after wipe/);
  });

  it('after wipe, it still prints as the redacted marker', () => {
    const secret = SecretBytes.copyOf(KEY_BYTES);
    secret.wipe();
    assert.equal(String(secret), REDACTED);
    assert.equal(inspect(secret), REDACTED);
  });
});
