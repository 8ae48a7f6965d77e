import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { drainAndClose } from './api/drain.js';
import type { RateLimitOptions } from './api/rate-limiter.js';
import type { ReplayGuard } from './api/signature/replay-guard.js';
import type { NonceRecorder } from './api/signature/verify-request.js';
import {
  discardSnapshot,
  openReplayGuard,
  REPLAY_GUARD_SNAPSHOT_FILE_NAME,
  saveReplayGuard,
} from './api/signature/replay-guard-file.js';
import type { ArnScope } from './domain/arn.js';
import { ProtectionLevel } from './domain/key-spec.js';
import { systemClock, type Clock, type KeyProtector, type MetadataStore } from './domain/ports.js';
import { DEFAULT_MIN_ROTATION_INTERVAL_SECONDS } from './domain/rotation-interval.js';
import { JobScheduler } from './jobs/scheduler.js';
import { SqliteKeyStore } from './keystore/sqlite/sqlite-key-store.js';
import { AccessKeys, type AccessKeyCredentials } from './operations/access-keys.js';
import { composePipeline } from './bootstrap/compose-pipeline.js';
import { Pkcs11KeyProtector } from './protection/pkcs11/pkcs11-key-protector.js';
import { Pkcs11Token } from './protection/pkcs11/pkcs11-token.js';
import { TokenRootKey } from './protection/pkcs11/token-root-key.js';
import { RootKey, SealPurpose, writeNewPrivateFile } from './protection/root-key.js';
import { SoftwareKeyProtector } from './protection/software-key-protector.js';
import type { KeyedDigest, SecretSealer } from './domain/ports.js';
import { withSealedDigestKey } from './protection/sealed-digest-key.js';

import { DEFAULT_JOB_INTERVAL_MS } from './server-defaults.js';
export {
  DEFAULT_ACCOUNT_ID,
  DEFAULT_DATA_DIR,
  DEFAULT_HOST,
  DEFAULT_JOB_INTERVAL_MS,
  DEFAULT_PORT,
  DEFAULT_REGION,
} from './server-defaults.js';
export const DATABASE_FILE_NAME = 'arca.db';
export const ADMIN_KEY_FILE_NAME = 'admin-access-key.json';
export { REPLAY_GUARD_SNAPSHOT_FILE_NAME } from './api/signature/replay-guard-file.js';

export interface ServerOptions {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly region: string;
  readonly accountId: string;
  /** ARCA_ROOT_KEY, ARCA_ACCESS_KEY_ID and ARCA_ACCESS_KEY_SECRET are read from here. */
  readonly environment: Readonly<Record<string, string | undefined>>;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** The shortest RotationInterval a key may have (default 7 days). */
  readonly minRotationIntervalSeconds?: number;
  /**
   * The pause between two runs of the background jobs (automatic rotation, destruction after the
   * pending-deletion window); default 60 s. They also run once as the server starts.
   */
  readonly jobIntervalMs?: number;
  /** Where the one-time messages go (the listening line, a new administrator key). */
  readonly announce?: (line: string) => void;
  /** Throttles each access key (`--rate-limit`); no limit when absent. */
  readonly rateLimit?: RateLimitOptions;
  /** Set in a worker process of `arca server --workers N` (see src/cluster/). */
  readonly worker?: WorkerRole;
  /**
   * A PKCS#11 token for the HSM protection level (and, with `rootKeyLabel`, for the root key).
   * The user PIN is read from ARCA_PKCS11_PIN in `environment`, never from here.
   */
  readonly pkcs11?: Pkcs11Options;
}

export interface Pkcs11Options {
  /** `--pkcs11-module`: path of the PKCS#11 library. */
  readonly modulePath: string;
  /** `--pkcs11-token-label`: the token's label. */
  readonly tokenLabel: string;
  /** `--pkcs11-root-key-label`: keep the root key in the token under this label instead of root.key. */
  readonly rootKeyLabel?: string;
  /** Sessions kept open on the token (default 8). */
  readonly sessionCount?: number;
}

/**
 * What a worker of a cluster does differently: the primary prepared the data directory (root key,
 * schema, administrator key) and owns the one replay guard, which the worker reaches through
 * `nonces`; only the worker with `runsJobs` runs the background jobs.
 */
export interface WorkerRole {
  readonly nonces: NonceRecorder;
  readonly runsJobs: boolean;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

/**
 * The one place where adapters are chosen and wired together.
 *
 * Replays across a restart. The replay guard remembers the nonces of accepted requests in memory,
 * and a request stays acceptable for 15 minutes either side of its timestamp, so a request
 * captured before a restart must stay refused after it. What the new process remembers:
 * - `close()` (SIGTERM, SIGINT) writes the guard to `<data-dir>/replay-guard.snapshot` once the
 *   HTTP server has stopped taking requests; the next start restores the guard from it and deletes
 *   the file before it listens. A replay is refused with `SignatureNonceUsed`, every fresh request
 *   within the 15 minutes is accepted, and the start does not wait.
 * - no snapshot and no database before this start: a new data directory, where no request was
 *   ever accepted. Nothing to remember, no restriction, no wait.
 * - otherwise the previous process stopped without a snapshot (a crash, SIGKILL, power loss, a
 *   failed snapshot write) or left one that cannot be read (deleted, with a warning): what it
 *   accepted is unknown. This process then vouches only for requests signed after it started:
 *   timestamps before the next whole second (they have whole seconds) are refused with
 *   `InvalidTimeStamp.Expired`, a warning says so, and the server waits for that second before it
 *   listens. A snapshot carries this limit on, so a crash is not forgotten by a graceful restart
 *   less than 15 minutes later; after 15 minutes the limit refuses nothing the skew check passes.
 *
 * The background jobs start before the server listens, with a first tick at once (what fell due
 * while the server was down is done then), and stop before the store closes.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  if (options.worker !== undefined) return startWorker(options, options.worker);
  const logger = options.logger ?? createLogger(options);
  const announce = options.announce ?? announceOnStdout;
  const clock = options.clock ?? systemClock;
  const snapshotPath = join(options.dataDir, REPLAY_GUARD_SNAPSHOT_FILE_NAME);
  const replayGuard = openReplayGuardFor(options, clock, logger);
  let listening = false;
  try {
    const server = await startServing(options, { replayGuard, runsJobs: true, logger, clock, announce }, async () => {
      // Until now a failed start left the snapshot for the next one. From here on this process may
      // accept requests the snapshot does not hold, so it must not outlive the process: were it
      // still there after a crash, the next start would restore it and forget those requests.
      discardSnapshot(snapshotPath);
      // The guard refuses requests signed before rememberedSinceMs: under the crash rule that is the
      // next whole second, worth waiting for; otherwise it is -Infinity or in the past. (A snapshot's
      // limit found in the future after the clock stepped back is not waited for beyond a second.)
      await sleep(Math.min(1000, Math.max(0, replayGuard.rememberedSinceMs - clock.now())));
    });
    listening = true;
    announce(`arca listening on ${server.url}`);
    let closing: Promise<void> | undefined;
    return {
      ...server,
      // server.close() returns once the HTTP server takes no request and every one it took has
      // finished: the guard changes no more, so the snapshot misses nothing.
      close: () => (closing ??= server.close().then(() => saveReplayGuard(replayGuard, snapshotPath, clock, logger))),
    };
  } catch (error) {
    // A start that fails before it listens accepted no request: its guard still holds all there is
    // to know, so it is saved as at a graceful stop (the snapshot may be deleted already).
    if (!listening) saveReplayGuard(replayGuard, snapshotPath, clock, logger);
    throw error;
  }
}

/** A worker of a cluster: serves with the primary's replay guard and announces nothing. */
async function startWorker(options: ServerOptions, role: WorkerRole): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(options);
  const clock = options.clock ?? systemClock;
  return startServing(options, { replayGuard: role.nonces, runsJobs: role.runsJobs, logger, clock, announce: () => undefined }, () =>
    Promise.resolve(),
  );
}

function createLogger(options: ServerOptions): Logger {
  return pino({ level: options.environment.ARCA_LOG_LEVEL ?? 'info' });
}

function announceOnStdout(line: string): void {
  process.stdout.write(`${line}\n`);
}

/**
 * The replay guard a standalone server or a cluster's primary starts with, by the rules above.
 * Call it before `prepareDataDirectory`: whether the database existed before this start matters.
 */
export function openReplayGuardFor(options: Pick<ServerOptions, 'dataDir'>, clock: Clock, logger: Logger): ReplayGuard {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const databasePath = join(options.dataDir, DATABASE_FILE_NAME);
  return openReplayGuard(join(options.dataDir, REPLAY_GUARD_SNAPSHOT_FILE_NAME), !existsSync(databasePath), clock, logger);
}

/**
 * Everything a start does once per data directory, before any request: the root key (created on
 * first start), the schema, the root-key check, the administrator key. A cluster's primary runs it
 * alone, so its workers never race to create the same files.
 */
export async function prepareDataDirectory(options: ServerOptions, announce: (line: string) => void, logger: Logger): Promise<void> {
  const { store, rootKey, token } = await openDataDirectory(options, logger);
  try {
    await bootstrapAdministrator(new AccessKeys(store, rootKey, options.clock ?? systemClock), options, announce);
  } finally {
    try {
      await store.close();
    } finally {
      await token?.close();
    }
  }
}

interface OpenedDataDirectory {
  readonly store: SqliteKeyStore;
  readonly rootKey: SecretSealer;
  /** The root key's sealing and keyed digests (bring your own key: import tokens, commitments). */
  readonly secrets: SecretSealer & KeyedDigest;
  readonly token: Pkcs11Token | undefined;
}

/**
 * The token (when configured), the root key (from a file, the environment or the token, checked
 * against the data directory before anything is sealed with it), the store.
 */
async function openDataDirectory(options: ServerOptions, logger: Logger): Promise<OpenedDataDirectory> {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const databasePath = join(options.dataDir, DATABASE_FILE_NAME);
  const token = openToken(options, logger);
  let store: SqliteKeyStore | undefined;
  try {
    const rootKey = await loadRootKey(options, token, logger);
    createPrivateFileIfMissing(databasePath);
    store = SqliteKeyStore.open(databasePath);
    await assertRootKeyMatches(store, rootKey);
    const secrets: SecretSealer & KeyedDigest = rootKey instanceof RootKey ? rootKey : await withSealedDigestKey(rootKey, store);
    return { store, rootKey, secrets, token };
  } catch (error) {
    await store?.close();
    await token?.close();
    throw error;
  }
}

interface ServingRole {
  readonly replayGuard: NonceRecorder;
  readonly runsJobs: boolean;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly announce: (line: string) => void;
}

/**
 * Opens the store, starts the jobs (when this process runs them) and listens; `beforeListen` runs
 * last before the port opens. `close()` stops the jobs, then the HTTP server (finishing the
 * requests in flight), then the store and the token.
 */
async function startServing(options: ServerOptions, role: ServingRole, beforeListen: () => Promise<void>): Promise<RunningServer> {
  const { logger, clock, announce } = role;
  const scope: ArnScope = { region: options.region, accountId: options.accountId };
  const { store, rootKey, secrets, token } = await openDataDirectory(options, logger);
  let scheduler: JobScheduler | undefined;
  try {
    const protectors = new Map<ProtectionLevel, KeyProtector>([[ProtectionLevel.Software, new SoftwareKeyProtector(rootKey)]]);
    if (token) protectors.set(ProtectionLevel.Hsm, await Pkcs11KeyProtector.create(token, logger));
    const { app, jobs, accessKeys } = composePipeline({
      store,
      protectors,
      rootKey,
      secrets,
      clock,
      scope,
      logger,
      settings: { minRotationIntervalSeconds: options.minRotationIntervalSeconds ?? DEFAULT_MIN_ROTATION_INTERVAL_SECONDS },
      replayGuard: role.replayGuard,
      ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
      runsJobs: role.runsJobs,
      jobIntervalMs: options.jobIntervalMs ?? DEFAULT_JOB_INTERVAL_MS,
    });
    if (options.worker === undefined) await bootstrapAdministrator(accessKeys, options, announce);
    scheduler = jobs;
    jobs.start();
    await beforeListen();
    await app.listen({ host: options.host, port: options.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : options.port;
    const url = `http://${formatHost(options.host)}:${port}`;
    const shutdown = async (): Promise<void> => {
      // The jobs write to the store, so they stop (finishing the key in hand) before it closes.
      await jobs.stop();
      // drainAndClose returns once the HTTP server takes no request and every one it took has
      // finished (a standalone server's close() saves the replay guard after this).
      try {
        await drainAndClose(app);
      } finally {
        try {
          await store.close();
        } finally {
          await token?.close();
        }
      }
    };
    let closing: Promise<void> | undefined;
    return { url, port, app, close: () => (closing ??= shutdown()) };
  } catch (error) {
    await scheduler?.stop();
    await store.close();
    await token?.close();
    throw error;
  }
}

/**
 * Creates the database file with mode 0600 before SQLite opens it: SQLite gives its -wal and
 * -shm files the database file's permissions, so none of them is readable by other users.
 * (What they hold is sealed anyway; this is defence in depth.)
 */
function createPrivateFileIfMissing(path: string): void {
  closeSync(openSync(path, 'a', 0o600));
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

const ROOT_KEY_CHECK = 'root-key-check';

/**
 * A data directory remembers a value sealed by the root key it was created with. Starting with
 * another root key fails here, clearly, instead of failing every decryption later.
 */
async function assertRootKeyMatches(store: MetadataStore, rootKey: SecretSealer): Promise<void> {
  // A new data directory takes this root key's check value; of two first starts at once, the
  // first stored wins and the other is checked against it.
  const check =
    (await store.getMetadata(ROOT_KEY_CHECK)) ??
    (await store.putMetadataIfAbsent(ROOT_KEY_CHECK, await rootKey.seal(Buffer.alloc(0), SealPurpose.RootKeyCheck, ROOT_KEY_CHECK)));
  try {
    await rootKey.open(check, SealPurpose.RootKeyCheck, ROOT_KEY_CHECK);
  } catch {
    throw new Error('the root key does not match this data directory (wrong ARCA_ROOT_KEY, root.key file or PKCS#11 root key)');
  }
}

/** The PKCS#11 token when one is configured; its PIN comes from ARCA_PKCS11_PIN only. */
function openToken(options: ServerOptions, logger: Logger): Pkcs11Token | undefined {
  const pkcs11 = options.pkcs11;
  if (!pkcs11) return undefined;
  const pin = options.environment.ARCA_PKCS11_PIN;
  if (pin === undefined || pin === '') throw new Error('a PKCS#11 token needs its user PIN in the environment variable ARCA_PKCS11_PIN');
  return Pkcs11Token.open(
    { modulePath: pkcs11.modulePath, tokenLabel: pkcs11.tokenLabel, pin, ...(pkcs11.sessionCount ? { sessionCount: pkcs11.sessionCount } : {}) },
    logger,
  );
}

/**
 * The root key: a token key when `--pkcs11-root-key-label` is given, else ARCA_ROOT_KEY or
 * the key file in the data directory (created on first start).
 */
async function loadRootKey(options: ServerOptions, token: Pkcs11Token | undefined, logger: Logger): Promise<SecretSealer> {
  const label = options.pkcs11?.rootKeyLabel;
  if (label === undefined) return RootKey.loadOrCreate(options.dataDir, options.environment.ARCA_ROOT_KEY).rootKey;
  if (options.environment.ARCA_ROOT_KEY) throw new Error('choose one root key: ARCA_ROOT_KEY or --pkcs11-root-key-label, not both');
  if (!token) throw new Error('--pkcs11-root-key-label needs --pkcs11-module and --pkcs11-token-label');
  return (await TokenRootKey.findOrCreate(token, label, logger)).rootKey;
}

/**
 * ARCA_ACCESS_KEY_ID and ARCA_ACCESS_KEY_SECRET, when both are set, name an administrator key
 * that must exist. Otherwise the first start creates one, prints it once, and writes it to
 * `<data-dir>/admin-access-key.json` (mode 0600).
 */
async function bootstrapAdministrator(
  accessKeys: AccessKeys,
  options: ServerOptions,
  announce: (line: string) => void,
): Promise<void> {
  const { ARCA_ACCESS_KEY_ID: accessKeyId, ARCA_ACCESS_KEY_SECRET: accessKeySecret } = options.environment;
  if (accessKeyId && accessKeySecret) {
    await accessKeys.ensureAdministrator({ accessKeyId, accessKeySecret });
    return;
  }
  if (!(await accessKeys.isEmpty())) return;
  const credentials: AccessKeyCredentials = AccessKeys.generateCredentials();
  await accessKeys.ensureAdministrator(credentials);
  const path = join(options.dataDir, ADMIN_KEY_FILE_NAME);
  writeNewPrivateFile(path, `${JSON.stringify({ AccessKeyId: credentials.accessKeyId, AccessKeySecret: credentials.accessKeySecret }, null, 2)}\n`);
  announce(`created an administrator access key (shown once; also saved to ${path}):`);
  announce(`  AccessKeyId:     ${credentials.accessKeyId}`);
  announce(`  AccessKeySecret: ${credentials.accessKeySecret}`);
}
