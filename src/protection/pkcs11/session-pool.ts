import type { Handle } from './binding.js';

/**
 * A fixed set of open sessions, each lent to one operation at a time: PKCS#11 runs one
 * cryptographic operation per session, so two requests never share one. A caller that finds
 * none free waits in line (first come, first served).
 */
export class SessionPool {
  readonly #free: Handle[];
  readonly #waiting: Array<(session: Handle) => void> = [];
  readonly #size: number;

  constructor(sessions: readonly Handle[]) {
    if (sessions.length === 0) throw new Error('a session pool needs at least one session');
    this.#free = [...sessions];
    this.#size = sessions.length;
  }

  /** Sessions lent out and waiting callers, for the metrics. */
  use(): { readonly size: number; readonly inUse: number; readonly waiting: number } {
    return { size: this.#size, inUse: this.#size - this.#free.length, waiting: this.#waiting.length };
  }

  acquire(): Promise<Handle> {
    const session = this.#free.pop();
    if (session !== undefined) return Promise.resolve(session);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  release(session: Handle): void {
    const next = this.#waiting.shift();
    if (next) next(session);
    else this.#free.push(session);
  }
}
