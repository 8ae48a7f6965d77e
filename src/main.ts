import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { buildApi } from './api/server.js';
import { ReplayGuard } from './api/signature/replay-guard.js';
import type { ArnScope } from './domain/arn.js';
import { ProtectionLevel } from './domain/key-spec.js';
import { systemClock, type Clock, type KeyProtector, type MetadataStore } from './domain/ports.js';
import { DEFAULT_MIN_ROTATION_INTERVAL_SECONDS } from './domain/rotation-interval.js';
import { SqliteKeyStore } from './keystore/sqlite/sqlite-key-store.js';
import { AccessKeys, type AccessKeyCredentials } from './operations/access-keys.js';
import { DEFAULT_KEY_RING_OPTIONS, KeyRing } from './operations/key-ring.js';
import { RootKey, SealPurpose, writeNewPrivateFile } from './protection/root-key.js';
import { SoftwareKeyProtector } from './protection/software-key-protector.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;
export const DEFAULT_DATA_DIR = './data';
export const DEFAULT_REGION = 'cn-hangzhou';
export const DEFAULT_ACCOUNT_ID = '1234567890123456';
export const DATABASE_FILE_NAME = 'arca.db';
export const ADMIN_KEY_FILE_NAME = 'admin-access-key.json';

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
  readonly minRotationIntervalSeconds?: number;
  /** Where the one-time messages go (the listening line, a new administrator key). */
  readonly announce?: (line: string) => void;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

/** The one place where adapters are chosen and wired together. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const logger = options.logger ?? pino({ level: options.environment.ARCA_LOG_LEVEL ?? 'info' });
  const announce = options.announce ?? ((line: string) => process.stdout.write(`${line}\n`));
  const clock = options.clock ?? systemClock;
  const scope: ArnScope = { region: options.region, accountId: options.accountId };

  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const { rootKey } = RootKey.loadOrCreate(options.dataDir, options.environment.ARCA_ROOT_KEY);
  const store = SqliteKeyStore.open(join(options.dataDir, DATABASE_FILE_NAME));
  try {
    await assertRootKeyMatches(store, rootKey);
    const protectors = new Map<ProtectionLevel, KeyProtector>([[ProtectionLevel.Software, new SoftwareKeyProtector(rootKey)]]);
    const keys = new KeyRing(store, protectors, clock, scope, DEFAULT_KEY_RING_OPTIONS);
    const accessKeys = new AccessKeys(store, rootKey, clock);
    await bootstrapAdministrator(accessKeys, options, announce);

    const app = buildApi({
      keys,
      accessKeys,
      replayGuard: new ReplayGuard(),
      clock,
      settings: { minRotationIntervalSeconds: options.minRotationIntervalSeconds ?? DEFAULT_MIN_ROTATION_INTERVAL_SECONDS },
      scope,
      logger,
    });
    await app.listen({ host: options.host, port: options.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : options.port;
    const url = `http://${formatHost(options.host)}:${port}`;
    announce(`arca listening on ${url}`);
    return {
      url,
      port,
      app,
      close: async () => {
        await app.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
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
