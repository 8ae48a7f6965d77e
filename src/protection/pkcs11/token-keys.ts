import { randomBytes } from 'node:crypto';
import { ck, type Handle, type Template } from './binding.js';
import { AES_KEY_GEN } from './mechanisms.js';
import { tokenKeySearch } from './templates.js';
import type { TokenSession } from './token-session.js';

export interface TokenKey {
  /** CKA_ID: 8 bytes of creation time (ms, big-endian) then 8 random bytes, so newer sorts last. */
  readonly id: Buffer;
  readonly handle: Handle;
}

/** Arca's token keys labelled `label`, oldest first (by CKA_ID). */
export function findTokenKeys(session: TokenSession, label: string): TokenKey[] {
  return session
    .findObjects(tokenKeySearch(label))
    .map((handle) => ({ handle, id: session.getAttributes(handle, [ck.CKA_ID]).get(ck.CKA_ID) ?? Buffer.alloc(0) }))
    .sort((a, b) => Buffer.compare(a.id, b.id));
}

/** The boolean attributes `types` of `handle`; undefined for one the token does not give. */
export function readFlags(session: TokenSession, handle: Handle, types: readonly number[]): ReadonlyMap<number, boolean | undefined> {
  const values = session.getAttributes(handle, types);
  return new Map(
    types.map((type) => {
      const value = values.get(type);
      return [type, value === undefined || value.length === 0 ? undefined : value[0] !== 0];
    }),
  );
}

/**
 * Refuses a token key whose value could leave the token (extractable, or not sensitive): Arca
 * does not start on one (docs/adr/0013). `what` names it in the error, never its value.
 */
export function assertKeyStaysInToken(session: TokenSession, key: TokenKey, what: string): void {
  const flags = readFlags(session, key.handle, [ck.CKA_SENSITIVE, ck.CKA_EXTRACTABLE]);
  if (flags.get(ck.CKA_SENSITIVE) === true && flags.get(ck.CKA_EXTRACTABLE) === false) return;
  throw new Error(
    `the token's ${what} (CKA_ID ${key.id.toString('hex')}) is extractable or not sensitive: its value could leave the token, so Arca does not use it`,
  );
}

/** Generates a token key inside the token with a fresh CKA_ID. */
export async function createTokenKey(
  session: TokenSession,
  template: (label: string, id: Buffer) => Template,
  label: string,
): Promise<TokenKey> {
  const id = newTokenKeyId();
  const handle = await session.generateKey(AES_KEY_GEN, template(label, id));
  return { id, handle };
}

/** A fresh CKA_ID: creation time then randomness (see TokenKey). */
export function newTokenKeyId(): Buffer {
  const id = Buffer.alloc(16);
  id.writeBigUInt64BE(BigInt(Date.now()), 0);
  randomBytes(8).copy(id, 8);
  return id;
}

/**
 * A value computed once per connection generation (token key handles change when the
 * connection is rebuilt); concurrent callers of one generation share one computation.
 */
export class PerGeneration<T> {
  #generation = -1;
  #value: Promise<T> | undefined;

  /** Forgets the value: the next caller computes it again (after Arca changed what it reads). */
  reset(): void {
    this.#value = undefined;
  }

  get(session: TokenSession, compute: () => Promise<T>): Promise<T> {
    if (this.#value === undefined || this.#generation !== session.generation) {
      this.#generation = session.generation;
      const pending = compute();
      this.#value = pending;
      // A failed computation is not remembered: the next caller tries again.
      pending.catch(() => {
        if (this.#value === pending) this.#value = undefined;
      });
    }
    return this.#value;
  }
}
