/** One thing the server needs before it can serve: the store, the root key, the token, the replay guard… */
export interface ReadinessCheck {
  /** A short stable name, shown in `/ready`'s body (`store`, `root-key`, `hsm`, `replay-guard`). */
  readonly name: string;
  /** Resolves with true when ready; false or a rejection means not ready. */
  check(): boolean | Promise<boolean>;
}

/** How each check answered: `ok`, `pending` (not provided yet) or `failing` (false, a rejection, or no answer in time). */
export type CheckState = 'ok' | 'pending' | 'failing';

export interface ReadinessReport {
  readonly ready: boolean;
  readonly draining: boolean;
  readonly checks: Readonly<Record<string, CheckState>>;
}

/** A check that takes longer than this answers `failing`: a probe must not hang on a stuck token or disk. */
const CHECK_TIMEOUT_MS = 2000;

/**
 * Whether the server should be sent traffic (`GET /ready`), as a small list of named checks: the
 * start declares the names it will provide, each part of the start provides its check once it
 * is open, and a name not provided yet is `pending`. The server is ready when every named check
 * passes and it is not draining. `/health` stays a liveness check and asks none of this.
 *
 * A later part (a PostgreSQL database) adds its name to the list and provides its check.
 */
export class Readiness {
  readonly #checks = new Map<string, ReadinessCheck | undefined>();
  #draining = false;

  constructor(expected: readonly string[] = []) {
    for (const name of expected) this.#checks.set(name, undefined);
  }

  /** Adds a check, or provides one the start declared. */
  provide(check: ReadinessCheck): void {
    this.#checks.set(check.name, check);
  }

  /** From now on not ready (SIGTERM): the requests in flight finish, new traffic should go elsewhere. */
  startDraining(): void {
    this.#draining = true;
  }

  get draining(): boolean {
    return this.#draining;
  }

  async report(): Promise<ReadinessReport> {
    const entries = await Promise.all([...this.#checks].map(async ([name, check]) => [name, await stateOf(check)] as const));
    const checks = Object.fromEntries(entries);
    const ready = !this.#draining && entries.every(([, state]) => state === 'ok');
    return { ready, draining: this.#draining, checks };
  }
}

async function stateOf(check: ReadinessCheck | undefined): Promise<CheckState> {
  if (check === undefined) return 'pending';
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS);
    timer.unref();
  });
  try {
    return (await Promise.race([Promise.resolve().then(() => check.check()), timeout])) ? 'ok' : 'failing';
  } catch {
    return 'failing';
  } finally {
    clearTimeout(timer);
  }
}

/** `/ready`'s answer: 200 when ready, else 503, with each check's state. */
export async function readinessAnswer(readiness: Readiness): Promise<{ status: number; body: Record<string, unknown> }> {
  const report = await readiness.report();
  const status = report.ready ? 'ready' : report.draining ? 'draining' : 'not ready';
  return { status: report.ready ? 200 : 503, body: { status, checks: report.checks } };
}
