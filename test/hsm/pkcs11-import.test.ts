// Bringing key material into an HSM key with the unwrapping done inside the token (RSA-OAEP with
// SHA-1 and an empty label, the one algorithm SoftHSM2 2.6 unwraps). The wrapped material is made
// here, with node:crypto and the public key the token gave, as an outside party would.
import assert from 'node:assert/strict';
import { constants, createPublicKey, publicEncrypt, randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { createAead } from '../../src/crypto/aead-factory.js';
import { SecretBytes } from '../../src/crypto/secret-bytes.js';
import { AeadAlgorithm } from '../../src/crypto/aead.js';
import { KeySpec } from '../../src/domain/key-spec.js';
import {
  ImportedMaterialInvalidError,
  ImportKeyMissingError,
  Pkcs11KeyProtector,
} from '../../src/protection/pkcs11/pkcs11-key-protector.js';
import { Pkcs11Token } from '../../src/protection/pkcs11/pkcs11-token.js';
import { hsmSkipReason, newSoftHsmDirectory, type SoftHsmDirectory, type SoftHsmToken } from '../support/softhsm.js';
import { listPrivateKeys, listSecretKeys } from '../support/token-inspector.js';

const AAD = Buffer.from('import aad');
const COMMITMENT_MESSAGE = Buffer.from('commit to the material of one key');

function wrapForToken(publicKeySpki: Buffer, material: Buffer, oaepHash = 'sha1'): Buffer {
  const key = createPublicKey({ key: publicKeySpki, format: 'der', type: 'spki' });
  return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, material);
}

describe('material unwrapped inside the token (RSAES_OAEP_SHA_1)', { skip: hsmSkipReason() }, () => {
  let softHsm: SoftHsmDirectory;
  let tokenInfo: SoftHsmToken;
  let token: Pkcs11Token;
  let protector: Pkcs11KeyProtector;
  let publicKeySpki: Buffer;
  const label = 'arca-import-test';

  before(async () => {
    softHsm = newSoftHsmDirectory({ inProcess: true });
    tokenInfo = softHsm.newToken();
    const logger = pino({ level: 'silent' });
    token = Pkcs11Token.open({ modulePath: tokenInfo.modulePath, tokenLabel: tokenInfo.tokenLabel, pin: tokenInfo.pin }, logger);
    protector = await Pkcs11KeyProtector.create(token, logger);
    ({ publicKeySpki } = await protector.createImportKeyPair(label));
  });
  after(async () => {
    await token.close();
    softHsm.remove();
  });

  it('the import key pair gives an RSA-2048 public key', () => {
    const key = createPublicKey({ key: publicKeySpki, format: 'der', type: 'spki' });
    assert.equal(key.asymmetricKeyType, 'rsa');
    assert.equal(key.asymmetricKeyDetails?.modulusLength, 2048);
  });

  it('an AES-256 key wrapped with the public key becomes an HSM version that interoperates with the same key in software', async () => {
    const material = randomBytes(32);
    const id = randomUUID();
    const { material: stored, commitment } = await protector.importWrapped(
      id,
      label,
      'RSAES_OAEP_SHA_1',
      wrapForToken(publicKeySpki, material),
      COMMITMENT_MESSAGE,
    );
    assert.equal(commitment.length, 16);
    const again = await protector.importWrapped(
      randomUUID(),
      label,
      'RSAES_OAEP_SHA_1',
      wrapForToken(publicKeySpki, material),
      COMMITMENT_MESSAGE,
    );
    assert.deepEqual(again.commitment, commitment, 'the same material gives the same CMAC');
    const other = await protector.importWrapped(
      id,
      label,
      'RSAES_OAEP_SHA_1',
      wrapForToken(publicKeySpki, randomBytes(32)),
      COMMITMENT_MESSAGE,
    );
    assert.notDeepEqual(other.commitment, commitment, 'other material gives another CMAC');
    assert.equal(stored.kind, 'pkcs11-wrapped');
    assert.equal(stored.sealed.includes(material), false);
    const aead = await protector.open(KeySpec.Aes256, id, stored);
    const reference = createAead(AeadAlgorithm.Aes256Gcm, SecretBytes.copyOf(material));
    assert.deepEqual(await aead.decrypt(await reference.encrypt(Buffer.from('outside'), AAD), AAD), Buffer.from('outside'));
    assert.deepEqual(await reference.decrypt(await aead.encrypt(Buffer.from('inside'), AAD), AAD), Buffer.from('inside'));
  });

  it('material wrapped with OAEP SHA-256 does not unwrap: ImportedMaterialInvalidError', async () => {
    await assert.rejects(
      protector.importWrapped(
        randomUUID(),
        label,
        'RSAES_OAEP_SHA_1',
        wrapForToken(publicKeySpki, randomBytes(32), 'sha256'),
        COMMITMENT_MESSAGE,
      ),
      ImportedMaterialInvalidError,
    );
  });

  for (const length of [16, 24]) {
    it(`a ${length}-byte key (not AES-256) unwraps in the token but is refused: ImportedMaterialInvalidError`, async () => {
      await assert.rejects(
        protector.importWrapped(
          randomUUID(),
          label,
          'RSAES_OAEP_SHA_1',
          wrapForToken(publicKeySpki, randomBytes(length)),
          COMMITMENT_MESSAGE,
        ),
        ImportedMaterialInvalidError,
      );
    });
  }

  it('bytes of the wrong length are refused before they reach the token', async () => {
    await assert.rejects(
      protector.importWrapped(randomUUID(), label, 'RSAES_OAEP_SHA_1', randomBytes(255), COMMITMENT_MESSAGE),
      ImportedMaterialInvalidError,
    );
  });

  it('every secret and private key object left is sensitive and not extractable; deleting the pair removes it', async () => {
    for (const object of listSecretKeys(tokenInfo)) assert.deepEqual({ ...object, sensitive: true, extractable: false }, object);
    assert.deepEqual(listPrivateKeys(tokenInfo), [{ label, onToken: true, sensitive: true, extractable: false }]);
    await protector.deleteImportKeyPair(label);
    assert.deepEqual(listPrivateKeys(tokenInfo), []);
    await assert.rejects(
      protector.importWrapped(randomUUID(), label, 'RSAES_OAEP_SHA_1', wrapForToken(publicKeySpki, randomBytes(32)), COMMITMENT_MESSAGE),
      ImportKeyMissingError,
    );
  });
});
