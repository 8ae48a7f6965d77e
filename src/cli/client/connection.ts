import { KmsClient } from '../../client/kms-client.js';
import { defaultProfilePath, ProfileFileError, readProfiles } from './profile-file.js';

/** The options every client command takes. */
export interface ConnectionOptions {
  readonly endpoint?: string;
  readonly accessKeyId?: string;
  readonly accessKeySecret?: string;
  readonly profile?: string;
  readonly config?: string;
}

export interface Connection {
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
}

/**
 * Endpoint and credentials, each from the first place that has it: the command's flags, the
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
  let accessKeySecret = options.accessKeySecret ?? fromEnvironment('ARCA_ACCESS_KEY_SECRET');
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
    accessKeySecret === undefined ? 'access key secret (ARCA_ACCESS_KEY_SECRET or a profile)' : undefined,
  ].filter((item) => item !== undefined);
  if (endpoint === undefined || accessKeyId === undefined || accessKeySecret === undefined) {
    throw new ProfileFileError(`missing ${missing.join(', ')}; or run arca configure`);
  }
  return { endpoint, accessKeyId, accessKeySecret };
}

export function connect(options: ConnectionOptions): KmsClient {
  const connection = resolveConnection(options, process.env);
  return new KmsClient({
    endpoint: connection.endpoint,
    credentials: { accessKeyId: connection.accessKeyId, accessKeySecret: connection.accessKeySecret },
  });
}
