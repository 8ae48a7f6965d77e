import type { Clock, KeyedDigest, Page, PageOf, SecretSealer } from '../domain/ports.js';
import type { KeyRing } from './key-ring.js';

/** Who is calling: resolved from the access key that signed the request. */
export interface Caller {
  readonly accessKeyId: string;
  readonly principal: string;
}

/** Server-wide settings the operations need; filled in once at start-up. */
export interface OperationSettings {
  readonly minRotationIntervalSeconds: number;
}

/**
 * What the operation touched, for the audit event the transport writes. Operations fill it in;
 * it never holds plaintext or key material.
 */
export interface AuditTrail {
  keyId?: string;
  keyVersionId?: string;
}

export interface OperationContext {
  readonly caller: Caller;
  readonly requestId: string;
  readonly keys: KeyRing;
  readonly clock: Clock;
  readonly settings: OperationSettings;
  readonly audit: AuditTrail;
  /**
   * The root key's sealing and keyed digests, for bring your own key: the wrapping private key
   * travels sealed in the ImportToken, and imported material is remembered by a keyed commitment.
   */
  readonly secrets: SecretSealer & KeyedDigest;
}

/**
 * One use case of the API, free of any wire format: inputs and outputs are plain typed values,
 * refusals are `KmsError`s from the catalog.
 */
export interface Operation<Input, Output> {
  readonly name: string;
  execute(context: OperationContext, input: Input): Promise<Output>;
}

export function defineOperation<Input, Output>(
  name: string,
  execute: (context: OperationContext, input: Input) => Promise<Output>,
): Operation<Input, Output> {
  return { name, execute };
}

/** A page of a list, with the paging it was asked for (list responses echo both). */
export type Paged<T> = PageOf<T> & Page;
