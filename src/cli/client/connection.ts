import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { KmsClient, parseEndpoint } from '../../client/kms-client.js';
import { defaultProfilePath, ProfileFileError, readProfiles } from './profile-file.js';

/** The options every client command takes. */
export interface ConnectionOptions {
  readonly endpoint?: string;
  readonly accessKeyId?: string;
  /** Visible to every local user; guardSecretFlags warns of it. */
  readonly accessKeySecret?: string;
  /** A file holding the secret, or `-` for standard input. */
  readonly accessKeySecretFile?: string;
  readonly profile?: string;
  readonly config?: string;
  /** The command's own input, for commands that read one: `-` takes standard input. */
  readonly in?: string;
}

export interface Connection {
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
}

/**
 * Endpoint and credentials, each from the first place that has it: the command's flags (the
 * secret from `--access-key-secret` or `--access-key-secret-file`), the
 * environment (ARCA_ENDPOINT, ARCA_ACCESS_KEY_ID, ARCA_ACCESS_KEY_SECRET), then the profile
 * (`--profile`, ARCA_PROFILE, or `default`) in the profile file. A profile named explicitly
 * must exist; the default one may be absent.
 */
export function resolveConnection(options: ConnectionOptions, environment: NodeJS.ProcessEnv): Connection {
  const fromEnvironment = (name: string): string | undefined => {
    const value = environment[name];
    return value === undefined || value === '' ? undefined : value;
  };
  let endpoint = options.endpoint ?? fromEnvironment('ARCA_ENDPOINT');
  let accessKeyId = options.accessKeyId ?? fromEnvironment('ARCA_ACCESS_KEY_ID');
  let accessKeySecret = secretFromFlags(options) ?? fromEnvironment('ARCA_ACCESS_KEY_SECRET');
  const profileName = options.profile ?? fromEnvironment('ARCA_PROFILE');
  if (endpoint === undefined || accessKeyId === undefined || accessKeySecret === undefined || profileName !== undefined) {
    const path = options.config ?? defaultProfilePath(environment);
    const profiles = readProfiles(path);
    const profile = profiles?.[profileName ?? 'default'];
    if (profileName !== undefined && profile === undefined) {
      throw new ProfileFileError(`no profile ${profileName} in ${path}`);
    }
    endpoint ??= profile?.endpoint;
    accessKeyId ??= profile?.accessKeyId;
    accessKeySecret ??= profile?.accessKeySecret;
  }
  const missing = [
    endpoint === undefined ? 'endpoint (--endpoint or ARCA_ENDPOINT)' : undefined,
    accessKeyId === undefined ? 'access key id (--access-key-id or ARCA_ACCESS_KEY_ID)' : undefined,
    accessKeySecret === undefined ? 'access key secret (ARCA_ACCESS_KEY_SECRET, --access-key-secret-file or a profile)' : undefined,
  ].filter((item) => item !== undefined);
  if (endpoint === undefined || accessKeyId === undefined || accessKeySecret === undefined) {
    throw new ProfileFileError(`missing ${missing.join(', ')}; or run arca configure`);
  }
  return { endpoint, accessKeyId, accessKeySecret };
}

function secretFromFlags(options: ConnectionOptions): string | undefined {
  if (options.accessKeySecretFile === undefined) return options.accessKeySecret;
  if (options.accessKeySecret !== undefined) {
    throw new InvalidArgumentError('give --access-key-secret-file or --access-key-secret, not both');
  }
  if (options.accessKeySecretFile === STANDARD_INPUT && options.in === STANDARD_INPUT) {
    throw new InvalidArgumentError(
      'standard input can carry the access key secret (--access-key-secret-file -) or the input (--in -), not both',
    );
  }
  return readSecretFile(options.accessKeySecretFile);
}

const STANDARD_INPUT = '-';
// Read by descriptor: process.stdin, once touched, may switch a pipe to non-blocking mode.
const STANDARD_INPUT_FD = 0;

/** The secret in `path` (`-`: standard input, read to its end), without one final line break. */
export function readSecretFile(path: string): string {
  const bytes = path === STANDARD_INPUT ? readFileSync(STANDARD_INPUT_FD) : readFileSync(path);
  const secret = bytes.toString('utf8').replace(/\r?\n$/, '');
  bytes.fill(0);
  if (secret === '') throw new ProfileFileError(`no access key secret in ${path === STANDARD_INPUT ? 'standard input' : path}`);
  return secret;
}

export function connect(options: ConnectionOptions): KmsClient {
  // A malformed --endpoint is the mistake to report, whatever else is missing.
  if (options.endpoint !== undefined) checkEndpoint(options.endpoint);
  const connection = resolveConnection(options, process.env);
  checkEndpoint(connection.endpoint);
  return new KmsClient({
    endpoint: connection.endpoint,
    credentials: { accessKeyId: connection.accessKeyId, accessKeySecret: connection.accessKeySecret },
  });
}

/** A malformed endpoint (a flag, ARCA_ENDPOINT or a profile) is a usage mistake: exit code 2, before any request. */
export function checkEndpoint(endpoint: string): void {
  try {
    parseEndpoint(endpoint);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}
