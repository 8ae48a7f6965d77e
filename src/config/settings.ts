// Every setting of `arca server`, once: its key in a configuration file, its flag, its environment
// variable (when it has one), its default, and how a value is checked. The flags of `arca server`,
// the file's keys and the workers' copy of the configuration all come from this table.
import { DEFAULT_MIN_ROTATION_INTERVAL_SECONDS, MAX_ROTATION_INTERVAL_SECONDS, parseDurationSeconds } from '../domain/rotation-interval.js';
import { MAX_JOB_INTERVAL_MS } from '../jobs/scheduler.js';
import {
  DEFAULT_ACCOUNT_ID,
  DEFAULT_AWS_ACCOUNT_ID,
  DEFAULT_AWS_REGION,
  DEFAULT_DATA_DIR,
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_HOST,
  DEFAULT_JOB_INTERVAL_MS,
  DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_PORT,
  DEFAULT_REGION,
  DEFAULT_REQUEST_TIMEOUT_MS,
} from '../server-defaults.js';
import { isIP } from 'node:net';
import { ConfigError } from './config-error.js';

/** A value as a configuration file holds it (and as the workers receive it). */
export type FileValue = string | number | boolean;

/** One setting: where it is written and how its value is read. */
export interface Setting<T> {
  /** The key in a configuration file; a dot separates a table from its key (`pkcs11.module`). */
  readonly key: string;
  /** The flag and its value's name, as commander takes them: `--port <port>`. */
  readonly flag: string;
  readonly description: string;
  /** The default as `--help` shows it; absent for a setting that is off unless given. */
  readonly defaultText?: string;
  /** The environment variable that sets it, between the file and the flags. */
  readonly environmentVariable?: string;
  /** The value when no layer sets it. */
  readonly defaultValue?: T;
  /** A flag's or environment variable's text as a file would hold the value (`"8080"` → 8080). */
  fromText(text: string): unknown;
  /** Checks a value as a file holds it and gives it in the configuration's unit; throws ConfigError. */
  read(value: unknown): T;
  /** The inverse of `read`: the value as a file would hold it. */
  write(value: T): FileValue;
}

type SettingText = Pick<Setting<unknown>, 'key' | 'flag' | 'description' | 'defaultText' | 'environmentVariable'>;

function textSetting(text: SettingText, defaultValue?: string): Setting<string> {
  return {
    ...text,
    ...(defaultValue === undefined ? {} : { defaultValue }),
    fromText: (value) => value,
    read: (value) => {
      if (typeof value !== 'string' || value === '') throw new ConfigError(text.key, 'must be a non-empty string');
      return value;
    },
    write: (value) => value,
  };
}

/** A whole number from `min` to `max`; a flag's text must be plain digits. */
function integerSetting(text: SettingText, range: { min: number; max: number; what: string }, defaultValue?: number): Setting<number> {
  return {
    ...text,
    ...(defaultValue === undefined ? {} : { defaultValue }),
    fromText: (value) => (/^[0-9]+$/.test(value) ? Number(value) : value),
    read: (value) => {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
        throw new ConfigError(text.key, `${range.what} is a whole number from ${range.min} to ${range.max}`);
      }
      return value;
    },
    write: (value) => value,
  };
}

/**
 * On or off: `true`/`false` in a file or a variable; a flag's text is `"true"` or `"false"` (a flag
 * without a value, `--metrics-per-key`, gives `"true"`; a `--no-…` flag `"false"`).
 */
function booleanSetting(text: SettingText, defaultValue: boolean): Setting<boolean> {
  return {
    ...text,
    defaultValue,
    fromText: (value) => (value === 'true' ? true : value === 'false' ? false : value),
    read: (value) => {
      if (typeof value !== 'boolean') throw new ConfigError(text.key, 'is true or false');
      return value;
    },
    write: (value) => value,
  };
}

const MAX_REQUESTS_PER_SECOND = 1_000_000;

function rateSetting(text: SettingText): Setting<number> {
  return {
    ...text,
    fromText: (value) => (/^[0-9]+(\.[0-9]+)?$/.test(value) ? Number(value) : value),
    read: (value) => {
      if (typeof value !== 'number' || !(value > 0) || value > MAX_REQUESTS_PER_SECOND) {
        throw new ConfigError(text.key, `a rate is a number of requests per second above 0, at most ${MAX_REQUESTS_PER_SECOND}`);
      }
      return value;
    },
    write: (value) => value,
  };
}

/**
 * A duration written as a whole number and a unit (`7d`, `12h`, `90m`, `2s`), given in the
 * configuration as a number of `unitMs` (1000 for seconds, 1 for milliseconds).
 */
function durationSetting(
  text: SettingText,
  limit: { maxSeconds: number; maxText: string },
  unitMs: number,
  defaultValue: number,
): Setting<number> {
  return {
    ...text,
    defaultValue,
    fromText: (value) => value,
    read: (value) => {
      const seconds = typeof value === 'string' ? parseDurationSeconds(value) : undefined;
      if (seconds === undefined)
        throw new ConfigError(text.key, 'a duration is a string: a whole number and a unit, d, h, m or s ("7d", "12h", "90m", "2s")');
      if (seconds > limit.maxSeconds) throw new ConfigError(text.key, `at most ${limit.maxText}`);
      return (seconds * 1000) / unitMs;
    },
    write: (value) => `${(value * unitMs) / 1000}s`,
  };
}

// A root key written where its file's path belongs: base64 of 32 bytes, as ARCA_ROOT_KEY takes it.
const LOOKS_LIKE_A_KEY = /^[A-Za-z0-9+/]{43}=$/;

/**
 * The path of a file that holds a secret: the secret stays in that file, and only where it is goes
 * in the configuration. A value that looks like a root key itself is refused.
 */
function secretFileSetting(text: SettingText): Setting<string> {
  return {
    ...text,
    fromText: (value) => value,
    read: (value) => {
      if (typeof value !== 'string' || value === '') throw new ConfigError(text.key, 'must be the path of a file, a non-empty string');
      if (LOOKS_LIKE_A_KEY.test(value))
        throw new ConfigError(text.key, 'holds what looks like a key, not a path: the secret stays in its file, only the path goes here');
      return value;
    },
    write: (value) => value,
  };
}

const ENVIRONMENT_VARIABLE_NAME = /^[A-Z_][A-Z0-9_]{0,127}$/;

/** The name of the environment variable that holds a secret (never the secret itself). */
function secretVariableSetting(text: SettingText, defaultValue: string): Setting<string> {
  return {
    ...text,
    defaultValue,
    fromText: (value) => value,
    read: (value) => {
      if (typeof value !== 'string' || !ENVIRONMENT_VARIABLE_NAME.test(value)) {
        throw new ConfigError(
          text.key,
          'names an environment variable (capital letters, digits and _); the secret itself never goes in a configuration',
        );
      }
      return value;
    },
    write: (value) => value,
  };
}

const MAX_URL_LENGTH = 2048;

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/**
 * An absolute http or https URL, given back as the URL parser writes it. It is shown to every
 * client, so it may not carry a user name or a password.
 */
function urlSetting(text: SettingText): Setting<string> {
  return {
    ...text,
    fromText: (value) => value,
    read: (value) => {
      const url = typeof value === 'string' && value.length <= MAX_URL_LENGTH && /^[\x21-\x7e]+$/.test(value) ? parseUrl(value) : undefined;
      if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:'))
        throw new ConfigError(text.key, `an absolute URL, HTTP or HTTPS, of printable ASCII, at most ${MAX_URL_LENGTH} characters`);
      if (url.username !== '' || url.password !== '') throw new ConfigError(text.key, 'may not carry a user name or a password');
      return url.href;
    },
    write: (value) => value,
  };
}

const MAX_TRUSTED_PROXIES = 64;

/** An IPv4 or IPv6 address, or a CIDR block of either (`10.0.0.0/8`, `2001:db8::/32`). */
function isAddressOrBlock(text: string): boolean {
  const [address = '', prefix, ...rest] = text.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^[0-9]{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * The proxies whose X-Forwarded-For (and X-Forwarded-Proto) Arca believes: a comma-separated list
 * of addresses and CIDR blocks, given back as a list. Only a request whose TCP peer is one of them
 * takes its client address (acs:SourceIp, the audit trail) from X-Forwarded-For.
 */
function addressListSetting(text: SettingText): Setting<readonly string[]> {
  return {
    ...text,
    fromText: (value) => value,
    read: (value) => {
      const entries = typeof value === 'string' ? value.split(',').map((entry) => entry.trim()) : [];
      if (entries.length === 0 || entries.length > MAX_TRUSTED_PROXIES || !entries.every(isAddressOrBlock))
        throw new ConfigError(
          text.key,
          `a comma-separated list of at most ${MAX_TRUSTED_PROXIES} IP addresses or CIDR blocks ("10.0.0.1, 192.168.0.0/16")`,
        );
      return entries;
    },
    write: (value) => value.join(','),
  };
}

/** A text setting whose value must match `pattern` (described by `what`). */
function patternSetting(text: SettingText, pattern: RegExp, what: string, defaultValue: string): Setting<string> {
  return {
    ...text,
    defaultValue,
    fromText: (value) => value,
    read: (value) => {
      if (typeof value !== 'string' || !pattern.test(value)) throw new ConfigError(text.key, what);
      return value;
    },
    write: (value) => value,
  };
}

/** pino's levels. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

function isLogLevel(value: unknown): value is LogLevel {
  return LOG_LEVELS.some((level) => level === value);
}

function logLevelSetting(text: SettingText): Setting<LogLevel> {
  return {
    ...text,
    defaultValue: 'info',
    fromText: (value) => value,
    read: (value) => {
      if (!isLogLevel(value)) throw new ConfigError(text.key, `a log level is one of ${LOG_LEVELS.join(', ')}`);
      return value;
    },
    write: (value) => value,
  };
}

export const MAX_WORKERS = 64;
const MAX_BURST = 1_000_000;
const MIN_PKCS11_SESSIONS = 2;
const MAX_PKCS11_SESSIONS = 256;
const SECOND_MS = 1000;
const MAX_CONNECTIONS = 1_000_000;
/** The longest a request, its headers or an idle connection may be given: an hour (a duration is at least 1s). */
const MAX_CONNECTION_TIMEOUT = { maxSeconds: 3600, maxText: '1h' };

/** The settings by the name of the configuration field each one fills. */
export const SETTINGS = {
  host: textSetting({ key: 'host', flag: '--host <host>', description: 'address to listen on', defaultText: DEFAULT_HOST }, DEFAULT_HOST),
  port: integerSetting(
    { key: 'port', flag: '--port <port>', description: 'port to listen on (0 picks a free one)', defaultText: String(DEFAULT_PORT) },
    { min: 0, max: 65_535, what: 'a port' },
    DEFAULT_PORT,
  ),
  dataDir: textSetting(
    {
      key: 'data-dir',
      flag: '--data-dir <dir>',
      description: 'where the database lives (the root key file does not: see --root-key-file)',
      defaultText: DEFAULT_DATA_DIR,
    },
    DEFAULT_DATA_DIR,
  ),
  region: textSetting(
    { key: 'region', flag: '--region <region>', description: 'region named in Arns', defaultText: DEFAULT_REGION },
    DEFAULT_REGION,
  ),
  accountId: textSetting(
    { key: 'account-id', flag: '--account-id <id>', description: 'account id named in Arns', defaultText: DEFAULT_ACCOUNT_ID },
    DEFAULT_ACCOUNT_ID,
  ),
  awsRegion: patternSetting(
    {
      key: 'aws.region',
      flag: '--aws-region <region>',
      description: "region named in the AWS KMS API's Arns (arn:aws:kms:<region>:…); pinned in the data directory",
      defaultText: DEFAULT_AWS_REGION,
    },
    /^[a-z]{2}(-[a-z0-9]+){1,4}$/,
    'an AWS region is lower-case letters, digits and dashes, such as us-east-1',
    DEFAULT_AWS_REGION,
  ),
  awsAccountId: patternSetting(
    {
      key: 'aws.account-id',
      flag: '--aws-account-id <id>',
      description: "the 12-digit account named in the AWS KMS API's Arns; pinned in the data directory",
      defaultText: DEFAULT_AWS_ACCOUNT_ID,
    },
    /^[0-9]{12}$/,
    'an AWS account id is 12 digits',
    DEFAULT_AWS_ACCOUNT_ID,
  ),
  minRotationIntervalSeconds: durationSetting(
    {
      key: 'min-rotation-interval',
      flag: '--min-rotation-interval <duration>',
      description: 'shortest RotationInterval a key may have',
      defaultText: '7d',
    },
    { maxSeconds: MAX_ROTATION_INTERVAL_SECONDS, maxText: '730d, the longest RotationInterval' },
    SECOND_MS,
    DEFAULT_MIN_ROTATION_INTERVAL_SECONDS,
  ),
  jobIntervalMs: durationSetting(
    {
      key: 'job-interval',
      flag: '--job-interval <duration>',
      description: 'how often automatic rotation, deletion and material expiry run',
      defaultText: '60s',
    },
    { maxSeconds: Math.floor(MAX_JOB_INTERVAL_MS / SECOND_MS), maxText: '24d' },
    1,
    DEFAULT_JOB_INTERVAL_MS,
  ),
  workers: integerSetting(
    {
      key: 'workers',
      flag: '--workers <n>',
      description: 'worker processes sharing the port (Node cluster); 1 runs no cluster',
      defaultText: '1',
    },
    { min: 1, max: MAX_WORKERS, what: 'a worker count' },
    1,
  ),
  rateLimit: rateSetting({
    key: 'rate-limit',
    flag: '--rate-limit <requests per second>',
    description: 'throttle each access key to this rate (429 Rejected.Throttling); off by default',
  }),
  rateLimitBurst: integerSetting(
    {
      key: 'rate-limit-burst',
      flag: '--rate-limit-burst <requests>',
      description: 'requests an idle access key may send at once (default: one second of --rate-limit)',
    },
    { min: 1, max: MAX_BURST, what: 'a burst' },
  ),
  trustedProxies: addressListSetting({
    key: 'trusted-proxies',
    flag: '--trusted-proxies <addresses>',
    description:
      'comma-separated addresses or CIDR blocks of proxies whose X-Forwarded-For gives the client address (acs:SourceIp, the audit trail); none by default',
  }),
  errorHelpUrl: urlSetting({
    key: 'error-help-url',
    flag: '--error-help-url <url>',
    description:
      "troubleshooting link of the error bodies (Recommend), with the Code as its q parameter (default: this server's /docs/errors.md)",
  }),
  requestTimeoutMs: durationSetting(
    {
      key: 'request-timeout',
      flag: '--request-timeout <duration>',
      description: 'longest a client may take to send a whole request (then 408 RequestTimeout)',
      defaultText: `${DEFAULT_REQUEST_TIMEOUT_MS / SECOND_MS}s`,
    },
    MAX_CONNECTION_TIMEOUT,
    1,
    DEFAULT_REQUEST_TIMEOUT_MS,
  ),
  headersTimeoutMs: durationSetting(
    {
      key: 'headers-timeout',
      flag: '--headers-timeout <duration>',
      description: "longest a client may take to send a request's headers; at most --request-timeout",
      defaultText: `${DEFAULT_HEADERS_TIMEOUT_MS / SECOND_MS}s`,
    },
    MAX_CONNECTION_TIMEOUT,
    1,
    DEFAULT_HEADERS_TIMEOUT_MS,
  ),
  keepAliveTimeoutMs: durationSetting(
    {
      key: 'keep-alive-timeout',
      flag: '--keep-alive-timeout <duration>',
      description: 'how long an idle keep-alive connection stays open',
      defaultText: `${DEFAULT_KEEP_ALIVE_TIMEOUT_MS / SECOND_MS}s`,
    },
    MAX_CONNECTION_TIMEOUT,
    1,
    DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  ),
  maxConnections: integerSetting(
    {
      key: 'max-connections',
      flag: '--max-connections <n>',
      description: 'connections held at once (per worker); any beyond are closed at once',
      defaultText: String(DEFAULT_MAX_CONNECTIONS),
    },
    { min: 1, max: MAX_CONNECTIONS, what: 'a connection count' },
    DEFAULT_MAX_CONNECTIONS,
  ),
  console: booleanSetting(
    {
      key: 'console',
      flag: '--no-console',
      description: 'do not serve the web console at /console/ (it is served by default)',
    },
    true,
  ),
  logLevel: logLevelSetting({
    key: 'log-level',
    flag: '--log-level <level>',
    description: `pino log level: ${LOG_LEVELS.join(', ')}`,
    defaultText: 'info',
  }),
  metricsPort: integerSetting(
    {
      key: 'metrics-port',
      flag: '--metrics-port <port>',
      description: 'serve /metrics, /ready and /health on this port of --host instead of the API port (0 picks a free one)',
    },
    { min: 0, max: 65_535, what: 'a port' },
  ),
  metricsPerKey: booleanSetting(
    {
      key: 'metrics-per-key',
      flag: '--metrics-per-key',
      description: 'also count requests by key id in /metrics (one series per key: mind the cardinality)',
      defaultText: 'off',
    },
    false,
  ),
  rootKeyFile: secretFileSetting({
    key: 'root-key-file',
    flag: '--root-key-file <path>',
    description:
      'the root key file, plain or passphrase-protected; created (plain) on the first start when absent. Keep it out of the data directory',
    defaultText: '<data-dir>.root.key, beside the data directory',
  }),
  rootKeyPassphraseFile: secretFileSetting({
    key: 'root-key-passphrase-file',
    flag: '--root-key-passphrase-file <path>',
    description: 'a file holding the passphrase of a passphrase-protected root key file (else it is asked on the terminal)',
  }),
  previousRootKeyFile: secretFileSetting({
    key: 'previous-root-key-file',
    flag: '--previous-root-key-file <path>',
    description:
      'during a root key rotation: the root key being replaced, still opening what it sealed (arca root-key rotate; see the README)',
  }),
  rootKeyVariable: secretVariableSetting(
    {
      key: 'root-key-env',
      flag: '--root-key-env <variable>',
      description: 'the environment variable that may hold the root key in base64 (instead of a root key file)',
      defaultText: 'ARCA_ROOT_KEY',
    },
    'ARCA_ROOT_KEY',
  ),
  auditKeyFile: textSetting({
    key: 'audit-key-file',
    flag: '--audit-key-file <file>',
    description: 'the Ed25519 key that signs audit checkpoints (created, mode 0600, on first start; public half beside it as .pub)',
    defaultText: '<data-dir>/audit-signing.key',
  }),
  auditFile: textSetting({
    key: 'audit-file',
    flag: '--audit-file <file>',
    description: 'also append every audit event to this file, one JSON line each, as it happens',
  }),
  auditRetentionDays: integerSetting(
    {
      key: 'audit-retention-days',
      flag: '--audit-retention-days <n>',
      description: 'export, then prune, audit records older than this many days (kept forever when absent)',
    },
    { min: 1, max: 36_500, what: 'a number of days' },
  ),
  auditRetentionFile: textSetting({
    key: 'audit-retention-file',
    flag: '--audit-retention-file <file>',
    description: 'where pruned audit records are appended (JSON lines) before they are deleted',
    defaultText: '<data-dir>/audit-retained.jsonl',
  }),
  pkcs11Module: textSetting({
    key: 'pkcs11.module',
    flag: '--pkcs11-module <path>',
    description: 'PKCS#11 library for the HSM protection level (e.g. /usr/lib/softhsm/libsofthsm2.so)',
  }),
  pkcs11TokenLabel: textSetting({
    key: 'pkcs11.token-label',
    flag: '--pkcs11-token-label <label>',
    description: 'label of the PKCS#11 token to use (PIN from ARCA_PKCS11_PIN, or see --pkcs11-pin-env and --pkcs11-pin-file)',
  }),
  pkcs11RootKeyLabel: textSetting({
    key: 'pkcs11.root-key-label',
    flag: '--pkcs11-root-key-label <label>',
    description: 'keep the root key in the token under this label instead of a root key file',
  }),
  pkcs11PinVariable: secretVariableSetting(
    {
      key: 'pkcs11.pin-env',
      flag: '--pkcs11-pin-env <variable>',
      description: "the environment variable holding the token's user PIN",
      defaultText: 'ARCA_PKCS11_PIN',
    },
    'ARCA_PKCS11_PIN',
  ),
  pkcs11PinFile: secretFileSetting({
    key: 'pkcs11.pin-file',
    flag: '--pkcs11-pin-file <path>',
    description: "a file holding the token's user PIN (instead of the environment variable)",
  }),
  pkcs11SessionCount: integerSetting(
    {
      key: 'pkcs11.session-count',
      flag: '--pkcs11-session-count <n>',
      description: 'sessions kept open on the PKCS#11 token',
      defaultText: '8',
    },
    { min: MIN_PKCS11_SESSIONS, max: MAX_PKCS11_SESSIONS, what: 'a session count' },
  ),
} as const;

export type SettingName = keyof typeof SETTINGS;

/**
 * The environment variable of a setting, between the file and the flags: `ARCA_` and the key in
 * capitals, `-` and `.` as `_` (`ARCA_PORT`, `ARCA_PKCS11_TOKEN_LABEL`). The settings that name a
 * variable (`root-key-env`, `pkcs11.pin-env`) have none: a variable naming a variable helps nobody.
 */
export function environmentVariableFor(key: string): string | undefined {
  if (key.endsWith('-env')) return undefined;
  return `ARCA_${key.toUpperCase().replace(/[-.]/g, '_')}`;
}

/** The settings in the order `--help` lists them, each with its environment variable. */
export const ALL_SETTINGS: readonly Setting<unknown>[] = Object.values(SETTINGS).map((setting: Setting<unknown>) => {
  const environmentVariable = environmentVariableFor(setting.key);
  return environmentVariable === undefined ? setting : { ...setting, environmentVariable };
});

/** The table a key belongs to (`pkcs11` for `pkcs11.module`), or undefined for a top-level key. */
function tableOf(key: string): string | undefined {
  const dot = key.indexOf('.');
  return dot === -1 ? undefined : key.slice(0, dot);
}

/** The tables a configuration file may hold (`[pkcs11]`). */
export const SETTING_TABLES: readonly string[] = [
  ...new Set(ALL_SETTINGS.map((setting) => tableOf(setting.key)).filter((table): table is string => table !== undefined)),
];

export function settingByKey(key: string): Setting<unknown> | undefined {
  return ALL_SETTINGS.find((setting) => setting.key === key);
}
