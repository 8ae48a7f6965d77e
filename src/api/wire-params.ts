import { contextFromEntries, EMPTY_CONTEXT, parseEncryptionContextJson, type EncryptionContext } from '../domain/encryption-context.js';
import type { ArnScope } from '../domain/arn.js';
import { KmsError } from '../domain/errors.js';
import type { KeyReference } from '../domain/key-reference.js';
import type { Page } from '../domain/ports.js';
import { parseDurationSeconds } from '../domain/rotation-interval.js';
import { bytesFromBase64, ciphertextFromBase64 } from './base64.js';
import { parseKeyReference } from './key-reference.js';

const INTEGER_PATTERN = /^-?[0-9]{1,15}$/;
export const MAX_PAGE_SIZE = 100;
const DEFAULT_PAGE_SIZE = 10;

/**
 * The request's parameters (query string and form body together, already decoded), with typed
 * readers that refuse malformed values with the catalog's MissingParameter / InvalidParameter.
 */
export class WireParams {
  readonly #values: ReadonlyMap<string, string>;
  readonly #scope: ArnScope;

  /** `scope`: the region and account whose Arns name keys here. */
  constructor(values: ReadonlyMap<string, string>, scope: ArnScope) {
    this.#values = values;
    this.#scope = scope;
  }

  /** A required key reference: a key id, an alias, or the Arn of either. */
  keyReference(name: string): KeyReference {
    return parseKeyReference(this.#scope, this.required(name));
  }

  /** A required CiphertextBlob (base64 on this wire); one opaque refusal for any that is not. */
  ciphertext(name: string): Buffer {
    return ciphertextFromBase64(this.required(name));
  }

  /** A required base64 parameter as bytes; InvalidParameter naming it when it is not base64. */
  base64(name: string): Buffer {
    return bytesFromBase64(this.required(name), name);
  }

  /** A duration such as `30d` or `604800s`, in seconds; InvalidParameter naming it when malformed. */
  optionalDurationSeconds(name: string): number | undefined {
    const value = this.#values.get(name);
    if (value === undefined || value === '') return undefined;
    const seconds = parseDurationSeconds(value);
    if (seconds === undefined) throw new KmsError('InvalidInput', name);
    return seconds;
  }

  /** An optional parameter that must be one of `allowed` (the wire strings of an enumeration). */
  optionalOneOf<T extends string>(name: string, allowed: Readonly<Record<string, T>>): T | undefined {
    const value = this.#values.get(name);
    if (value === undefined || value === '') return undefined;
    if (!Object.hasOwn(allowed, value)) throw new KmsError('InvalidInput', name);
    return allowed[value];
  }

  has(name: string): boolean {
    return this.#values.has(name);
  }

  /** Whether any parameter's name begins with `prefix` (the flattened `Name.key=value` form). */
  hasPrefix(prefix: string): boolean {
    for (const name of this.#values.keys()) if (name.startsWith(prefix)) return true;
    return false;
  }

  optional(name: string): string | undefined {
    return this.#values.get(name);
  }

  /** A parameter that must be present and non-empty. */
  required(name: string): string {
    const value = this.#values.get(name);
    if (value === undefined || value === '') throw new KmsError('MissingInput', name);
    return value;
  }

  optionalInteger(name: string): number | undefined {
    const value = this.#values.get(name);
    if (value === undefined || value === '') return undefined;
    if (!INTEGER_PATTERN.test(value)) throw new KmsError('InvalidInput', name);
    return Number(value);
  }

  requiredInteger(name: string): number {
    const value = this.optionalInteger(name);
    if (value === undefined) throw new KmsError('MissingInput', name);
    return value;
  }

  /** `true` / `false` in any letter case, as the SDKs send booleans. */
  optionalBoolean(name: string): boolean | undefined {
    const value = this.#values.get(name);
    if (value === undefined || value === '') return undefined;
    const lower = value.toLowerCase();
    if (lower !== 'true' && lower !== 'false') throw new KmsError('InvalidInput', name);
    return lower === 'true';
  }

  requiredBoolean(name: string): boolean {
    const value = this.optionalBoolean(name);
    if (value === undefined) throw new KmsError('MissingInput', name);
    return value;
  }

  dryRun(): boolean {
    return this.optionalBoolean('DryRun') ?? false;
  }

  /** A JSON-typed parameter; `undefined` when absent. Malformed JSON is InvalidParameter. */
  optionalJson(name: string): unknown {
    const value = this.#values.get(name);
    if (value === undefined || value === '') return undefined;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      throw new KmsError('InvalidInput', name);
    }
  }

  /**
   * An encryption context in either form: the JSON string the current SDKs send, or the
   * flattened `Name.key=value` parameters of the npm 1.2.0 SDK. Both at once is ambiguous.
   */
  encryptionContext(name: string): EncryptionContext {
    const json = this.#values.get(name);
    const prefix = `${name}.`;
    const flattened = [...this.#values].filter(([key]) => key.startsWith(prefix));
    if (json !== undefined && flattened.length > 0) throw new KmsError('InvalidInput', name);
    if (flattened.length > 0)
      return contextFromEntries(
        flattened.map(([key, value]) => [key.slice(prefix.length), value]),
        name,
      );
    if (json === undefined || json === '') return EMPTY_CONTEXT;
    return parseEncryptionContextJson(json, name);
  }

  /** PageNumber (≥ 1, default 1) and PageSize (1–100, default 10). */
  page(): Page {
    const pageNumber = this.optionalInteger('PageNumber') ?? 1;
    const pageSize = this.optionalInteger('PageSize') ?? DEFAULT_PAGE_SIZE;
    if (pageNumber < 1) throw new KmsError('InvalidInput', 'PageNumber');
    if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) throw new KmsError('InvalidInput', 'PageSize');
    return { pageNumber, pageSize };
  }
}
