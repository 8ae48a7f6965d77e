import type { Aead } from '../crypto/aead.js';
import { createAead } from '../crypto/aead-factory.js';
import { SecretBytes } from '../crypto/secret-bytes.js';
import { ProtectionKind, type ProtectedMaterial } from '../domain/key.js';
import { ProtectionLevel, profileOf, type KeySpec } from '../domain/key-spec.js';
import type { KeyProtector, SecretSealer } from '../domain/ports.js';
import { SealPurpose } from '../domain/seal-purposes.js';

/**
 * SOFTWARE protection level: material generated here and stored sealed under the root key
 * (a key file, ARCA_ROOT_KEY, or a key held in a PKCS#11 token).
 */
export class SoftwareKeyProtector implements KeyProtector {
  readonly protectionLevel = ProtectionLevel.Software;
  readonly #rootKey: SecretSealer;

  constructor(rootKey: SecretSealer) {
    this.#rootKey = rootKey;
  }

  supportsKeySpec(_keySpec: KeySpec): boolean {
    return true;
  }

  async generate(keySpec: KeySpec, keyVersionId: string): Promise<ProtectedMaterial> {
    const material = SecretBytes.random(profileOf(keySpec).materialLengthInBytes);
    try {
      return await this.protect(material, keyVersionId);
    } finally {
      material.wipe();
    }
  }

  async protect(material: SecretBytes, keyVersionId: string): Promise<ProtectedMaterial> {
    const sealed = await this.#rootKey.seal(material.unsafeReveal(), SealPurpose.KeyMaterial, keyVersionId);
    return { kind: ProtectionKind.Software, sealed };
  }

  async open(keySpec: KeySpec, keyVersionId: string, material: ProtectedMaterial): Promise<Aead> {
    if (material.kind !== ProtectionKind.Software) throw new Error(`software protector cannot open ${String(material.kind)} material`);
    const key = SecretBytes.adopt(await this.#rootKey.open(material.sealed, SealPurpose.KeyMaterial, keyVersionId));
    if (key.lengthInBytes !== profileOf(keySpec).materialLengthInBytes) throw new Error('stored material has the wrong length');
    return createAead(profileOf(keySpec).algorithm, key);
  }
}
