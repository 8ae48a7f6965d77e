import {
  chmodSync,
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  type Stats,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

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
 * others may read or write, one owned by another user, and one in a directory (or below one) that
 * another user could write: it holds secrets, and a file someone else could write or replace could
 * redirect the client to their endpoint and collect the signed requests.
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
    // Owner and mode are checked on the descriptor that is read, so a swap between check and read cannot slip through.
    checkFileIsPrivate(fstatSync(descriptor), path);
    // The file's own directory where it really is (a symbolic link followed), and the one that
    // holds the name given: replacing either would replace the file.
    checkDirectoriesArePrivate(dirname(realpathSync(path)), path);
    checkDirectoriesArePrivate(dirname(path), path);
    return parseProfiles(readFileSync(descriptor, 'utf8'), path);
  } finally {
    closeSync(descriptor);
  }
}

function checkFileIsPrivate(info: Stats, path: string): void {
  const mode = info.mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new ProfileFileError(
      `refusing to use the profile file ${path}: its mode is ${octal(mode)}, readable or writable by others; run: chmod 600 ${path}`,
    );
  }
  const user = effectiveUser();
  if (user !== undefined && info.uid !== user) {
    throw new ProfileFileError(
      `refusing to use the profile file ${path}: it belongs to uid ${info.uid}, not to uid ${user} who runs arca; use a profile file of your own (arca configure)`,
    );
  }
}

/**
 * Every directory from `directory` up to the root, both along the path as given and along the
 * real path (symbolic links resolved), must belong to the user or to root and be writable by no
 * one else, unless it is sticky like /tmp: there only an entry's owner can rename or delete it.
 * Otherwise another user could put their own file, or their own directory, in the file's place.
 */
function checkDirectoriesArePrivate(directory: string, path: string): void {
  const user = effectiveUser();
  if (user === undefined) return;
  for (const above of new Set([...selfAndAncestors(resolve(directory)), ...selfAndAncestors(realpathSync(directory))])) {
    const info = statSync(above);
    if (info.uid !== user && info.uid !== ROOT_UID) {
      throw new ProfileFileError(
        `refusing to use the profile file ${path}: the directory ${above} belongs to uid ${info.uid}, neither to uid ${user} who runs arca nor to root`,
      );
    }
    const writableByOthers = (info.mode & 0o022) !== 0 && (info.mode & STICKY_BIT) === 0;
    if (writableByOthers) {
      throw new ProfileFileError(
        `refusing to use the profile file ${path}: the directory ${above} has mode ${octal(info.mode & 0o7777)}, writable by group or others, who could replace the file; run: chmod go-w ${above}`,
      );
    }
  }
}

function selfAndAncestors(directory: string): string[] {
  const directories = [directory];
  for (let parent = dirname(directory); parent !== directories.at(-1); parent = dirname(parent)) directories.push(parent);
  return directories;
}

const ROOT_UID = 0;
// S_ISVTX, which fs.constants does not carry.
const STICKY_BIT = 0o1000;

/** The user arca runs as; undefined where there are no POSIX users (Windows). */
function effectiveUser(): number | undefined {
  return process.geteuid?.();
}

function octal(mode: number): string {
  return mode.toString(8).padStart(4, '0');
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
 * and renamed over the old one, so the file is never readable by others, not even briefly. A
 * directory others could write is refused before any secret is written into it.
 */
export function writeProfile(path: string, name: string, profile: Profile): void {
  const profiles = readProfiles(path) ?? {};
  profiles[name] = profile;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  checkDirectoriesArePrivate(dirname(path), path);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify({ profiles }, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(temporary, 0o600); // in case the umask narrowed nothing but an existing ACL widened it
  renameSync(temporary, path);
}
