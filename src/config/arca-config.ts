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
  /** The region and 12-digit account of the AWS KMS API's Arns. */
  readonly aws: { readonly region: string; readonly accountId: string };
  /** The shortest RotationInterval a key may have. */
  readonly minRotationIntervalSeconds: number;
  /** The pause between two runs of the background jobs, which also run once as the server starts. */
  readonly jobIntervalMs: number;
  /** Worker processes sharing the port; 1 runs no cluster. */
  readonly workers: number;
  /** Timeouts and the connection cap of the HTTP server (of each worker's). */
  readonly connections: ConnectionLimits;
  readonly logLevel: LogLevel;
  /** Whether the web console is served at /console/ (`--no-console` turns it off). */
  readonly console: boolean;
  /** The base of the error bodies' Recommend link; the server's own /docs/errors.md when absent. */
  readonly errorHelpUrl?: string;
  /** Proxies whose X-Forwarded-For and X-Forwarded-Proto are believed; none when absent. */
  readonly trustedProxies?: readonly string[];
  /** Throttles each access key; no limit when absent. */
  readonly rateLimit?: RateLimitOptions;
  /** A PKCS#11 token for the HSM protection level (and, with `rootKeyLabel`, for the root key). */
  readonly pkcs11?: Pkcs11Config;
  /** Where the keys are stored. */
  readonly database: DatabaseConfig;
  /** Where the root key is found (never the key itself); a token root key is `pkcs11.rootKeyLabel`. */
  readonly rootKey: RootKeyConfig;
  readonly metrics: MetricsConfig;
  /** The audit checkpoint signing key's file; `<data-dir>/audit-signing.key` when absent. */
  readonly auditKeyFile?: string;
  /** A file that receives every audit event as a JSON line, besides the trail in the database. */
  readonly auditFile?: string;
  /** Audit records older than this are exported, then pruned; kept forever when absent. */
  readonly auditRetentionDays?: number;
  /** Where pruned audit records go; `<data-dir>/audit-retained.jsonl` when absent. */
  readonly auditRetentionFile?: string;
}

/** `/metrics` (docs/adr/0032). */
export interface MetricsConfig {
  /** Its own port (with /ready and /health) on the same host; on the API port when absent. */
  readonly port?: number;
  /** Count requests by key id too. */
  readonly perKey: boolean;
}

/** The root key's place (ADR 34): a variable, else a file, plain or passphrase-protected. */
export interface RootKeyConfig {
  /** The root key file; absent: `<data-dir>.root.key` (or a legacy `<data-dir>/root.key`). */
  readonly file?: string;
  /** The file holding a passphrase-protected key file's passphrase; absent: asked on the terminal. */
  readonly passphraseFile?: string;
  /** During a rotation (ADR 34): the root key being replaced, which still opens what it sealed. */
  readonly previousFile?: string;
  /** The environment variable that, when set, holds the root key in base64 (ARCA_ROOT_KEY). */
  readonly environmentVariable: string;
}

/** The PKCS#11 token; its user PIN is read from an environment variable or a file, never from here. */
export interface Pkcs11Config {
  /** Path of the PKCS#11 library. */
  readonly modulePath: string;
  readonly tokenLabel: string;
  /** The environment variable holding the user PIN (ARCA_PKCS11_PIN). */
  readonly pinVariable: string;
  /** A file holding the user PIN, instead of the variable. */
  readonly pinFile?: string;
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
  'a secret is never a value in a configuration file: name the file that holds it (root-key-file, root-key-passphrase-file, ' +
  'pkcs11.pin-file) or the environment variable (root-key-env, pkcs11.pin-env; ARCA_ACCESS_KEY_ID and ARCA_ACCESS_KEY_SECRET)';

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
  const trustedProxies = value(SETTINGS.trustedProxies);
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
  const metricsPort = value(SETTINGS.metricsPort);
  const port = required(SETTINGS.port);
  if (metricsPort !== undefined && metricsPort !== 0 && metricsPort === port)
    throw new ConfigError(SETTINGS.metricsPort.key, 'must differ from port (--port); leave it out to serve /metrics on the API port');
  const pkcs11 = pkcs11From(
    value(SETTINGS.pkcs11Module),
    value(SETTINGS.pkcs11TokenLabel),
    value(SETTINGS.pkcs11RootKeyLabel),
    value(SETTINGS.pkcs11SessionCount),
    { pinVariable: required(SETTINGS.pkcs11PinVariable), pinFile: value(SETTINGS.pkcs11PinFile) },
  );
  const rootKeyFile = value(SETTINGS.rootKeyFile);
  const rootKeyPassphraseFile = value(SETTINGS.rootKeyPassphraseFile);
  const previousRootKeyFile = value(SETTINGS.previousRootKeyFile);
  return {
    host: required(SETTINGS.host),
    port,
    dataDir: required(SETTINGS.dataDir),
    region: required(SETTINGS.region),
    accountId: required(SETTINGS.accountId),
    aws: { region: required(SETTINGS.awsRegion), accountId: required(SETTINGS.awsAccountId) },
    minRotationIntervalSeconds: required(SETTINGS.minRotationIntervalSeconds),
    jobIntervalMs: required(SETTINGS.jobIntervalMs),
    workers: required(SETTINGS.workers),
    connections,
    logLevel: required(SETTINGS.logLevel),
    console: required(SETTINGS.console),
    ...(errorHelpUrl === undefined ? {} : { errorHelpUrl }),
    ...(trustedProxies === undefined ? {} : { trustedProxies }),
    ...(rateLimit === undefined ? {} : { rateLimit }),
    ...(pkcs11 === undefined ? {} : { pkcs11 }),
    database: { kind: 'sqlite' },
    metrics: { ...(metricsPort === undefined ? {} : { port: metricsPort }), perKey: required(SETTINGS.metricsPerKey) },
    rootKey: {
      ...(rootKeyFile === undefined ? {} : { file: rootKeyFile }),
      ...(rootKeyPassphraseFile === undefined ? {} : { passphraseFile: rootKeyPassphraseFile }),
      ...(previousRootKeyFile === undefined ? {} : { previousFile: previousRootKeyFile }),
      environmentVariable: required(SETTINGS.rootKeyVariable),
    },
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
  pin: { pinVariable: string; pinFile: string | undefined },
): Pkcs11Config | undefined {
  if (modulePath === undefined && tokenLabel === undefined) {
    if (pin.pinFile !== undefined)
      throw new ConfigError(SETTINGS.pkcs11PinFile.key, '--pkcs11-pin-file needs --pkcs11-module and --pkcs11-token-label');
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
    pinVariable: pin.pinVariable,
    ...(pin.pinFile === undefined ? {} : { pinFile: pin.pinFile }),
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
    [SETTINGS.awsRegion, config.aws.region],
    [SETTINGS.awsAccountId, config.aws.accountId],
    [SETTINGS.minRotationIntervalSeconds, config.minRotationIntervalSeconds],
    [SETTINGS.jobIntervalMs, config.jobIntervalMs],
    [SETTINGS.workers, config.workers],
    [SETTINGS.requestTimeoutMs, config.connections.requestTimeoutMs],
    [SETTINGS.headersTimeoutMs, config.connections.headersTimeoutMs],
    [SETTINGS.keepAliveTimeoutMs, config.connections.keepAliveTimeoutMs],
    [SETTINGS.maxConnections, config.connections.maxConnections],
    [SETTINGS.logLevel, config.logLevel],
    [SETTINGS.console, config.console],
    [SETTINGS.errorHelpUrl, config.errorHelpUrl],
    [SETTINGS.trustedProxies, config.trustedProxies],
    [SETTINGS.rateLimit, config.rateLimit?.requestsPerSecond],
    [SETTINGS.rateLimitBurst, config.rateLimit?.burst],
    [SETTINGS.metricsPort, config.metrics.port],
    [SETTINGS.metricsPerKey, config.metrics.perKey],
    [SETTINGS.auditKeyFile, config.auditKeyFile],
    [SETTINGS.auditFile, config.auditFile],
    [SETTINGS.auditRetentionDays, config.auditRetentionDays],
    [SETTINGS.auditRetentionFile, config.auditRetentionFile],
    [SETTINGS.pkcs11Module, config.pkcs11?.modulePath],
    [SETTINGS.pkcs11TokenLabel, config.pkcs11?.tokenLabel],
    [SETTINGS.pkcs11RootKeyLabel, config.pkcs11?.rootKeyLabel],
    [SETTINGS.pkcs11SessionCount, config.pkcs11?.sessionCount],
    [SETTINGS.pkcs11PinVariable, config.pkcs11?.pinVariable],
    [SETTINGS.pkcs11PinFile, config.pkcs11?.pinFile],
    [SETTINGS.rootKeyFile, config.rootKey.file],
    [SETTINGS.rootKeyPassphraseFile, config.rootKey.passphraseFile],
    [SETTINGS.previousRootKeyFile, config.rootKey.previousFile],
    [SETTINGS.rootKeyVariable, config.rootKey.environmentVariable],
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
