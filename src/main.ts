import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { buildApi } from './api/server.js';
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
import { DeletionJob } from './jobs/deletion-job.js';
import { RotationJob } from './jobs/rotation-job.js';
import { JobScheduler } from './jobs/scheduler.js';
import { SqliteKeyStore } from './keystore/sqlite/sqlite-key-store.js';
import { AccessKeys, type AccessKeyCredentials } from './operations/access-keys.js';
import { DEFAULT_KEY_RING_OPTIONS, KeyRing } from './operations/key-ring.js';
import { RootKey, SealPurpose, writeNewPrivateFile } from './protection/root-key.js';
import { SoftwareKeyProtector } from './protection/software-key-protector.js';

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
  const logger = options.logger ?? pino({ level: options.environment.ARCA_LOG_LEVEL ?? 'info' });
  const announce = options.announce ?? ((line: string) => process.stdout.write(`${line}\n`));
  const clock = options.clock ?? systemClock;
  const scope: ArnScope = { region: options.region, accountId: options.accountId };

  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const databasePath = join(options.dataDir, DATABASE_FILE_NAME);
  const snapshotPath = join(options.dataDir, REPLAY_GUARD_SNAPSHOT_FILE_NAME);
  const replayGuard = openReplayGuard(snapshotPath, !existsSync(databasePath), clock, logger);
  const { rootKey } = RootKey.loadOrCreate(options.dataDir, options.environment.ARCA_ROOT_KEY);
  createPrivateFileIfMissing(databasePath);
  const store = SqliteKeyStore.open(databasePath);
  let scheduler: JobScheduler | undefined;
  let listening = false;
  try {
    await assertRootKeyMatches(store, rootKey);
    const protectors = new Map<ProtectionLevel, KeyProtector>([[ProtectionLevel.Software, new SoftwareKeyProtector(rootKey)]]);
    const keys = new KeyRing(store, protectors, clock, scope, DEFAULT_KEY_RING_OPTIONS);
    const accessKeys = new AccessKeys(store, rootKey, clock);
    await bootstrapAdministrator(accessKeys, options, announce);

    const app = buildApi({
      keys,
      accessKeys,
      replayGuard,
      clock,
      settings: { minRotationIntervalSeconds: options.minRotationIntervalSeconds ?? DEFAULT_MIN_ROTATION_INTERVAL_SECONDS },
      scope,
      logger,
    });
    const jobs = new JobScheduler({
      jobs: [new RotationJob(keys, clock), new DeletionJob(keys)],
      clock,
      intervalMs: options.jobIntervalMs ?? DEFAULT_JOB_INTERVAL_MS,
      logger,
    });
    scheduler = jobs;
    jobs.start();
    // Until now a failed start left the snapshot for the next one. From here on this process may
    // accept requests the snapshot does not hold, so it must not outlive the process: were it
    // still there after a crash, the next start would restore it and forget those requests.
    discardSnapshot(snapshotPath);
    // The guard refuses requests signed before rememberedSinceMs: under the crash rule that is the
    // next whole second, worth waiting for; otherwise it is -Infinity or in the past. (A snapshot's
    // limit found in the future after the clock stepped back is not waited for beyond a second.)
    await sleep(Math.min(1000, Math.max(0, replayGuard.rememberedSinceMs - clock.now())));
    await app.listen({ host: options.host, port: options.port });
    listening = true;
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : options.port;
    const url = `http://${formatHost(options.host)}:${port}`;
    announce(`arca listening on ${url}`);
    const shutdown = async (): Promise<void> => {
      // The jobs write to the store, so they stop (finishing the key in hand) before it closes.
      await jobs.stop();
      // app.close() returns once the HTTP server takes no request and every one it took has
      // finished: the guard changes no more, so the snapshot misses nothing.
      await app.close();
      try {
        saveReplayGuard(replayGuard, snapshotPath, clock, logger);
      } finally {
        await store.close();
      }
    };
    let closing: Promise<void> | undefined;
    return {
      url,
      port,
      app,
      close: () => (closing ??= shutdown()),
    };
  } catch (error) {
    await scheduler?.stop();
    // A start that fails before it listens accepted no request: its guard still holds all there is
    // to know, so it is saved as at a graceful stop (the snapshot may be deleted already).
    if (!listening) saveReplayGuard(replayGuard, snapshotPath, clock, logger);
    await store.close();
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
async function assertRootKeyMatches(store: MetadataStore, rootKey: RootKey): Promise<void> {
  const check = await store.getMetadata(ROOT_KEY_CHECK);
  if (check === undefined) {
    await store.putMetadata(ROOT_KEY_CHECK, await rootKey.seal(Buffer.alloc(0), SealPurpose.RootKeyCheck, ROOT_KEY_CHECK));
    return;
  }
  try {
    await rootKey.open(check, SealPurpose.RootKeyCheck, ROOT_KEY_CHECK);
  } catch {
    throw new Error('the root key does not match this data directory (wrong ARCA_ROOT_KEY or root.key file)');
  }
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
