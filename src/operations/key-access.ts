import { keyArn } from '../domain/arn.js';
import { KmsError } from '../domain/errors.js';
import { reviseKey, type Key } from '../domain/key.js';
import { assertStateAllows, KeyState, type StateRule } from '../domain/key-state.js';
import { StoreConflictError } from '../domain/ports.js';
import { authorize } from './authorization.js';
import type { OperationContext } from './operation.js';

const MAX_WRITE_ATTEMPTS = 3;

/**
 * Resolves the key a KeyId parameter names, checks that the caller may act on it and that its
 * state allows the action, and records it for the audit event.
 */
export async function useKey(context: OperationContext, reference: string, action: string, rule: StateRule): Promise<Key> {
  const key = await context.keys.resolve(reference);
  return admitKey(context, key, action, rule);
}

export function admitKey(context: OperationContext, key: Key, action: string, rule: StateRule): Key {
  authorize(context.caller, action, keyArn(context.keys.scope, key.keyId));
  context.audit.keyId = key.keyId;
  assertStateAllows(rule, stateAt(key, context.clock.now()));
  return key;
}

/**
 * The key's state as the API must treat it at `nowMs`: imported material past its expiry time is
 * gone even before the expiry job's next tick destroys it, so the key is PendingImport from that
 * instant (a PendingDeletion key stays PendingDeletion, as the job leaves it).
 */
export function stateAt(key: Key, nowMs: number): KeyState {
  const expired = key.materialExpireTime !== null && key.materialExpireTime <= nowMs;
  return expired && key.keyState !== KeyState.PendingDeletion ? KeyState.PendingImport : key.keyState;
}

/**
 * Reads, changes and writes one key under optimistic concurrency. When another writer got
 * there first, the key is read again from the store and `change` re-applied to the fresh
 * record, so the state rule is always judged on what is really stored.
 */
export async function mutateKey(
  context: OperationContext,
  reference: string,
  action: string,
  rule: StateRule,
  change: (key: Key) => Partial<Omit<Key, 'keyId' | 'revision'>> | Promise<Partial<Omit<Key, 'keyId' | 'revision'>>>,
): Promise<Key> {
  for (let attempt = 1; ; attempt++) {
    const key = await useKey(context, reference, action, rule);
    // Whatever `change` reads besides the key (a version's material) is read again on a retry,
    // after the write that raced it.
    const next = reviseKey(key, await change(key));
    try {
      await context.keys.store.updateKey(next, key.revision);
      context.keys.remember(next);
      return next;
    } catch (error) {
      if (!(error instanceof StoreConflictError)) throw error;
      context.keys.forgetKey(key.keyId);
      if (error.reason === 'missing') throw new KmsError('ForbiddenKeyNotFound');
      if (attempt >= MAX_WRITE_ATTEMPTS) throw new KmsError('RejectedConcurrentModification');
    }
  }
}
