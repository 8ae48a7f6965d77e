// The server's configuration: a TOML file < the environment < the flags, one validator for all of
// them and for what a cluster's workers receive.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { decodeWorkerConfig, encodeWorkerConfig } from '../../src/cluster/worker-config.js';
import { DEFAULT_CONFIG } from '../../src/config/arca-config.js';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig } from '../../src/config/load-config.js';
import { DEFAULT_MIN_ROTATION_INTERVAL_SECONDS } from '../../src/domain/rotation-interval.js';
import {
  DEFAULT_DATA_DIR,
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_HOST,
  DEFAULT_JOB_INTERVAL_MS,
  DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_PORT,
  DEFAULT_REQUEST_TIMEOUT_MS,
} from '../../src/server-defaults.js';

const directory = mkdtempSync(join(tmpdir(), 'arca-config-'));
after(() => rmSync(directory, { recursive: true, force: true }));

let files = 0;
function configFile(text: string): string {
  files += 1;
  const path = join(directory, `arca-${files}.toml`);
  writeFileSync(path, text);
  return path;
}

function load(options: { file?: string; environment?: Record<string, string>; flags?: Record<string, string> } = {}) {
  return loadConfig({
    ...(options.file === undefined ? {} : { configFile: configFile(options.file) }),
    environment: options.environment ?? {},
    flags: new Map(Object.entries(options.flags ?? {})),
  });
}

/** The ConfigError `load` throws; fails when it throws none or another error. */
function refusal(options: Parameters<typeof load>[0]): ConfigError {
  try {
    load(options);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `not a ConfigError: ${String(error)}`);
    return error;
  }
  assert.fail('the configuration was accepted');
}

const FULL_FILE = `
# every setting a file may hold
host = "0.0.0.0"
port = 9000
data-dir = "/var/lib/arca"
region = "eu-central-1"
account-id = "42"
min-rotation-interval = "1d"
job-interval = "5m"
workers = 3
request-timeout = "20s"
headers-timeout = "4s"
keep-alive-timeout = "2s"
max-connections = 100
rate-limit = 12.5
rate-limit-burst = 40
log-level = "warn"
console = false
error-help-url = "https://wiki.example.com/kms/errors"
root-key-file = "/etc/arca/root.key"
root-key-passphrase-file = "/run/secrets/arca-passphrase"
root-key-env = "MY_ROOT_KEY"

trusted-proxies = "10.0.0.1, 192.168.0.0/16, 2001:db8::/32"

metrics-port = 9100
metrics-per-key = true

[aws]
region = "eu-west-3"
account-id = "123456789012"

[pkcs11]
module = "/usr/lib/softhsm/libsofthsm2.so"
token-label = "arca"
root-key-label = "arca-root"
session-count = 4
pin-env = "HSM_PIN"
pin-file = "/run/secrets/hsm-pin"
`;

describe('loadConfig', () => {
  it('without a file, an environment or flags gives the defaults', () => {
    const config = load();
    assert.deepEqual(config, DEFAULT_CONFIG);
    assert.equal(config.host, DEFAULT_HOST);
    assert.equal(config.port, DEFAULT_PORT);
    assert.equal(config.dataDir, DEFAULT_DATA_DIR);
    assert.equal(config.minRotationIntervalSeconds, DEFAULT_MIN_ROTATION_INTERVAL_SECONDS);
    assert.equal(config.jobIntervalMs, DEFAULT_JOB_INTERVAL_MS);
    assert.equal(config.workers, 1);
    assert.deepEqual(config.connections, {
      requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
      headersTimeoutMs: DEFAULT_HEADERS_TIMEOUT_MS,
      keepAliveTimeoutMs: DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: DEFAULT_MAX_CONNECTIONS,
    });
    assert.deepEqual(
      [DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_KEEP_ALIVE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS],
      [30_000, 10_000, 5_000, 256],
    );
    assert.equal(config.logLevel, 'info');
    assert.equal(config.rateLimit, undefined);
    assert.equal(config.errorHelpUrl, undefined);
    assert.equal(config.trustedProxies, undefined, 'X-Forwarded-For is believed from no one by default');
    assert.equal(config.pkcs11, undefined);
    assert.deepEqual(config.database, { kind: 'sqlite' });
    assert.deepEqual(config.rootKey, { environmentVariable: 'ARCA_ROOT_KEY' });
    assert.deepEqual(config.metrics, { perKey: false }, '/metrics on the API port, no per-key series');
  });

  it('metrics: the environment sets the port and per-key counting, the flags win, bad values are refused by name', () => {
    const file = 'metrics-port = 9100\n';
    assert.deepEqual(load({ file }).metrics, { port: 9100, perKey: false });
    assert.deepEqual(load({ file, environment: { ARCA_METRICS_PORT: '9200', ARCA_METRICS_PER_KEY: 'true' } }).metrics, {
      port: 9200,
      perKey: true,
    });
    assert.deepEqual(load({ environment: { ARCA_METRICS_PER_KEY: 'true' }, flags: { 'metrics-per-key': 'false' } }).metrics, {
      perKey: false,
    });
    assert.match(refusal({ file: 'metrics-per-key = "yes"\n' }).message, /metrics-per-key.*true or false/);
    assert.match(refusal({ environment: { ARCA_METRICS_PER_KEY: 'on' } }).message, /metrics-per-key.*ARCA_METRICS_PER_KEY/);
    assert.match(refusal({ flags: { 'metrics-port': '70000' } }).message, /metrics-port.*--metrics-port/);
    assert.match(refusal({ flags: { port: '9100', 'metrics-port': '9100' } }).message, /metrics-port.*must differ from port/);
  });

  it('reads every setting from a file, in the configuration units', () => {
    assert.deepEqual(load({ file: FULL_FILE }), {
      host: '0.0.0.0',
      port: 9000,
      dataDir: '/var/lib/arca',
      region: 'eu-central-1',
      accountId: '42',
      aws: { region: 'eu-west-3', accountId: '123456789012' },
      minRotationIntervalSeconds: 86_400,
      jobIntervalMs: 300_000,
      workers: 3,
      connections: { requestTimeoutMs: 20_000, headersTimeoutMs: 4_000, keepAliveTimeoutMs: 2_000, maxConnections: 100 },
      logLevel: 'warn',
      console: false,
      errorHelpUrl: 'https://wiki.example.com/kms/errors',
      trustedProxies: ['10.0.0.1', '192.168.0.0/16', '2001:db8::/32'],
      rateLimit: { requestsPerSecond: 12.5, burst: 40 },
      pkcs11: {
        modulePath: '/usr/lib/softhsm/libsofthsm2.so',
        tokenLabel: 'arca',
        rootKeyLabel: 'arca-root',
        sessionCount: 4,
        pinVariable: 'HSM_PIN',
        pinFile: '/run/secrets/hsm-pin',
      },
      database: { kind: 'sqlite' },
      metrics: { port: 9100, perKey: true },
      rootKey: { file: '/etc/arca/root.key', passphraseFile: '/run/secrets/arca-passphrase', environmentVariable: 'MY_ROOT_KEY' },
    });
  });

  it('reads every setting from flags, the same as from a file', () => {
    const flags = {
      host: '0.0.0.0',
      port: '9000',
      'data-dir': '/var/lib/arca',
      region: 'eu-central-1',
      'account-id': '42',
      'min-rotation-interval': '1d',
      'job-interval': '5m',
      workers: '3',
      'request-timeout': '20s',
      'headers-timeout': '4s',
      'keep-alive-timeout': '2s',
      'max-connections': '100',
      'rate-limit': '12.5',
      'rate-limit-burst': '40',
      'log-level': 'warn',
      console: 'false',
      'error-help-url': 'https://wiki.example.com/kms/errors',
      'trusted-proxies': '10.0.0.1,192.168.0.0/16, 2001:db8::/32',
      'pkcs11.module': '/usr/lib/softhsm/libsofthsm2.so',
      'pkcs11.token-label': 'arca',
      'pkcs11.root-key-label': 'arca-root',
      'pkcs11.session-count': '4',
      'aws.region': 'eu-west-3',
      'aws.account-id': '123456789012',
      'metrics-port': '9100',
      // What arca.ts passes for a flag without a value that was given.
      'metrics-per-key': 'true',
      'pkcs11.pin-env': 'HSM_PIN',
      'pkcs11.pin-file': '/run/secrets/hsm-pin',
      'root-key-file': '/etc/arca/root.key',
      'root-key-passphrase-file': '/run/secrets/arca-passphrase',
      'root-key-env': 'MY_ROOT_KEY',
    };
    assert.deepEqual(load({ flags }), load({ file: FULL_FILE }));
  });

  it('every setting has an environment variable, ARCA_ and its key in capitals, except those that name a variable', () => {
    const environment = {
      ARCA_HOST: '0.0.0.0',
      ARCA_PORT: '9000',
      ARCA_DATA_DIR: '/var/lib/arca',
      ARCA_REGION: 'eu-central-1',
      ARCA_ACCOUNT_ID: '42',
      ARCA_MIN_ROTATION_INTERVAL: '1d',
      ARCA_JOB_INTERVAL: '5m',
      ARCA_WORKERS: '3',
      ARCA_REQUEST_TIMEOUT: '20s',
      ARCA_HEADERS_TIMEOUT: '4s',
      ARCA_KEEP_ALIVE_TIMEOUT: '2s',
      ARCA_MAX_CONNECTIONS: '100',
      ARCA_RATE_LIMIT: '12.5',
      ARCA_RATE_LIMIT_BURST: '40',
      ARCA_LOG_LEVEL: 'warn',
      ARCA_ERROR_HELP_URL: 'https://wiki.example.com/kms/errors',
      ARCA_PKCS11_MODULE: '/usr/lib/softhsm/libsofthsm2.so',
      ARCA_PKCS11_TOKEN_LABEL: 'arca',
      ARCA_PKCS11_ROOT_KEY_LABEL: 'arca-root',
      ARCA_PKCS11_SESSION_COUNT: '4',
      ARCA_PKCS11_PIN_FILE: '/run/secrets/hsm-pin',
      ARCA_ROOT_KEY_FILE: '/etc/arca/root.key',
      ARCA_ROOT_KEY_PASSPHRASE_FILE: '/run/secrets/arca-passphrase',
      ARCA_AWS_REGION: 'eu-west-3',
      ARCA_AWS_ACCOUNT_ID: '123456789012',
      ARCA_TRUSTED_PROXIES: '10.0.0.1, 192.168.0.0/16, 2001:db8::/32',
      ARCA_CONSOLE: 'false',
      ARCA_METRICS_PORT: '9100',
      ARCA_METRICS_PER_KEY: 'true',
    };
    const fromEnvironment = load({ environment, flags: { 'pkcs11.pin-env': 'HSM_PIN', 'root-key-env': 'MY_ROOT_KEY' } });
    assert.deepEqual(fromEnvironment, load({ file: FULL_FILE }));
    const overFile = load({
      file: 'port = 1\n[pkcs11]\nmodule = "/a.so"\ntoken-label = "file"\n',
      environment: { ARCA_PKCS11_TOKEN_LABEL: 'env' },
    });
    assert.equal(overFile.pkcs11?.tokenLabel, 'env');
    assert.equal(overFile.port, 1);
    assert.equal(refusal({ environment: { ARCA_PORT: 'eighty' } }).message, 'port (ARCA_PORT): a port is a whole number from 0 to 65535');
  });

  it('a secret is only referred to: a variable setting takes a variable name, a file setting a path, and the secret is never echoed', () => {
    const key = 'q83vEjRWeJq8nvASNFZ4mrze8BI0VniavN7wEjRWeJo=';
    const cases: [string, string, RegExp][] = [
      [`root-key-env = "${key}"\n`, 'root-key-env', /names an environment variable .*the secret itself never goes in a configuration/],
      ['root-key-env = "not a name"\n', 'root-key-env', /names an environment variable/],
      [`root-key-file = "${key}"\n`, 'root-key-file', /looks like a key, not a path/],
      [`root-key-passphrase-file = ""\n`, 'root-key-passphrase-file', /must be the path of a file/],
      ['[pkcs11]\nmodule = "/m.so"\ntoken-label = "t"\npin-env = "12345678"\n', 'pkcs11.pin-env', /names an environment variable/],
      ['[pkcs11]\npin-file = "/run/pin"\n', 'pkcs11.pin-file', /needs --pkcs11-module and --pkcs11-token-label/],
    ];
    for (const [file, settingKey, message] of cases) {
      const error = refusal({ file });
      assert.equal(error.key, settingKey, error.message);
      assert.match(error.message, message);
      for (const secret of [key, '12345678']) assert.ok(!error.message.includes(secret), error.message);
    }
  });

  it('precedence: the environment wins over the file, the flags over both', () => {
    const file = 'log-level = "error"\nport = 9000\nregion = "from-file"\n';
    assert.equal(load({ file }).logLevel, 'error');
    assert.equal(load({ file, environment: { ARCA_LOG_LEVEL: 'debug' } }).logLevel, 'debug');
    const all = load({ file, environment: { ARCA_LOG_LEVEL: 'debug' }, flags: { 'log-level': 'trace', port: '0' } });
    assert.equal(all.logLevel, 'trace');
    assert.equal(all.port, 0);
    assert.equal(all.region, 'from-file', 'a setting no later layer gives keeps the file value');
  });

  it('refuses an AWS account id that is not 12 digits, and a region that is not one', () => {
    assert.match(refusal({ flags: { 'aws.account-id': '1234' } }).message, /aws\.account-id.*12 digits/);
    assert.match(refusal({ flags: { 'aws.region': 'US East' } }).message, /aws\.region/);
  });

  it('an empty environment variable sets nothing', () => {
    assert.equal(load({ file: 'log-level = "error"\n', environment: { ARCA_LOG_LEVEL: '' } }).logLevel, 'error');
  });

  it('refuses an unknown key, naming it and the file', () => {
    const error = refusal({ file: 'host = "127.0.0.1"\nlisten-port = 8080\n' });
    assert.equal(error.key, 'listen-port');
    assert.match(error.message, /^listen-port \(\/.*\/arca-\d+\.toml\): is not a setting; the settings are host, port/);
  });

  it('refuses an unknown key in [pkcs11] and an unknown table', () => {
    assert.equal(refusal({ file: '[pkcs11]\nmodule = "/m.so"\ntoken-label = "t"\nslot = 1\n' }).key, 'pkcs11.slot');
    assert.equal(refusal({ file: '[server]\nport = 1\n' }).key, 'server');
    assert.equal(refusal({ file: 'pkcs11 = "/m.so"\n' }).key, 'pkcs11');
  });

  it('refuses bad values, naming the key and where it was set, never the value', () => {
    const cases: [Parameters<typeof load>[0], string, RegExp][] = [
      [{ file: 'port = 70000\n' }, 'port', /^port \(\/.*\/arca-\d+\.toml\): a port is a whole number from 0 to 65535$/],
      [{ file: 'port = "8080"\n' }, 'port', /a port is a whole number/],
      [{ flags: { port: 'http' } }, 'port', /^port \(--port\): a port is a whole number/],
      [{ flags: { port: '80.5' } }, 'port', /^port \(--port\)/],
      [{ file: 'workers = 0\n' }, 'workers', /a worker count is a whole number from 1 to 64/],
      [{ file: 'job-interval = 60\n' }, 'job-interval', /a duration is a string/],
      [{ flags: { 'job-interval': '25d' } }, 'job-interval', /^job-interval \(--job-interval\): at most 24d$/],
      [{ flags: { 'min-rotation-interval': '731d' } }, 'min-rotation-interval', /at most 730d/],
      [{ flags: { 'rate-limit': '0' } }, 'rate-limit', /a rate is a number of requests per second above 0/],
      [{ flags: { 'rate-limit': 'fast' } }, 'rate-limit', /a rate is/],
      [{ flags: { 'rate-limit-burst': '5' } }, 'rate-limit-burst', /needs rate-limit/],
      [{ flags: { 'request-timeout': '0s' } }, 'request-timeout', /^request-timeout \(--request-timeout\): a duration is a string/],
      [{ flags: { 'request-timeout': '2h' } }, 'request-timeout', /at most 1h/],
      [{ file: 'headers-timeout = 10\n' }, 'headers-timeout', /a duration is a string/],
      [{ flags: { 'keep-alive-timeout': '0s' } }, 'keep-alive-timeout', /a duration is a string/],
      [{ flags: { 'request-timeout': '5s' } }, 'headers-timeout', /must not be longer than request-timeout/],
      [{ flags: { 'max-connections': '0' } }, 'max-connections', /a connection count is a whole number from 1 to 1000000/],
      [{ file: 'max-connections = "many"\n' }, 'max-connections', /a connection count is a whole number/],
      [
        { environment: { ARCA_LOG_LEVEL: 'loud' } },
        'log-level',
        /^log-level \(ARCA_LOG_LEVEL\): a log level is one of fatal, error, warn, info/,
      ],
      [
        { flags: { 'error-help-url': 'wiki/errors' } },
        'error-help-url',
        /^error-help-url \(--error-help-url\): an absolute URL, HTTP or HTTPS/,
      ],
      [{ file: 'error-help-url = "ftp://example.com/errors"\n' }, 'error-help-url', /an absolute URL, HTTP or HTTPS/],
      [{ file: 'error-help-url = "javascript:alert(1)"\n' }, 'error-help-url', /an absolute URL, HTTP or HTTPS/],
      [{ file: 'error-help-url = "https://example.com/a b"\n' }, 'error-help-url', /of printable ASCII/],
      [{ file: `error-help-url = "https://example.com/${'a'.repeat(2048)}"\n` }, 'error-help-url', /at most 2048 characters/],
      [{ file: 'error-help-url = 42\n' }, 'error-help-url', /an absolute URL, HTTP or HTTPS/],
      [{ flags: { 'error-help-url': 'https://user:pw@example.com/errors' } }, 'error-help-url', /may not carry a user name or a password/],
      [
        { flags: { 'trusted-proxies': '10.0.0.1, proxy.local' } },
        'trusted-proxies',
        /a comma-separated list of at most 64 IP addresses or CIDR blocks/,
      ],
      [{ flags: { 'trusted-proxies': '10.0.0.0/33' } }, 'trusted-proxies', /IP addresses or CIDR blocks/],
      [{ file: 'trusted-proxies = ["10.0.0.1"]\n' }, 'trusted-proxies', /a comma-separated list/],
      [{ file: 'console = "no"\n' }, 'console', /^console \(\/.*\/arca-\d+\.toml\): is true or false$/],
      [{ file: 'host = ""\n' }, 'host', /must be a non-empty string/],
      [{ file: 'data-dir = ["a", "b"]\n' }, 'data-dir', /must be a non-empty string/],
      [{ file: 'region = 2024-01-01\n' }, 'region', /must be a non-empty string/],
      [{ file: '[pkcs11]\nmodule = "/m.so"\n' }, 'pkcs11.token-label', /--pkcs11-module and --pkcs11-token-label go together/],
      [{ flags: { 'pkcs11.root-key-label': 'root' } }, 'pkcs11.root-key-label', /needs --pkcs11-module and --pkcs11-token-label/],
      [
        { file: '[pkcs11]\nmodule = "/m.so"\ntoken-label = "t"\nsession-count = 1\n' },
        'pkcs11.session-count',
        /a session count is a whole number from 2 to 256/,
      ],
    ];
    for (const [options, key, message] of cases) {
      const error = refusal(options);
      assert.equal(error.key, key, `${JSON.stringify(options)}: ${error.message}`);
      assert.match(error.message, message, JSON.stringify(options));
      for (const value of ['70000', 'http', 'loud', 'fast', '731d', '25d', 'user:pw', 'ftp:']) {
        if (JSON.stringify(options).includes(value))
          assert.ok(!error.message.includes(value), `the message shows the value: ${error.message}`);
      }
    }
  });

  it('refuses a secret-looking key, pointing to the environment, and does not echo the secret', () => {
    for (const file of [
      'root-key = "c2VjcmV0"\n',
      '[pkcs11]\nmodule = "/m.so"\ntoken-label = "t"\npin = "87654321"\n',
      'access-key-secret = "s3cr3t-value"\n',
      'access-key-id = "LTAIx"\n',
    ]) {
      const error = refusal({ file });
      assert.match(
        error.message,
        /a secret is never a value in a configuration file: name the file that holds it \(root-key-file, root-key-passphrase-file, pkcs11.pin-file\) or the environment variable/,
      );
      for (const secret of ['c2VjcmV0', '87654321', 's3cr3t-value']) assert.ok(!error.message.includes(secret), error.message);
    }
  });

  it('refuses a file that is not TOML, with its line and without quoting it', () => {
    const error = refusal({ file: 'port = 8080\npin = 12345678 oops\n' });
    assert.equal(error.key, '--config');
    assert.match(error.message, /is not valid TOML at line 2/);
    assert.ok(!error.message.includes('12345678'), error.message);
  });

  it('refuses a file that cannot be read', () => {
    const error = (() => {
      try {
        loadConfig({ configFile: join(directory, 'missing.toml'), environment: {}, flags: new Map() });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /cannot read .*missing\.toml \(ENOENT\)/);
  });
});

describe("the README's sample arca.toml", () => {
  it('loads as it reads', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### Configuration file'));
    const sample = /```toml\n([\s\S]*?)```/.exec(section)?.[1];
    assert.ok(sample !== undefined, 'no toml block under "### Configuration file"');
    const config = load({ file: sample });
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.workers, 2);
    assert.deepEqual(config.rateLimit, { requestsPerSecond: 200, burst: 400 });
    assert.deepEqual(config.pkcs11, {
      modulePath: '/usr/lib/softhsm/libsofthsm2.so',
      tokenLabel: 'arca',
      sessionCount: 8,
      pinVariable: 'ARCA_PKCS11_PIN',
    });
    assert.equal(config.errorHelpUrl, 'https://wiki.example.com/kms/errors');
  });
});

describe('the configuration a worker receives', () => {
  it('decodes to the very configuration the primary encoded', () => {
    for (const config of [
      DEFAULT_CONFIG,
      load({ file: FULL_FILE }),
      load({ flags: { 'job-interval': '2s', 'min-rotation-interval': '90m', 'rate-limit': '3' } }),
    ]) {
      assert.deepEqual(decodeWorkerConfig(encodeWorkerConfig(config)), config);
    }
  });

  it('is validated by the same validator: a bad or unknown setting is refused', () => {
    assert.throws(
      () => decodeWorkerConfig(JSON.stringify({ port: -1 })),
      (error: unknown) => error instanceof ConfigError && error.key === 'port',
    );
    assert.throws(
      () => decodeWorkerConfig(JSON.stringify({ extra: 1 })),
      (error: unknown) => error instanceof ConfigError && error.key === 'extra',
    );
    assert.throws(() => decodeWorkerConfig('{'), ConfigError);
  });
});
