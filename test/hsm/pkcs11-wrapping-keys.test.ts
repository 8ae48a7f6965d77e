// The wrapping keys and the root key as Arca finds them in the token at start (issue 16): what it
// refuses, what it counts as legacy and replaces, CKA_WRAP_WITH_TRUSTED with a trusted key, and
// the migration that wraps a legacy key's versions again.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pkcs11js from 'pkcs11js';
import { pino, type Logger } from 'pino';
import { rewrapLegacyHsmVersions } from '../../src/bootstrap/rewrap-legacy-hsm-versions.js';
import { createAes256Gcm } from '../../src/crypto/aes-gcm.js';
import { SecretBytes } from '../../src/crypto/secret-bytes.js';
import { ProtectionKind, type Key, type KeyVersion } from '../../src/domain/key.js';
import { KeySpec, ProtectionLevel } from '../../src/domain/key-spec.js';
import { StoreConflictError } from '../../src/domain/ports.js';
import { MemoryKeyStore } from '../../src/keystore/memory-key-store.js';
import { Pkcs11KeyProtector } from '../../src/protection/pkcs11/pkcs11-key-protector.js';
import { Pkcs11Token } from '../../src/protection/pkcs11/pkcs11-token.js';
import { TokenRootKey } from '../../src/protection/pkcs11/token-root-key.js';
import { newTokenKeyId } from '../../src/protection/pkcs11/token-keys.js';
import { decodeWrappedMaterial } from '../../src/protection/pkcs11/wrapped-material.js';
import { makeKey } from '../keystore/fixtures.js';
import {
  attackStoredVersion,
  createLegacyWrappingKey,
  legacyWrappedMaterial,
  openPinSession,
  openSoSession,
  type PinSession,
} from '../support/pin-holder.js';
import { hsmSkipReason, newSoftHsmDirectory, type SoftHsmDirectory, type SoftHsmToken } from '../support/softhsm.js';

const ck = pkcs11js;
const AAD = Buffer.from('wrapping keys');
const SECRET_AES_KEY = [
  { type: ck.CKA_CLASS, value: ck.CKO_SECRET_KEY },
  { type: ck.CKA_KEY_TYPE, value: ck.CKK_AES },
];
const UNWRAP_TEMPLATE = [
  ...SECRET_AES_KEY,
  { type: ck.CKA_PRIVATE, value: true },
  { type: ck.CKA_SENSITIVE, value: true },
  { type: ck.CKA_EXTRACTABLE, value: false },
  { type: ck.CKA_WRAP, value: false },
  { type: ck.CKA_UNWRAP, value: false },
  { type: ck.CKA_SIGN, value: false },
  { type: ck.CKA_VERIFY, value: false },
  { type: ck.CKA_DERIVE, value: false },
];

/** A token key labelled `label` made by `session` with `attributes` on top of a wrapping key's; returns its CKA_ID. */
function makeTokenKey(session: PinSession, label: string, attributes: { type: number; value: unknown }[]): Buffer {
  const id = newTokenKeyId();
  const base = [
    ...SECRET_AES_KEY,
    { type: ck.CKA_VALUE_LEN, value: 32 },
    { type: ck.CKA_TOKEN, value: true },
    { type: ck.CKA_LABEL, value: label },
    { type: ck.CKA_ID, value: id },
    { type: ck.CKA_WRAP, value: true },
    { type: ck.CKA_UNWRAP, value: true },
    { type: ck.CKA_ENCRYPT, value: false },
    { type: ck.CKA_DECRYPT, value: false },
  ];
  const types = new Set(attributes.map((attribute) => attribute.type));
  const template = [...base.filter((attribute) => !types.has(attribute.type)), ...attributes];
  // A nested template (CKA_UNWRAP_TEMPLATE) needs the patched binding, which the binding's types do not know.
  session.module.C_GenerateKey(session.session, { mechanism: ck.CKM_AES_KEY_GEN }, template as pkcs11js.Template);
  return id;
}

function withSession<T>(token: SoftHsmToken, open: (token: SoftHsmToken) => PinSession, use: (session: PinSession) => T): T {
  const session = open(token);
  try {
    return use(session);
  } finally {
    session.close();
  }
}

interface Opened {
  readonly token: Pkcs11Token;
  readonly protector: Pkcs11KeyProtector;
  readonly log: string[];
}

function capturingLogger(): { logger: Logger; log: string[] } {
  const log: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      log.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), log };
}

async function openProtector(tokenInfo: SoftHsmToken): Promise<Opened> {
  const { logger, log } = capturingLogger();
  const token = Pkcs11Token.open({ modulePath: tokenInfo.modulePath, tokenLabel: tokenInfo.tokenLabel, pin: tokenInfo.pin }, logger);
  try {
    return { token, protector: await Pkcs11KeyProtector.create(token, logger), log };
  } catch (error) {
    await token.close();
    throw error;
  }
}

async function startFailure(tokenInfo: SoftHsmToken): Promise<string> {
  const opened = await openProtector(tokenInfo).then(
    async ({ token }) => {
      await token.close();
      return undefined;
    },
    (error: Error) => error.message,
  );
  assert.ok(opened !== undefined, 'the protector was made');
  return opened;
}

describe('the wrapping keys Arca finds in the token at start', { skip: hsmSkipReason() }, () => {
  let softHsm: SoftHsmDirectory;
  const tokens: SoftHsmToken[] = [];
  const token = (index: number): SoftHsmToken => tokens[index] as SoftHsmToken;

  before(() => {
    softHsm = newSoftHsmDirectory({ inProcess: true });
    for (let i = 0; i < 8; i++) tokens.push(softHsm.newToken());
  });
  after(() => softHsm.remove());

  it('a wrapping key that is extractable, or not sensitive, stops the start, and says why without its value', async () => {
    withSession(token(0), openPinSession, (pin) =>
      makeTokenKey(pin, 'arca-wrapping-key', [
        { type: ck.CKA_SENSITIVE, value: true },
        { type: ck.CKA_EXTRACTABLE, value: true },
      ]),
    );
    assert.match(await startFailure(token(0)), /wrapping key "arca-wrapping-key" \(CKA_ID [0-9a-f]{32}\) is extractable or not sensitive/);
    withSession(token(1), openPinSession, (pin) =>
      makeTokenKey(pin, 'arca-wrapping-key', [
        { type: ck.CKA_SENSITIVE, value: false },
        { type: ck.CKA_EXTRACTABLE, value: false },
      ]),
    );
    assert.match(await startFailure(token(1)), /is extractable or not sensitive/);
  });

  it('a root key in the token that is extractable stops the start', async () => {
    withSession(token(2), openPinSession, (pin) =>
      makeTokenKey(pin, 'arca-root', [
        { type: ck.CKA_SENSITIVE, value: true },
        { type: ck.CKA_EXTRACTABLE, value: true },
        { type: ck.CKA_ENCRYPT, value: true },
        { type: ck.CKA_DECRYPT, value: true },
      ]),
    );
    const logger = pino({ level: 'silent' });
    const tokenInfo = token(2);
    const pkcs11 = Pkcs11Token.open({ modulePath: tokenInfo.modulePath, tokenLabel: tokenInfo.tokenLabel, pin: tokenInfo.pin }, logger);
    try {
      await assert.rejects(
        TokenRootKey.findOrCreate(pkcs11, 'arca-root', logger),
        /root key "arca-root" .* is extractable or not sensitive/,
      );
    } finally {
      await pkcs11.close();
    }
  });

  it('a key with the unwrap template that can still be changed, or a locked one without the template, is legacy: Arca makes a guarded key and wraps with it', async () => {
    const [changeable, untemplated] = [token(3), token(4)];
    const changeableId = withSession(changeable, openPinSession, (pin) => {
      const id = makeTokenKey(pin, 'arca-wrapping-key', [
        { type: ck.CKA_SENSITIVE, value: true },
        { type: ck.CKA_EXTRACTABLE, value: false },
        { type: ck.CKA_UNWRAP_TEMPLATE, value: UNWRAP_TEMPLATE },
      ]);
      // Why the template alone is not enough: the PIN's holder turns on CKA_DECRYPT, or copies the key.
      const value = randomBytes(32);
      const outcomes = attackStoredVersion(pin, legacyWrappedMaterial(pin, id, randomUUID(), value));
      assert.deepEqual(
        outcomes.map((outcome) => (outcome.recovered?.equals(value) ? 'recovered' : outcome.refusedWith)),
        ['CKR_TEMPLATE_INCONSISTENT', 'CKR_TEMPLATE_INCONSISTENT', 'CKR_KEY_UNEXTRACTABLE', 'recovered', 'recovered'],
      );
      return id;
    });
    // Locked, but the token's probe finds that it unwraps a readable key: no template.
    const untemplatedId = withSession(untemplated, openPinSession, (pin) =>
      makeTokenKey(pin, 'arca-wrapping-key', [
        { type: ck.CKA_SENSITIVE, value: true },
        { type: ck.CKA_EXTRACTABLE, value: false },
        { type: ck.CKA_MODIFIABLE, value: false },
        { type: ck.CKA_COPYABLE, value: false },
      ]),
    );
    for (const [tokenInfo, legacyId] of [
      [changeable, changeableId],
      [untemplated, untemplatedId],
    ] as const) {
      const { token: pkcs11, protector, log } = await openProtector(tokenInfo);
      try {
        assert.ok(log.some((line) => line.includes('created the HSM wrapping key')));
        assert.ok(log.some((line) => line.includes('legacy HSM wrapping keys') && line.includes(legacyId.toString('hex'))));
        assert.deepEqual(await protector.legacyWrappingKeyIds(), [legacyId.toString('hex')]);
        const material = await protector.generate(KeySpec.Aes256, randomUUID());
        assert.notDeepEqual(decodeWrappedMaterial(material.sealed).wrappingKeyId, legacyId);
      } finally {
        await pkcs11.close();
      }
    }
  });

  it('a start on a token with a guarded key makes no other and reports no legacy key', async () => {
    const first = await openProtector(token(5));
    await first.token.close();
    const second = await openProtector(token(5));
    try {
      assert.equal(
        second.log.some((line) => line.includes('created the HSM wrapping key') || line.includes('legacy')),
        false,
      );
      assert.deepEqual(await second.protector.legacyWrappingKeyIds(), []);
    } finally {
      await second.token.close();
    }
  });

  it('a trusted wrapping key (made by the SO) wraps version keys marked CKA_WRAP_WITH_TRUSTED; they work as any other', async () => {
    // SoftHSM2 lets only the SO set CKA_TRUSTED, and the SO make only public objects, whose value it
    // keeps unencrypted in the token directory: this shows the mechanism, it is no way to run.
    const trustedId = withSession(token(6), openSoSession, (so) =>
      makeTokenKey(so, 'arca-wrapping-key', [
        { type: ck.CKA_PRIVATE, value: false },
        { type: ck.CKA_TRUSTED, value: true },
        { type: ck.CKA_SENSITIVE, value: true },
        { type: ck.CKA_EXTRACTABLE, value: false },
        { type: ck.CKA_MODIFIABLE, value: false },
        { type: ck.CKA_COPYABLE, value: false },
        { type: ck.CKA_UNWRAP_TEMPLATE, value: UNWRAP_TEMPLATE },
      ]),
    );
    const { token: pkcs11, protector, log } = await openProtector(token(6));
    try {
      assert.equal(
        log.some((line) => line.includes('created the HSM wrapping key')),
        false,
        'the trusted key is guarded',
      );
      const id = randomUUID();
      const material = await protector.generate(KeySpec.Aes256, id);
      assert.deepEqual(decodeWrappedMaterial(material.sealed).wrappingKeyId, trustedId);
      const aead = await protector.open(KeySpec.Aes256, id, material);
      assert.equal((await aead.decrypt(await aead.encrypt(Buffer.from('trusted'), AAD), AAD)).toString(), 'trusted');
    } finally {
      await pkcs11.close();
    }
  });

  it('the migration wraps every version a legacy key wrapped again, once; conflicting writes wait for the next run', async () => {
    const tokenInfo = token(7);
    const values = [randomBytes(32), randomBytes(32), randomBytes(32)];
    const keys = values.map(() => makeKey({ protectionLevel: ProtectionLevel.Hsm, primaryKeyVersionId: randomUUID() }));
    const legacy = withSession(tokenInfo, openPinSession, (pin) => {
      const legacyKeyId = createLegacyWrappingKey(pin);
      return keys.map((key, i) => legacyWrappedMaterial(pin, legacyKeyId, key.primaryKeyVersionId, values[i] as Buffer));
    });
    const store = new MemoryKeyStore();
    for (const [i, key] of keys.entries()) await store.createKey(key, versionOf(key, legacy[i] as Buffer));
    // A software key and an HSM key made now are left alone.
    const software = makeKey();
    await store.createKey(software, {
      ...versionOf(software, randomBytes(60)),
      material: { kind: ProtectionKind.Software, sealed: randomBytes(60) },
    });
    const { token: pkcs11, protector } = await openProtector(tokenInfo);
    try {
      const current = makeKey({ protectionLevel: ProtectionLevel.Hsm, primaryKeyVersionId: randomUUID() });
      const currentMaterial = await protector.generate(KeySpec.Aes256, current.primaryKeyVersionId);
      await store.createKey(current, { ...versionOf(current, currentMaterial.sealed), material: currentMaterial });
      const before = await sealedByValue(values);

      // The first write conflicts (another writer got there first): that key waits.
      const racing = conflictingOnce(store, (keys[1] as Key).keyId);
      const silent = pino({ level: 'silent' });
      assert.deepEqual(await rewrapLegacyHsmVersions(racing, protector, silent), { rewrapped: 2, conflicts: 1 });
      assert.deepEqual(await rewrapLegacyHsmVersions(store, protector, silent), { rewrapped: 1, conflicts: 0 });
      assert.deepEqual(await rewrapLegacyHsmVersions(store, protector, silent), { rewrapped: 0, conflicts: 0 });

      for (const [i, key] of keys.entries()) {
        const version = await store.getKeyVersion(key.primaryKeyVersionId);
        assert.ok(version?.material);
        assert.equal((await store.getKey(key.keyId))?.revision, key.revision + 1);
        const aead = await protector.open(KeySpec.Aes256, version.keyVersionId, version.material);
        assert.equal((await aead.decrypt(before[i] as Buffer, AAD)).toString(), `sealed by version ${i}`, 'old ciphertexts still open');
        withSession(tokenInfo, openPinSession, (pin) =>
          assert.ok(attackStoredVersion(pin, version.material?.sealed ?? Buffer.alloc(0)).every((outcome) => !outcome.recovered)),
        );
      }
      assert.deepEqual((await store.getKeyVersion(current.primaryKeyVersionId))?.material, currentMaterial);
      assert.equal((await store.getKey(software.keyId))?.revision, software.revision);
    } finally {
      await pkcs11.close();
    }
  });
});

function versionOf(key: Key, sealed: Buffer): KeyVersion {
  return {
    keyId: key.keyId,
    keyVersionId: key.primaryKeyVersionId,
    creationDate: key.creationDate,
    material: { kind: ProtectionKind.Pkcs11Wrapped, sealed },
    materialCommitment: null,
  };
}

/** Ciphertexts sealed, before the migration, by each version's key (known here, as a software copy). */
function sealedByValue(values: readonly Buffer[]): Promise<Buffer[]> {
  return Promise.all(
    values.map((value, i) => createAes256Gcm(SecretBytes.copyOf(value)).encrypt(Buffer.from(`sealed by version ${i}`), AAD)),
  );
}

/** `store`, except that the first replaceKeyMaterial for `keyId` fails as if another writer won. */
function conflictingOnce(store: MemoryKeyStore, keyId: string): MemoryKeyStore {
  let raced = false;
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'replaceKeyMaterial')
        return (key: Key, version: KeyVersion, expectedRevision: number) => {
          if (key.keyId === keyId && !raced) {
            raced = true;
            return Promise.reject(new StoreConflictError('stale-revision', keyId));
          }
          return target.replaceKeyMaterial(key, version, expectedRevision);
        };
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
