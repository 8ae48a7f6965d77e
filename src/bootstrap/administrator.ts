import { join } from 'node:path';
import type { Clock } from '../domain/ports.js';
import type { ArcaConfig } from '../config/arca-config.js';
import { AccessKeys, type AccessKeyCredentials } from '../operations/access-keys.js';
import { writeNewPrivateFile } from '../protection/root-key.js';
import type { Logger } from 'pino';
import { openDataDirectory } from './open-data-directory.js';
import type { PassphrasePrompt, SecretEnvironment } from './root-key-source.js';

export const ADMIN_KEY_FILE_NAME = 'admin-access-key.json';

/** Where a new administrator key is told of: the log (without its secret), and where its secret is shown once. */
export interface AdministratorOutput {
  readonly logger: Logger;
  /** Standard error when it is a terminal (see resolvePlumbing); undefined: the secret is only in the file. */
  readonly showSecret: ((line: string) => void) | undefined;
}

/**
 * ARCA_ACCESS_KEY_ID and ARCA_ACCESS_KEY_SECRET, when both are set, name an administrator key
 * that must exist. Otherwise the first start creates one, writes it to
 * `<data-dir>/admin-access-key.json` (mode 0600), logs its AccessKeyId and the file, and shows the
 * secret once where `output.showSecret` writes (a terminal), never in the log. Run it only once
 * the port is known to be ours: a start that then fails must not leave a key behind.
 */
export async function bootstrapAdministrator(
  accessKeys: AccessKeys,
  dataDir: string,
  environment: SecretEnvironment,
  output: AdministratorOutput,
): Promise<void> {
  const { ARCA_ACCESS_KEY_ID: accessKeyId, ARCA_ACCESS_KEY_SECRET: accessKeySecret } = environment;
  if (accessKeyId && accessKeySecret) {
    await accessKeys.ensureAdministrator({ accessKeyId, accessKeySecret });
    return;
  }
  if (!(await accessKeys.isEmpty())) return;
  const credentials: AccessKeyCredentials = AccessKeys.generateCredentials();
  await accessKeys.ensureAdministrator(credentials);
  const path = join(dataDir, ADMIN_KEY_FILE_NAME);
  writeNewPrivateFile(
    path,
    `${JSON.stringify({ AccessKeyId: credentials.accessKeyId, AccessKeySecret: credentials.accessKeySecret }, null, 2)}\n`,
  );
  output.logger.info(
    { event: 'administrator-key-created', accessKeyId: credentials.accessKeyId, file: path },
    `created an administrator access key; its secret is in ${path} (mode 0600)`,
  );
  const show = output.showSecret;
  if (show === undefined) return;
  show(`created an administrator access key (shown once; also saved to ${path}):`);
  show(`  AccessKeyId:     ${credentials.accessKeyId}`);
  show(`  AccessKeySecret: ${credentials.accessKeySecret}`);
}

/**
 * Everything a start does once per data directory, before any request: the root key (created on
 * first start), the schema, the root-key check, the administrator key. A cluster's primary runs it
 * alone, so its workers never race to create the same files.
 */
export async function prepareDataDirectory(
  config: ArcaConfig,
  environment: SecretEnvironment,
  plumbing: AdministratorOutput & { readonly clock: Clock; readonly askPassphrase?: PassphrasePrompt | undefined },
): Promise<void> {
  const opened = await openDataDirectory(config, environment, plumbing.logger, plumbing.askPassphrase);
  try {
    await bootstrapAdministrator(new AccessKeys(opened.store, opened.rootKey, plumbing.clock), config.dataDir, environment, plumbing);
  } finally {
    await opened.close();
  }
}
