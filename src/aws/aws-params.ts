import { isCanonicalBase64 } from '../api/base64.js';
import { contextFromEntries, EMPTY_CONTEXT, type EncryptionContext } from '../domain/encryption-context.js';
import { KmsError } from '../domain/errors.js';
import type { Tag } from '../domain/key.js';
import type { KeyReference } from '../domain/key-reference.js';
import { parseAwsKeyReference, type AwsScope, type KeyNaming } from './aws-arn.js';

/**
 * The members of an AWS JSON 1.1 request body, read by their PascalCase names. Refusals name the
 * member in camelCase, as AWS's own validation messages do (`'plaintext'`, `'numberOfBytes'`).
 */
export class AwsParams {
  readonly #members: Readonly<Record<string, unknown>>;
  readonly scope: AwsScope;

  constructor(members: Readonly<Record<string, unknown>>, scope: AwsScope) {
    this.#members = members;
    this.scope = scope;
  }

  /** Parses a request body: a JSON object, or SerializationException. An empty body is `{}`. */
  static fromBody(body: Buffer, scope: AwsScope): AwsParams {
    if (body.length === 0) return new AwsParams({}, scope);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new KmsError('InvalidInput', 'body');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new KmsError('InvalidInput', 'body');
    return new AwsParams(parsed as Record<string, unknown>, scope);
  }

  #value(name: string): unknown {
    const value = Object.hasOwn(this.#members, name) ? this.#members[name] : undefined;
    // The SDK omits absent members; a null from another client means the same.
    return value === null ? undefined : value;
  }

  optionalString(name: string): string | undefined {
    const value = this.#value(name);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw new KmsError('InvalidInput', fieldOf(name));
    return value;
  }

  requiredString(name: string): string {
    const value = this.optionalString(name);
    if (value === undefined || value === '') throw new KmsError('MissingInput', fieldOf(name));
    return value;
  }

  optionalInteger(name: string): number | undefined {
    const value = this.#value(name);
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new KmsError('InvalidInput', fieldOf(name));
    return value;
  }

  /** A timestamp: epoch seconds, fractions allowed, as the SDK sends them. */
  optionalEpochSeconds(name: string): number | undefined {
    const value = this.#value(name);
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new KmsError('InvalidInput', fieldOf(name));
    return value;
  }

  optionalBoolean(name: string): boolean | undefined {
    const value = this.#value(name);
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') throw new KmsError('InvalidInput', fieldOf(name));
    return value;
  }

  /** A blob member: padded standard base64 of at least one byte. */
  requiredBlob(name: string): Buffer {
    const text = this.requiredString(name);
    if (!isCanonicalBase64(text)) throw new KmsError('InvalidInput', fieldOf(name));
    return Buffer.from(text, 'base64');
  }

  /** A CiphertextBlob: anything that is not a blob gets the one opaque InvalidCiphertext. */
  ciphertextBlob(name: string): Buffer {
    const text = this.requiredString(name);
    if (!isCanonicalBase64(text)) throw new KmsError('InvalidCiphertext');
    return Buffer.from(text, 'base64');
  }

  encryptionContext(name: string): EncryptionContext {
    const value = this.#value(name);
    if (value === undefined) return EMPTY_CONTEXT;
    if (typeof value !== 'object' || Array.isArray(value)) throw new KmsError('InvalidInput', fieldOf(name));
    return contextFromEntries(Object.entries(value as Record<string, unknown>), fieldOf(name));
  }

  keyReference(name: string, naming: KeyNaming): KeyReference {
    return parseAwsKeyReference(this.scope, this.requiredString(name), naming);
  }

  optionalKeyReference(name: string, naming: KeyNaming): KeyReference | undefined {
    const value = this.optionalString(name);
    return value === undefined || value === '' ? undefined : parseAwsKeyReference(this.scope, value, naming);
  }

  /** A list of strings (TagKeys, GrantTokens). */
  stringList(name: string): string[] {
    const value = this.#value(name);
    if (value === undefined) return [];
    if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
      throw new KmsError('InvalidInput', fieldOf(name));
    }
    return value;
  }

  /** `[{TagKey, TagValue}]`. */
  tags(name: string): Tag[] {
    const value = this.#value(name);
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw new KmsError('InvalidInput', 'tags');
    return value.map((item: unknown) => {
      if (typeof item !== 'object' || item === null) throw new KmsError('InvalidInput', 'tags');
      const { TagKey: tagKey, TagValue: tagValue } = item as Record<string, unknown>;
      if (typeof tagKey !== 'string' || typeof tagValue !== 'string') throw new KmsError('InvalidInput', 'tags');
      return { tagKey, tagValue };
    });
  }

  /** Refuses a member this server cannot honour, rather than ignore what the caller asked for. */
  refuse(name: string): void {
    if (this.#value(name) !== undefined) throw new KmsError('ActionNotSupported', name);
  }
}

/** `NumberOfBytes` → `numberOfBytes`: how AWS's messages name members. */
export function fieldOf(member: string): string {
  return member.charAt(0).toLowerCase() + member.slice(1);
}
