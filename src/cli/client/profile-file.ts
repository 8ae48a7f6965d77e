import { chmodSync, closeSync, constants, fstatSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

// The profile file: JSON, mode 0600, holding named sets of endpoint and credentials.
//
//   { "profiles": { "default": { "endpoint": "127.0.0.1:8080", "accessKeyId": "…", "accessKeySecret": "…" } } }

export interface Profile {
  readonly endpoint?: string;
  readonly accessKeyId?: string;
  readonly accessKeySecret?: string;
}

export class ProfileFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProfileFileError';
  }
}

/** `$ARCA_CONFIG_FILE`, else `~/.arca/config.json`. */
export function defaultProfilePath(environment: NodeJS.ProcessEnv): string {
  const fromEnvironment = environment.ARCA_CONFIG_FILE;
  return fromEnvironment !== undefined && fromEnvironment !== '' ? fromEnvironment : join(homedir(), '.arca', 'config.json');
}

/**
 * The profiles in `path`, or undefined when the file does not exist. Refuses a file that group or
 * others may read or write: it holds secrets, and a file others could write could redirect the
 * client to another endpoint.
 */
export function readProfiles(path: string): Record<string, Profile> | undefined {
  let descriptor: number;
  try {
    descriptor = openSync(path, constants.O_RDONLY);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ProfileFileError(`cannot read the profile file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  try {
    // The mode is checked on the descriptor that is read, so a swap between check and read cannot slip through.
    const mode = fstatSync(descriptor).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new ProfileFileError(
        `refusing to use the profile file ${path}: its mode is ${mode.toString(8).padStart(4, '0')}, readable or writable by others; run: chmod 600 ${path}`,
      );
    }
    return parseProfiles(readFileSync(descriptor, 'utf8'), path);
  } finally {
    closeSync(descriptor);
  }
}

function parseProfiles(text: string, path: string): Record<string, Profile> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ProfileFileError(`the profile file ${path} is not JSON`);
  }
  const profiles = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>).profiles : undefined;
  if (typeof profiles !== 'object' || profiles === null || Array.isArray(profiles)) {
    throw new ProfileFileError(`the profile file ${path} has no "profiles" object`);
  }
  const result: Record<string, Profile> = {};
  for (const [name, value] of Object.entries(profiles)) {
    if (typeof value !== 'object' || value === null) throw new ProfileFileError(`profile ${name} in ${path} is not an object`);
    const fields = value as Record<string, unknown>;
    result[name] = {
      ...stringField(fields, 'endpoint', name, path),
      ...stringField(fields, 'accessKeyId', name, path),
      ...stringField(fields, 'accessKeySecret', name, path),
    };
  }
  return result;
}

function stringField(fields: Record<string, unknown>, field: keyof Profile, profile: string, path: string): Profile {
  const value = fields[field];
  if (value === undefined) return {};
  if (typeof value !== 'string') throw new ProfileFileError(`profile ${profile} in ${path}: ${field} is not a string`);
  return { [field]: value };
}

/**
 * Sets one profile in the file, keeping the others. Written to a temporary file with mode 0600
 * and renamed over the old one, so the file is never readable by others, not even briefly.
 */
export function writeProfile(path: string, name: string, profile: Profile): void {
  const profiles = readProfiles(path) ?? {};
  profiles[name] = profile;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify({ profiles }, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(temporary, 0o600); // in case the umask narrowed nothing but an existing ACL widened it
  renameSync(temporary, path);
}
