// The HSM scenarios' token: a SoftHSM2 token the bench makes in its own temporary directory
// when SoftHSM2 is installed (or the token named by --pkcs11-module / --pkcs11-token-label with
// the PIN in ARCA_PKCS11_PIN, for a real HSM).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BenchToken {
  /** `--pkcs11-module … --pkcs11-token-label …` for the server. */
  readonly args: readonly string[];
  /** ARCA_PKCS11_PIN (and SOFTHSM2_CONF for a SoftHSM2 token) for the server. */
  readonly env: Readonly<Record<string, string>>;
  readonly description: string;
}

const SOFTHSM_MODULES = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/local/lib/softhsm/libsofthsm2.so',
];
const PIN = '246810';

/** A fresh SoftHSM2 token under `dir`, or a reason there is none. */
export function softHsmToken(dir: string): BenchToken | string {
  const module = SOFTHSM_MODULES.find((path) => existsSync(path));
  if (module === undefined) return 'no SoftHSM2 library found (apt-get install softhsm2)';
  const tokenDir = join(dir, 'softhsm-tokens');
  mkdirSync(tokenDir, { recursive: true, mode: 0o700 });
  const configPath = join(dir, 'softhsm2.conf');
  writeFileSync(configPath, `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  const init = spawnSync('softhsm2-util', ['--init-token', '--free', '--label', 'arca-bench', '--so-pin', '13579111', '--pin', PIN], {
    encoding: 'utf8',
    env: { ...process.env, SOFTHSM2_CONF: configPath },
  });
  if (init.status !== 0) return `softhsm2-util --init-token failed: ${init.error?.message ?? init.stderr}`;
  return {
    args: ['--pkcs11-module', module, '--pkcs11-token-label', 'arca-bench'],
    env: { SOFTHSM2_CONF: configPath, ARCA_PKCS11_PIN: PIN },
    description: `SoftHSM2 (${module})`,
  };
}

/** The token given on the command line; its PIN must be in ARCA_PKCS11_PIN. */
export function configuredToken(modulePath: string, tokenLabel: string): BenchToken {
  const pin = process.env.ARCA_PKCS11_PIN;
  if (!pin) throw new Error('--pkcs11-module needs the token PIN in ARCA_PKCS11_PIN');
  return {
    args: ['--pkcs11-module', modulePath, '--pkcs11-token-label', tokenLabel],
    env: { ARCA_PKCS11_PIN: pin },
    description: `${tokenLabel} (${modulePath})`,
  };
}
