import { AeadAuthenticationError } from '../../crypto/aead.js';
import { bindingTemplate, type Handle, type KeyPair, type Mechanism, type Pkcs11Module, type Template } from './binding.js';
import { meansNotAuthentic } from './token-errors.js';

/** One attribute as read back from the token: its value bytes. */
export type AttributeBytes = ReadonlyMap<number, Buffer>;

/**
 * A session lent to one operation. The calls that do cryptographic work or may wait on the
 * device (key generation, wrap, unwrap, encrypt, decrypt, sign) use the binding's asynchronous forms,
 * which run on libuv's thread pool, so the event loop never waits for the token. The binding has
 * no asynchronous C_EncryptInit, C_DecryptInit, C_SignInit, C_FindObjects, C_GetAttributeValue,
 * C_CreateObject or C_DestroyObject: those set up state inside the module and are called
 * directly (see docs/adr/0013).
 */
export class TokenSession {
  readonly generation: number;
  readonly #module: Pkcs11Module;
  readonly #session: Handle;

  constructor(module: Pkcs11Module, session: Handle, generation: number) {
    this.#module = module;
    this.#session = session;
    this.generation = generation;
  }

  generateKey(mechanism: Mechanism, template: Template): Promise<Handle> {
    return this.#module.C_GenerateKeyAsync(this.#session, mechanism, bindingTemplate(template));
  }

  generateKeyPair(mechanism: Mechanism, publicTemplate: Template, privateTemplate: Template): Promise<KeyPair> {
    return this.#module.C_GenerateKeyPairAsync(this.#session, mechanism, bindingTemplate(publicTemplate), bindingTemplate(privateTemplate));
  }

  createObject(template: Template): Handle {
    return this.#module.C_CreateObject(this.#session, bindingTemplate(template));
  }

  wrapKey(mechanism: Mechanism, wrappingKey: Handle, key: Handle, maxLengthInBytes: number): Promise<Buffer> {
    return this.#module.C_WrapKeyAsync(this.#session, mechanism, wrappingKey, key, Buffer.alloc(maxLengthInBytes));
  }

  unwrapKey(mechanism: Mechanism, unwrappingKey: Handle, wrapped: Buffer, template: Template): Promise<Handle> {
    return this.#module.C_UnwrapKeyAsync(this.#session, mechanism, unwrappingKey, wrapped, bindingTemplate(template));
  }

  async encrypt(mechanism: Mechanism, key: Handle, data: Buffer, outLengthInBytes: number): Promise<Buffer> {
    this.#module.C_EncryptInit(this.#session, mechanism, key);
    // The binding passes an empty buffer as a null pointer, which C_Encrypt refuses
    // (CKR_ARGUMENTS_BAD) while leaving the operation active. An empty message is finished
    // with C_EncryptFinal instead, which gives GCM's tag for it.
    if (data.length === 0) return this.#module.C_EncryptFinalAsync(this.#session, Buffer.alloc(outLengthInBytes));
    return this.#module.C_EncryptAsync(this.#session, data, Buffer.alloc(outLengthInBytes));
  }

  /** Throws `AeadAuthenticationError` when the token refuses the ciphertext itself. */
  async decrypt(mechanism: Mechanism, key: Handle, data: Buffer, outLengthInBytes: number): Promise<Buffer> {
    // Precondition: something to decrypt (GCM input holds at least the tag); see encrypt.
    if (data.length === 0) throw new AeadAuthenticationError();
    this.#module.C_DecryptInit(this.#session, mechanism, key);
    try {
      return await this.#module.C_DecryptAsync(this.#session, data, Buffer.alloc(outLengthInBytes));
    } catch (error) {
      if (meansNotAuthentic(error)) throw new AeadAuthenticationError();
      throw error;
    }
  }

  /** A MAC or signature over `data` (C_SignInit is synchronous; see the class comment). */
  sign(mechanism: Mechanism, key: Handle, data: Buffer, outLengthInBytes: number): Promise<Buffer> {
    this.#module.C_SignInit(this.#session, mechanism, key);
    return this.#module.C_SignAsync(this.#session, data, Buffer.alloc(outLengthInBytes));
  }

  findObjects(template: Template): Handle[] {
    this.#module.C_FindObjectsInit(this.#session, bindingTemplate(template));
    try {
      const found: Handle[] = [];
      for (;;) {
        const batch = this.#module.C_FindObjects(this.#session, 64);
        if (batch.length === 0) return found;
        found.push(...batch);
      }
    } finally {
      this.#module.C_FindObjectsFinal(this.#session);
    }
  }

  getAttributes(object: Handle, types: readonly number[]): AttributeBytes {
    const values = this.#module.C_GetAttributeValue(
      this.#session,
      object,
      types.map((type) => ({ type })),
    );
    const result = new Map<number, Buffer>();
    for (const { type, value } of values) if (Buffer.isBuffer(value)) result.set(type, value);
    return result;
  }

  destroyObject(object: Handle): void {
    this.#module.C_DestroyObject(this.#session, object);
  }

  close(): void {
    this.#module.C_CloseSession(this.#session);
  }
}
