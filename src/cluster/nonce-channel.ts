import { isErrorKind, KmsError } from '../domain/errors.js';
import type { ReplayGuard } from '../api/signature/replay-guard.js';
import type { NonceRecorder } from '../api/signature/verify-request.js';

// The messages between a cluster's workers and its primary about nonces. The primary holds the
// one ReplayGuard; each worker asks it to record every verified nonce and waits for the answer, so
// a request replayed on a connection that another worker serves is refused all the same.

export interface NonceRequest {
  readonly type: 'nonce';
  readonly id: number;
  readonly accessKeyId: string;
  readonly nonce: string;
  readonly timestampMs: number;
  readonly nowMs: number;
}

export interface NonceAnswer {
  readonly type: 'nonce-answer';
  readonly id: number;
  /** Absent when the nonce was recorded; otherwise the refusal, to be raised in the worker. */
  readonly refusal?: { readonly errorName: string; readonly args: readonly string[] };
}

export function isNonceRequest(message: unknown): message is NonceRequest {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as Partial<Record<keyof NonceRequest, unknown>>;
  return (
    m.type === 'nonce' &&
    typeof m.id === 'number' &&
    typeof m.accessKeyId === 'string' &&
    typeof m.nonce === 'string' &&
    typeof m.timestampMs === 'number' &&
    typeof m.nowMs === 'number'
  );
}

function isNonceAnswer(message: unknown): message is NonceAnswer {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as Partial<Record<keyof NonceAnswer, unknown>>;
  return m.type === 'nonce-answer' && typeof m.id === 'number';
}

/** The primary's side: records the nonce in its guard and says what happened. */
export function answerNonceRequest(guard: Pick<ReplayGuard, 'recordNonce'>, request: NonceRequest): NonceAnswer {
  try {
    guard.recordNonce(request.accessKeyId, request.nonce, request.timestampMs, request.nowMs);
    return { type: 'nonce-answer', id: request.id };
  } catch (error) {
    const refusal = error instanceof KmsError ? { errorName: error.kind, args: error.args } : { errorName: 'Internal', args: [] };
    return { type: 'nonce-answer', id: request.id, refusal };
  }
}

/**
 * A worker's side: a NonceRecorder that asks the primary. The worker feeds it the primary's
 * messages (`receive`) and tells it when the channel closes (`disconnected`). Without a primary
 * every request is refused with `ServiceUnavailableTemporary`: a worker that cannot check for
 * replays must not accept requests.
 */
export class RemoteNonceRecorder implements NonceRecorder {
  readonly #send: (message: NonceRequest, onError: (error: Error) => void) => void;
  readonly #pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  #connected = true;
  #nextId = 1;

  /** `send` queues a message for the primary, and calls `onError` if it cannot be delivered. */
  constructor(send: (message: NonceRequest, onError: (error: Error) => void) => void) {
    this.#send = send;
  }

  receive(message: unknown): void {
    if (isNonceAnswer(message)) this.#settle(message);
  }

  /** Whether the primary can still be asked (the worker's replay-guard readiness). */
  get connected(): boolean {
    return this.#connected;
  }

  disconnected(): void {
    this.#connected = false;
    for (const { reject } of this.#pending.values()) reject(new KmsError('Unavailable'));
    this.#pending.clear();
  }

  recordNonce(accessKeyId: string, nonce: string, timestampMs: number, nowMs: number): Promise<void> {
    if (!this.#connected) return Promise.reject(new KmsError('Unavailable'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#send({ type: 'nonce', id, accessKeyId, nonce, timestampMs, nowMs }, () => {
        if (this.#pending.delete(id)) reject(new KmsError('Unavailable'));
      });
    });
  }

  #settle(answer: NonceAnswer): void {
    const waiting = this.#pending.get(answer.id);
    if (waiting === undefined) return;
    this.#pending.delete(answer.id);
    if (answer.refusal === undefined) waiting.resolve();
    else if (isErrorKind(answer.refusal.errorName)) waiting.reject(new KmsError(answer.refusal.errorName, ...answer.refusal.args));
    else waiting.reject(new KmsError('Internal'));
  }
}
