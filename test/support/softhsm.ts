// SoftHSM2 tokens for the HSM tests. Each test file makes its own configuration and token
// directory under the system temp directory (so files running in parallel, and the test that
// deletes its token, never touch another file's token) and initialises tokens in it with
// softhsm2-util.
//
// Where the library is: ARCA_TEST_PKCS11_MODULE, else the Debian and common install paths.
// When SoftHSM2 is missing the HSM suites are skipped on a developer's machine (`npm test`
// needs nothing but Node), but fail when ARCA_REQUIRE_HSM=1 (which .ci/run sets) or CI=true: in
// CI the token must be reachable.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MODULE_CANDIDATES = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/local/lib/softhsm/libsofthsm2.so',
];

export const TEST_TOKEN_PIN = '246810';
export const TEST_SO_PIN = '13579111';

function findModule(): string | undefined {
  const configured = process.env.ARCA_TEST_PKCS11_MODULE;
  if (configured) return configured;
  return MODULE_CANDIDATES.find((path) => existsSync(path));
}

function utilityWorks(): boolean {
  return spawnSync('softhsm2-util', ['--version'], { encoding: 'utf8' }).status === 0;
}

/** Why the HSM tests cannot run here, or undefined when they can. */
function missingSoftHsm(): string | undefined {
  const module = findModule();
  if (module === undefined || !existsSync(module)) return `no SoftHSM2 library (set ARCA_TEST_PKCS11_MODULE or install softhsm2)`;
  if (!utilityWorks()) return 'softhsm2-util is not on the PATH (install softhsm2)';
  return undefined;
}

/** CI (CI=true, as the CI runner sets it) or ARCA_REQUIRE_HSM=1 (as .ci/run sets it). */
function hsmRequired(): boolean {
  return process.env.ARCA_REQUIRE_HSM === '1' || process.env.CI === 'true';
}

/**
 * For `describe(name, { skip: hsmSkipReason() }, …)`: false when SoftHSM2 is here; a reason to
 * skip when it is not; and a thrown error (the file fails) when ARCA_REQUIRE_HSM=1.
 */
export function hsmSkipReason(): string | false {
  const missing = missingSoftHsm();
  if (missing === undefined) return false;
  if (hsmRequired()) throw new Error(`the HSM tests must run here (ARCA_REQUIRE_HSM=1 or CI=true) but cannot: ${missing}`);
  return `SoftHSM2 is not installed: ${missing}`;
}

export interface SoftHsmToken {
  readonly modulePath: string;
  readonly tokenLabel: string;
  readonly pin: string;
  /** The SOFTHSM2_CONF this token is found through. */
  readonly configPath: string;
  /** The directory SoftHSM2 keeps this configuration's tokens in. */
  readonly tokenDir: string;
  /** SOFTHSM2_CONF and ARCA_PKCS11_PIN, for a server's environment. */
  readonly environment: Record<string, string>;
  /** `--pkcs11-module … --pkcs11-token-label …`. */
  readonly serverArgs: readonly string[];
}

export interface SoftHsmDirectory {
  readonly configPath: string;
  readonly tokenDir: string;
  /** Initialises a fresh token labelled `label` (unique by default). */
  newToken(label?: string): SoftHsmToken;
  remove(): void;
}

/**
 * A new SoftHSM2 configuration with its own token directory. With `inProcess`, this process's
 * SOFTHSM2_CONF points at it, for tests that load the library themselves (the library reads the
 * variable when it is initialised, so one configuration per process).
 */
export function newSoftHsmDirectory(options: { inProcess?: boolean } = {}): SoftHsmDirectory {
  const missing = missingSoftHsm();
  if (missing !== undefined) throw new Error(missing);
  const modulePath = findModule() ?? '';
  const base = mkdtempSync(join(tmpdir(), 'arca-softhsm-'));
  const tokenDir = join(base, 'tokens');
  mkdirSync(tokenDir, { mode: 0o700 });
  const configPath = join(base, 'softhsm2.conf');
  writeFileSync(configPath, `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  if (options.inProcess) process.env.SOFTHSM2_CONF = configPath;
  return {
    configPath,
    tokenDir,
    newToken: (label = `arca-test-${randomBytes(4).toString('hex')}`) => {
      const init = spawnSync(
        'softhsm2-util',
        ['--init-token', '--free', '--label', label, '--so-pin', TEST_SO_PIN, '--pin', TEST_TOKEN_PIN],
        { encoding: 'utf8', env: { ...process.env, SOFTHSM2_CONF: configPath } },
      );
      if (init.status !== 0) throw new Error(`softhsm2-util --init-token failed: ${init.stdout}${init.stderr}`);
      return {
        modulePath,
        tokenLabel: label,
        pin: TEST_TOKEN_PIN,
        configPath,
        tokenDir,
        environment: { SOFTHSM2_CONF: configPath, ARCA_PKCS11_PIN: TEST_TOKEN_PIN },
        serverArgs: ['--pkcs11-module', modulePath, '--pkcs11-token-label', label],
      };
    },
    remove: () => rmSync(base, { recursive: true, force: true }),
  };
}
