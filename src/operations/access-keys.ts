import { randomBytes } from 'node:crypto';
import type { AccessKeyStore, Clock, SecretSealer } from '../domain/ports.js';
import { SealPurpose } from '../domain/seal-purposes.js';
import { ADMIN_PRINCIPAL } from '../domain/principals.js';
import { LruCache } from './lru-cache.js';

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export interface AccessKeyCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
}

export interface ResolvedAccessKey {
  readonly secret: string;
  readonly principal: string;
}

interface OpenedAccessKey extends ResolvedAccessKey {
  /** The stored sealed secret this was opened from: a changed record is opened again. */
  readonly sealedSecret: Buffer;
}

/** How many opened access-key secrets stay in memory. */
export const DEFAULT_MAX_OPENED_ACCESS_KEYS = 10_000;

/**
 * The access keys that may sign requests. Secrets are stored sealed under the root key; opening
 * one is the costly part, so opened secrets stay in a bounded cache. The record itself (enabled
 * or not, which secret) is read from the store on every request: a key disabled, deleted or
 * given a new secret by anyone (another worker, another node, a tool on the database) is refused
 * from the next request on, with no restart and no message to wait for.
 */
export class AccessKeys {
  readonly #store: AccessKeyStore;
  readonly #sealer: SecretSealer;
  readonly #clock: Clock;
  readonly #opened: LruCache<string, OpenedAccessKey>;

  constructor(store: AccessKeyStore, sealer: SecretSealer, clock: Clock, maxOpened = DEFAULT_MAX_OPENED_ACCESS_KEYS) {
    this.#store = store;
    this.#sealer = sealer;
    this.#clock = clock;
    this.#opened = new LruCache(maxOpened);
  }

  /** The secret and principal of an enabled access key, or undefined. */
  async resolve(accessKeyId: string): Promise<ResolvedAccessKey | undefined> {
    const record = await this.#store.getAccessKey(accessKeyId);
    if (!record || !record.enabled) {
      this.#opened.delete(accessKeyId);
      return undefined;
    }
    const opened = this.#opened.get(accessKeyId);
    if (opened && opened.sealedSecret.equals(record.sealedSecret) && opened.principal === record.principal) return opened;
    const secret = await this.#sealer.open(record.sealedSecret, SealPurpose.AccessKeySecret, accessKeyId);
    const resolved = { secret: secret.toString('utf8'), principal: record.principal, sealedSecret: record.sealedSecret };
    secret.fill(0);
    this.#opened.set(accessKeyId, resolved);
    return resolved;
  }

  /** Forgets the opened secret of `accessKeyId` (the invalidation entry point calls this). */
  forget(accessKeyId: string): void {
    this.#opened.delete(accessKeyId);
  }

  /** Makes sure an administrator key with exactly these credentials exists. */
  async ensureAdministrator(credentials: AccessKeyCredentials): Promise<void> {
    const existing = await this.resolve(credentials.accessKeyId);
    if (existing?.secret === credentials.accessKeySecret && existing.principal === ADMIN_PRINCIPAL) return;
    this.#opened.delete(credentials.accessKeyId);
    await this.#store.putAccessKey({
      accessKeyId: credentials.accessKeyId,
      sealedSecret: await this.#sealer.seal(
        Buffer.from(credentials.accessKeySecret, 'utf8'),
        SealPurpose.AccessKeySecret,
        credentials.accessKeyId,
      ),
      principal: ADMIN_PRINCIPAL,
      enabled: true,
      creationDate: this.#clock.now(),
    });
  }

  async isEmpty(): Promise<boolean> {
    return (await this.#store.countAccessKeys()) === 0;
  }

  /** New credentials in Alibaba's shape: an `LTAI` id of 24 characters and a 30-character secret. */
  static generateCredentials(): AccessKeyCredentials {
    return { accessKeyId: `LTAI${randomText(20)}`, accessKeySecret: randomText(30) };
  }
}

function randomText(length: number): string {
  // 62 symbols: reject bytes ≥ 248 so every symbol is equally likely.
  let text = '';
  while (text.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && text.length < length) text += ID_ALPHABET[byte % 62];
    }
  }
  return text;
}
