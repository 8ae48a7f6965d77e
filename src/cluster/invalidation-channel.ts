import { isInvalidation, type Invalidation, type InvalidationChannel } from '../operations/key-repository.js';

/** The IPC message a worker sends its primary, and the primary forwards to the other workers. */
export interface InvalidationMessage {
  readonly type: 'invalidate';
  readonly change: Invalidation;
}

export function isInvalidationMessage(message: unknown): message is InvalidationMessage {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as Partial<Record<keyof InvalidationMessage, unknown>>;
  return m.type === 'invalidate' && isInvalidation(m.change);
}

/**
 * A worker's side: what this worker writes goes to the primary, which hands it to every other
 * worker; what arrives from the primary is another worker's write. A change lost with a dying
 * primary costs at most the record TTL of staleness, never a wrong answer about material: the
 * state is judged on the stored record at every write.
 */
export class WorkerInvalidationChannel implements InvalidationChannel {
  readonly #send: (message: InvalidationMessage) => void;
  readonly #handlers: ((change: Invalidation) => void)[] = [];

  constructor(send: (message: InvalidationMessage) => void) {
    this.#send = send;
  }

  publish(change: Invalidation): void {
    this.#send({ type: 'invalidate', change });
  }

  subscribe(handler: (change: Invalidation) => void): void {
    this.#handlers.push(handler);
  }

  /** Feeds a message from the primary; anything that is not an invalidation is ignored. */
  receive(message: unknown): void {
    if (!isInvalidationMessage(message)) return;
    for (const handler of this.#handlers) handler(message.change);
  }
}
