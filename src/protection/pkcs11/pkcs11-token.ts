import type { Logger } from 'pino';
import { AeadAuthenticationError } from '../../crypto/aead.js';
import { KmsError } from '../../domain/errors.js';
import { ck, loadModule, mechanismName, returnValueName, returnValueOf, type Handle, type Pkcs11Module } from './binding.js';
import { SessionPool } from './session-pool.js';
import { meansTokenUnavailable, TokenUnavailableError } from './token-errors.js';
import { TokenSession } from './token-session.js';

export interface Pkcs11Settings {
  /** Path of the PKCS#11 library (`--pkcs11-module`). */
  readonly modulePath: string;
  /** CKA label of the token to use (`--pkcs11-token-label`). */
  readonly tokenLabel: string;
  /** The user PIN, from ARCA_PKCS11_PIN only. Never logged. */
  readonly pin: string;
  /** Sessions kept open, each running one operation at a time: one owns the session objects, the others run cryptographic operations (default 8). */
  readonly sessionCount?: number;
  /** The shortest pause between two attempts to rebuild a lost connection (default 1 s). */
  readonly reconnectIntervalMs?: number;
}

export const DEFAULT_SESSION_COUNT = 8;
const DEFAULT_RECONNECT_INTERVAL_MS = 1_000;

interface Connection {
  readonly generation: number;
  readonly slot: Handle;
  /** Sessions for cryptographic operations; they own no objects, so one can be replaced. */
  readonly pool: SessionPool;
  /**
   * The session that creates every session object (unwrapped and freshly generated keys). A
   * session object lives until the session that made it closes, so this one stays open for the
   * whole connection and is lent to one operation at a time, in turn.
   */
  readonly owner: Handle;
  ownerTurn: Promise<void>;
  readonly mechanisms: ReadonlySet<number>;
}

/**
 * Arca's connection to one PKCS#11 token: the library initialised once with OS locking, the
 * user logged in, a pool of sessions, and the rebuild of all of it when the token goes away.
 *
 * Every use goes through `run`, which lends a session to one operation. When the token answers
 * that it, a session or an object is gone (see token-errors.ts), the request gets 503
 * `ServiceUnavailableTemporary`, the cause goes to the log, and the connection is marked broken:
 * the next `run` waits for the operations still in flight, finalizes the library, initialises it
 * again, finds the token by its label, logs in and opens fresh sessions (at most one attempt per
 * `reconnectIntervalMs`; until one succeeds, every request gets 503 at once). Each connection
 * has a generation number: session objects made under one generation are void in the next, so
 * the users of `run` keep their handles per generation.
 */
export class Pkcs11Token {
  readonly #module: Pkcs11Module;
  readonly #tokenLabel: string;
  readonly #pin: string;
  readonly #sessionCount: number;
  readonly #reconnectIntervalMs: number;
  readonly #logger: Logger;
  #connection: Connection;
  #broken = false;
  #reconnecting: Promise<Connection> | undefined;
  #lastReconnectAt = 0;
  #inFlight = 0;
  #drained: Array<() => void> = [];
  #closed = false;

  private constructor(module: Pkcs11Module, settings: Pkcs11Settings, logger: Logger, connection: Connection) {
    this.#module = module;
    this.#tokenLabel = settings.tokenLabel;
    this.#pin = settings.pin;
    this.#sessionCount = settings.sessionCount ?? DEFAULT_SESSION_COUNT;
    this.#reconnectIntervalMs = settings.reconnectIntervalMs ?? DEFAULT_RECONNECT_INTERVAL_MS;
    this.#logger = logger;
    this.#connection = connection;
  }

  /** Loads the library, initialises it and connects; throws a clear error when it cannot. */
  static open(settings: Pkcs11Settings, logger: Logger): Pkcs11Token {
    if (settings.tokenLabel === '') throw new Error('the PKCS#11 token label is empty');
    const sessionCount = settings.sessionCount ?? DEFAULT_SESSION_COUNT;
    if (!Number.isInteger(sessionCount) || sessionCount < 2 || sessionCount > 256) throw new Error('the PKCS#11 session count is 2 to 256');
    let module: Pkcs11Module;
    try {
      module = loadModule(settings.modulePath);
    } catch (error) {
      throw new Error(`cannot load the PKCS#11 module ${settings.modulePath}: ${error instanceof Error ? error.message : String(error)}`);
    }
    try {
      initialize(module);
      const connection = connect(module, settings.tokenLabel, settings.pin, sessionCount, 1);
      return new Pkcs11Token(module, settings, logger, connection);
    } catch (error) {
      finalizeQuietly(module);
      throw error;
    }
  }

  get tokenLabel(): string {
    return this.#tokenLabel;
  }

  /** The current connection's session pool: its size, sessions lent out, callers waiting. */
  sessionUse(): { readonly size: number; readonly inUse: number; readonly waiting: number } {
    return this.#connection.pool.use();
  }

  /** Whether operations can run now: open, and not between a lost connection and its replacement. */
  get usable(): boolean {
    return !this.#closed && !this.#broken;
  }

  hasMechanism(mechanism: number): boolean {
    return this.#connection.mechanisms.has(mechanism);
  }

  /** The token's mechanisms by name, for the start-up log and docs. */
  mechanismNames(): string[] {
    return [...this.#connection.mechanisms].map(mechanismName).sort();
  }

  /**
   * Lends a session to `work` for one operation. Token loss becomes `KmsError`
   * ServiceUnavailableTemporary; `AeadAuthenticationError` and catalog errors pass through.
   */
  async run<T>(operation: string, work: (session: TokenSession) => Promise<T>): Promise<T> {
    const connection = await this.#usableConnection();
    this.#inFlight += 1;
    let session: Handle | undefined;
    try {
      session = await connection.pool.acquire();
      return await work(new TokenSession(this.#module, session, connection.generation));
    } catch (error) {
      const translated = this.#translate(operation, error, connection);
      // An error Arca did not expect may have left an operation active on the session: replace
      // it rather than lend it out again.
      if (session !== undefined && translated === error && !isExpected(error)) session = this.#replaceSession(connection, session);
      throw translated;
    } finally {
      if (session !== undefined) connection.pool.release(session);
      this.#leave();
    }
  }

  /**
   * Like `run`, with the session that owns the connection's session objects: for every call
   * that creates or destroys one. Calls take turns on it.
   */
  async runAsOwner<T>(operation: string, work: (session: TokenSession) => Promise<T>): Promise<T> {
    const connection = await this.#usableConnection();
    this.#inFlight += 1;
    const previous = connection.ownerTurn;
    let endTurn = (): void => {};
    connection.ownerTurn = new Promise((resolve) => {
      endTurn = resolve;
    });
    try {
      await previous;
      return await work(new TokenSession(this.#module, connection.owner, connection.generation));
    } catch (error) {
      throw this.#translate(operation, error, connection);
    } finally {
      endTurn();
      this.#leave();
    }
  }

  /** The generation of the connection in use now. */
  get generation(): number {
    return this.#connection.generation;
  }

  #leave(): void {
    this.#inFlight -= 1;
    if (this.#inFlight === 0) for (const wake of this.#drained.splice(0)) wake();
  }

  /**
   * A fresh session in place of `session`. When none can be opened the old one goes back to the
   * pool (the pool never shrinks, so no caller waits for a session that will not come) and the
   * connection is marked broken: the next use rebuilds it whole.
   */
  #replaceSession(connection: Connection, session: Handle): Handle {
    try {
      const fresh = this.#module.C_OpenSession(connection.slot, ck.CKF_SERIAL_SESSION | ck.CKF_RW_SESSION);
      closeQuietly(this.#module, session);
      return fresh;
    } catch (error) {
      this.#logger.warn({ err: error, tokenLabel: this.#tokenLabel }, 'could not replace a PKCS#11 session; reconnecting');
      if (connection === this.#connection) this.#broken = true;
      return session;
    }
  }

  /** Closes every session and finalizes the library. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#drain();
    finalizeQuietly(this.#module);
  }

  #translate(operation: string, error: unknown, connection: Connection): unknown {
    if (error instanceof KmsError || error instanceof AeadAuthenticationError) return error;
    if (!meansTokenUnavailable(error)) return error;
    if (connection === this.#connection && !this.#broken) {
      this.#broken = true;
      this.#logger.warn(
        { err: new TokenUnavailableError(operation, error), tokenLabel: this.#tokenLabel },
        'PKCS#11 token unavailable; reconnecting',
      );
    }
    return new KmsError('Unavailable');
  }

  async #usableConnection(): Promise<Connection> {
    if (this.#closed) throw new KmsError('Unavailable');
    if (!this.#broken) return this.#connection;
    this.#reconnecting ??= this.#reconnect().finally(() => {
      this.#reconnecting = undefined;
    });
    return this.#reconnecting;
  }

  async #reconnect(): Promise<Connection> {
    const now = Date.now();
    if (now - this.#lastReconnectAt < this.#reconnectIntervalMs) throw new KmsError('Unavailable');
    this.#lastReconnectAt = now;
    // C_Finalize must not run under an operation on the thread pool: wait for them (on a lost
    // token they fail fast).
    await this.#drain();
    try {
      finalizeQuietly(this.#module);
      initialize(this.#module);
      const connection = connect(this.#module, this.#tokenLabel, this.#pin, this.#sessionCount, this.#connection.generation + 1);
      this.#connection = connection;
      this.#broken = false;
      this.#logger.warn({ tokenLabel: this.#tokenLabel }, 'PKCS#11 token reconnected');
      return connection;
    } catch (error) {
      this.#logger.warn({ err: error, tokenLabel: this.#tokenLabel }, 'PKCS#11 token still unavailable');
      throw new KmsError('Unavailable');
    }
  }

  #drain(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drained.push(resolve));
  }
}

function closeQuietly(module: Pkcs11Module, session: Handle): void {
  try {
    module.C_CloseSession(session);
  } catch {
    // A session that will not close is gone already.
  }
}

function isExpected(error: unknown): boolean {
  return error instanceof KmsError || error instanceof AeadAuthenticationError || meansTokenUnavailable(error);
}

function initialize(module: Pkcs11Module): void {
  try {
    // OS locking: the module guards its own state with native mutexes, since the binding's
    // asynchronous calls run on several threads at once.
    module.C_Initialize({ flags: ck.CKF_OS_LOCKING_OK });
  } catch (error) {
    if (returnValueOf(error) !== ck.CKR_CRYPTOKI_ALREADY_INITIALIZED) throw describe('C_Initialize', error);
  }
}

function finalizeQuietly(module: Pkcs11Module): void {
  try {
    module.C_Finalize();
  } catch {
    // Already finalized, or the module is in no state to say: either way nothing is left to close.
  }
}

function connect(module: Pkcs11Module, tokenLabel: string, pin: string, sessionCount: number, generation: number): Connection {
  const slot = findSlot(module, tokenLabel);
  const sessions: Handle[] = [];
  try {
    for (let i = 0; i < sessionCount; i++) sessions.push(module.C_OpenSession(slot, ck.CKF_SERIAL_SESSION | ck.CKF_RW_SESSION));
  } catch (error) {
    throw describe(`C_OpenSession on token "${tokenLabel}"`, error);
  }
  const first = sessions.pop();
  if (first === undefined || sessions.length === 0) throw new Error('the PKCS#11 connection needs at least two sessions');
  try {
    // Login is per application, not per session: one C_Login serves every session.
    module.C_Login(first, ck.CKU_USER, pin);
  } catch (error) {
    if (returnValueOf(error) !== ck.CKR_USER_ALREADY_LOGGED_IN) throw describe(`login to token "${tokenLabel}"`, error);
  }
  return {
    generation,
    slot,
    pool: new SessionPool(sessions),
    owner: first,
    ownerTurn: Promise.resolve(),
    mechanisms: new Set(module.C_GetMechanismList(slot)),
  };
}

function findSlot(module: Pkcs11Module, tokenLabel: string): Handle {
  let slots: Handle[];
  try {
    slots = module.C_GetSlotList(true);
  } catch (error) {
    throw describe('C_GetSlotList', error);
  }
  const labels: string[] = [];
  for (const slot of slots) {
    let label: string;
    try {
      label = module.C_GetTokenInfo(slot).label.trimEnd();
    } catch {
      continue; // a slot whose token cannot be read is not the one asked for
    }
    if (label === tokenLabel) return slot;
    labels.push(label);
  }
  throw new Error(`no PKCS#11 token labelled "${tokenLabel}" (tokens present: ${labels.map((l) => `"${l}"`).join(', ') || 'none'})`);
}

function describe(what: string, error: unknown): Error {
  const code = returnValueOf(error);
  return new Error(
    `PKCS#11 ${what} failed: ${code === undefined ? (error instanceof Error ? error.message : String(error)) : returnValueName(code)}`,
    {
      cause: error,
    },
  );
}
