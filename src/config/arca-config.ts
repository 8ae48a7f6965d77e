import type { RateLimitOptions } from '../api/rate-limiter.js';
import type { ConnectionLimits } from '../api/server.js';
import { ConfigError } from './config-error.js';
import { ALL_SETTINGS, SETTING_TABLES, SETTINGS, settingByKey, type FileValue, type LogLevel, type Setting } from './settings.js';

/**
 * Everything `arca server` runs with, validated: built once from the configuration file, the
 * environment and the flags (src/config/load-config.ts), and handed whole to each worker of a
 * cluster, which validates it again with the same `configFromSettings`. Secrets are never part of
 * it: the root key, the access key secret and the PKCS#11 PIN stay in the environment.
 */
export interface ArcaConfig {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** The region named in Arns. */
  readonly region: string;
  /** The account named in Arns. */
  readonly accountId: string;
  /** The shortest RotationInterval a key may have. */
  readonly minRotationIntervalSeconds: number;
  /** The pause between two runs of the background jobs, which also run once as the server starts. */
  readonly jobIntervalMs: number;
  /** Worker processes sharing the port; 1 runs no cluster. */
  readonly workers: number;
  /** Timeouts and the connection cap of the HTTP server (of each worker's). */
  readonly connections: ConnectionLimits;
  readonly logLevel: LogLevel;
  /** The base of the error bodies' Recommend link; the server's own /docs/errors.md when absent. */
  readonly errorHelpUrl?: string;
  /** Throttles each access key; no limit when absent. */
  readonly rateLimit?: RateLimitOptions;
  /** A PKCS#11 token for the HSM protection level (and, with `rootKeyLabel`, for the root key). */
  readonly pkcs11?: Pkcs11Config;
  /** Where the keys are stored. */
  readonly database: DatabaseConfig;
  /** The audit checkpoint signing key's file; `<data-dir>/audit-signing.key` when absent. */
  readonly auditKeyFile?: string;
  /** A file that receives every audit event as a JSON line, besides the trail in the database. */
  readonly auditFile?: string;
  /** Audit records older than this are exported, then pruned; kept forever when absent. */
  readonly auditRetentionDays?: number;
  /** Where pruned audit records go; `<data-dir>/audit-retained.jsonl` when absent. */
  readonly auditRetentionFile?: string;
}

/** The PKCS#11 token; its user PIN is read from ARCA_PKCS11_PIN only, never from here. */
export interface Pkcs11Config {
  /** Path of the PKCS#11 library. */
  readonly modulePath: string;
  readonly tokenLabel: string;
  /** Keep the root key in the token under this label instead of root.key. */
  readonly rootKeyLabel?: string;
  /** Sessions kept open on the token (the token's default when absent). */
  readonly sessionCount?: number;
}

/**
 * The store, by kind: the store factory (src/bootstrap/store-factory.ts) opens the one named
 * here. SQLite in the data directory is the only kind so far; PostgreSQL comes next.
 */
export type DatabaseConfig = { readonly kind: 'sqlite' };

/** Settings by key, each value as a configuration file holds it (`{ 'pkcs11.module': '/usr/lib/…' }`). */
export type SettingValues = ReadonlyMap<string, unknown>;

// Named so that someone who puts a secret in the file learns where it goes instead.
const SECRET_LOOKING_KEY = /(^|[-_.])(secret|pin|password|passphrase|key|credentials?)([-_.]|$)/i;
const SECRETS_BY_ENVIRONMENT =
  'secrets are read from the environment only (ARCA_ROOT_KEY, ARCA_PKCS11_PIN, ARCA_ACCESS_KEY_ID and ARCA_ACCESS_KEY_SECRET), never from a configuration file';

/**
 * The one validator: refuses unknown keys and bad values (naming the key), applies the defaults
 * and the rules between settings. The loader and a cluster's workers both build their
 * configuration with it.
 */
export function configFromSettings(values: SettingValues): ArcaConfig {
  refuseUnknownKeys(values);
  const value = <T>(setting: Setting<T>): T | undefined => {
    const given = values.get(setting.key);
    return given === undefined ? setting.defaultValue : setting.read(given);
  };
  const required = <T>(setting: Setting<T>): T => {
    const found = value(setting);
    if (found === undefined) throw new ConfigError(setting.key, 'is missing');
    return found;
  };
  const errorHelpUrl = value(SETTINGS.errorHelpUrl);
  const auditKeyFile = value(SETTINGS.auditKeyFile);
  const auditFile = value(SETTINGS.auditFile);
  const auditRetentionDays = value(SETTINGS.auditRetentionDays);
  const auditRetentionFile = value(SETTINGS.auditRetentionFile);
  const rateLimit = rateLimitFrom(value(SETTINGS.rateLimit), value(SETTINGS.rateLimitBurst));
  const connections = connectionLimitsFrom(
    required(SETTINGS.requestTimeoutMs),
    required(SETTINGS.headersTimeoutMs),
    required(SETTINGS.keepAliveTimeoutMs),
    required(SETTINGS.maxConnections),
  );
  const pkcs11 = pkcs11From(
    value(SETTINGS.pkcs11Module),
    value(SETTINGS.pkcs11TokenLabel),
    value(SETTINGS.pkcs11RootKeyLabel),
    value(SETTINGS.pkcs11SessionCount),
  );
  return {
    host: required(SETTINGS.host),
    port: required(SETTINGS.port),
    dataDir: required(SETTINGS.dataDir),
    region: required(SETTINGS.region),
    accountId: required(SETTINGS.accountId),
    minRotationIntervalSeconds: required(SETTINGS.minRotationIntervalSeconds),
    jobIntervalMs: required(SETTINGS.jobIntervalMs),
    workers: required(SETTINGS.workers),
    connections,
    logLevel: required(SETTINGS.logLevel),
    ...(errorHelpUrl === undefined ? {} : { errorHelpUrl }),
    ...(rateLimit === undefined ? {} : { rateLimit }),
    ...(pkcs11 === undefined ? {} : { pkcs11 }),
    database: { kind: 'sqlite' },
    ...(auditKeyFile === undefined ? {} : { auditKeyFile }),
    ...(auditFile === undefined ? {} : { auditFile }),
    ...(auditRetentionDays === undefined ? {} : { auditRetentionDays }),
    ...(auditRetentionFile === undefined ? {} : { auditRetentionFile }),
  };
}

function refuseUnknownKeys(values: SettingValues): void {
  for (const key of values.keys()) {
    if (settingByKey(key) !== undefined) continue;
    if (SECRET_LOOKING_KEY.test(key)) throw new ConfigError(key, SECRETS_BY_ENVIRONMENT);
    if (SETTING_TABLES.includes(key)) throw new ConfigError(key, `is a table: [${key}]`);
    throw new ConfigError(key, `is not a setting; the settings are ${ALL_SETTINGS.map((setting) => setting.key).join(', ')}`);
  }
}

function rateLimitFrom(requestsPerSecond: number | undefined, burst: number | undefined): RateLimitOptions | undefined {
  if (requestsPerSecond === undefined) {
    if (burst !== undefined) throw new ConfigError(SETTINGS.rateLimitBurst.key, 'needs rate-limit (--rate-limit)');
    return undefined;
  }
  return { requestsPerSecond, ...(burst === undefined ? {} : { burst }) };
}

// node refuses a headers timeout longer than the request timeout (the request includes its headers).
function connectionLimitsFrom(
  requestTimeoutMs: number,
  headersTimeoutMs: number,
  keepAliveTimeoutMs: number,
  maxConnections: number,
): ConnectionLimits {
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError(SETTINGS.headersTimeoutMs.key, 'must not be longer than request-timeout (--request-timeout)');
  }
  return { requestTimeoutMs, headersTimeoutMs, keepAliveTimeoutMs, maxConnections };
}

/** The token settings, when given; the module and the token label go together. */
function pkcs11From(
  modulePath: string | undefined,
  tokenLabel: string | undefined,
  rootKeyLabel: string | undefined,
  sessionCount: number | undefined,
): Pkcs11Config | undefined {
  if (modulePath === undefined && tokenLabel === undefined) {
    if (rootKeyLabel !== undefined)
      throw new ConfigError(SETTINGS.pkcs11RootKeyLabel.key, '--pkcs11-root-key-label needs --pkcs11-module and --pkcs11-token-label');
    if (sessionCount !== undefined)
      throw new ConfigError(SETTINGS.pkcs11SessionCount.key, '--pkcs11-session-count needs --pkcs11-module and --pkcs11-token-label');
    return undefined;
  }
  if (modulePath === undefined || tokenLabel === undefined) {
    const missing = modulePath === undefined ? SETTINGS.pkcs11Module : SETTINGS.pkcs11TokenLabel;
    throw new ConfigError(
      missing.key,
      '--pkcs11-module and --pkcs11-token-label go together (in a file: pkcs11.module and pkcs11.token-label)',
    );
  }
  return {
    modulePath,
    tokenLabel,
    ...(rootKeyLabel === undefined ? {} : { rootKeyLabel }),
    ...(sessionCount === undefined ? {} : { sessionCount }),
  };
}

/** A nested document (a parsed TOML file, the workers' JSON) as settings by dotted key. */
export function settingsFromDocument(document: unknown): Map<string, unknown> {
  if (!isTable(document)) throw new ConfigError('(document)', 'a configuration is a table of settings');
  const values = new Map<string, unknown>();
  for (const [name, value] of Object.entries(document)) {
    if (!isTable(value)) {
      values.set(name, value);
      continue;
    }
    if (!SETTING_TABLES.includes(name))
      throw new ConfigError(name, `is not a table of settings; the tables are ${SETTING_TABLES.map((table) => `[${table}]`).join(', ')}`);
    for (const [inner, innerValue] of Object.entries(value)) values.set(`${name}.${inner}`, innerValue);
  }
  return values;
}

/** A TOML table or a JSON object: not an array, not a date. */
function isTable(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === null || prototype === Object.prototype;
}

/** The configuration as a document `settingsFromDocument` reads back: what a worker receives. */
export function configToDocument(config: ArcaConfig): Record<string, FileValue | Record<string, FileValue>> {
  const entries: [Setting<unknown>, unknown][] = [
    [SETTINGS.host, config.host],
    [SETTINGS.port, config.port],
    [SETTINGS.dataDir, config.dataDir],
    [SETTINGS.region, config.region],
    [SETTINGS.accountId, config.accountId],
    [SETTINGS.minRotationIntervalSeconds, config.minRotationIntervalSeconds],
    [SETTINGS.jobIntervalMs, config.jobIntervalMs],
    [SETTINGS.workers, config.workers],
    [SETTINGS.requestTimeoutMs, config.connections.requestTimeoutMs],
    [SETTINGS.headersTimeoutMs, config.connections.headersTimeoutMs],
    [SETTINGS.keepAliveTimeoutMs, config.connections.keepAliveTimeoutMs],
    [SETTINGS.maxConnections, config.connections.maxConnections],
    [SETTINGS.logLevel, config.logLevel],
    [SETTINGS.errorHelpUrl, config.errorHelpUrl],
    [SETTINGS.rateLimit, config.rateLimit?.requestsPerSecond],
    [SETTINGS.rateLimitBurst, config.rateLimit?.burst],
    [SETTINGS.auditKeyFile, config.auditKeyFile],
    [SETTINGS.auditFile, config.auditFile],
    [SETTINGS.auditRetentionDays, config.auditRetentionDays],
    [SETTINGS.auditRetentionFile, config.auditRetentionFile],
    [SETTINGS.pkcs11Module, config.pkcs11?.modulePath],
    [SETTINGS.pkcs11TokenLabel, config.pkcs11?.tokenLabel],
    [SETTINGS.pkcs11RootKeyLabel, config.pkcs11?.rootKeyLabel],
    [SETTINGS.pkcs11SessionCount, config.pkcs11?.sessionCount],
  ];
  const document: Record<string, FileValue | Record<string, FileValue>> = {};
  for (const [setting, value] of entries) {
    if (value === undefined) continue;
    const [first, second] = setting.key.split('.') as [string, string | undefined];
    if (second === undefined) {
      document[first] = setting.write(value);
      continue;
    }
    const table = document[first];
    const inner = typeof table === 'object' ? table : {};
    inner[second] = setting.write(value);
    document[first] = inner;
  }
  return document;
}

/** The defaults alone: what `arca server` with no flag, no file and no environment runs with. */
export const DEFAULT_CONFIG: ArcaConfig = configFromSettings(new Map());
