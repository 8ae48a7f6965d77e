import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../../domain/ports.js';
import { ReplayGuard } from './replay-guard.js';
import { MAX_CLOCK_SKEW_MS } from './timestamp.js';

// The replay guard's memory across restarts, on disk: which guard a start gets, the snapshot a
// graceful stop writes, and its removal once the server listens. The rules are stated where they
// are used, in `startServer` (src/main.ts).

/** The replay guard's memory between a graceful stop and the next start. */
export const REPLAY_GUARD_SNAPSHOT_FILE_NAME = 'replay-guard.snapshot';

/**
 * Deletes the snapshot once this process may accept requests it does not hold: were it still
 * there after a crash, the next start would restore it and forget those requests.
 */
export function discardSnapshot(snapshotPath: string): void {
  if (existsSync(snapshotPath)) deleteDurably(snapshotPath);
}

/** Writes the guard's snapshot for the next start; a failure is logged (the next start is safe). */
export function saveReplayGuard(replayGuard: ReplayGuard, snapshotPath: string, clock: Clock, logger: Logger): void {
  try {
    const snapshot = replayGuard.exportSnapshot(clock.now());
    writeFileAtomically(snapshotPath, snapshot);
    logger.info({ snapshot: snapshotPath, bytes: snapshot.length }, 'replay guard saved for the next start');
  } catch (error) {
    logger.error(
      { err: error, snapshot: snapshotPath },
      'the replay guard could not be saved: the next start will refuse requests signed before it (InvalidTimeStamp.Expired)',
    );
  }
}

function nextWholeSecond(epochMs: number): number {
  return Math.floor(epochMs / 1000) * 1000 + 1000;
}

/**
 * The replay guard for this start, by the rules in `startServer`'s comment. The snapshot file is
 * left in place: `discardSnapshot` deletes it just before the server listens.
 *
 * The snapshot holds the key of the guard's nonce hash. That key only keeps clients from crafting nonces
 * whose hashes collide (to have someone's fresh request refused as a replay, or to crowd one
 * table); it protects no signature and no key material. Still, it is kept as close as is
 * sensible: it is on disk only from a graceful stop to the next start, in a file of mode 0600 in
 * the 0700 data directory, beside root.key, which matters far more; every start without a usable
 * snapshot draws a new random key.
 */
export function openReplayGuard(snapshotPath: string, newDataDir: boolean, clock: Clock, logger: Logger): ReplayGuard {
  // A snapshot write torn by a crash: never renamed into place, so never trusted; it holds a key.
  rmSync(temporaryPathOf(snapshotPath), { force: true });
  let snapshot: Buffer | undefined;
  let problem: unknown;
  try {
    snapshot = readFileSync(snapshotPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') problem = error;
  }
  if (snapshot !== undefined) {
    try {
      const replayGuard = ReplayGuard.restore(snapshot, clock.now());
      logger.info({ snapshot: snapshotPath, pairs: replayGuard.size }, 'replay guard restored from the snapshot of a graceful shutdown');
      return replayGuard;
    } catch (error) {
      problem = error;
    }
  }
  if (problem !== undefined) {
    logger.warn({ err: problem, snapshot: snapshotPath }, 'the replay guard snapshot cannot be used; it will be deleted');
  } else if (newDataDir) {
    return new ReplayGuard();
  }
  const rememberedSinceMs = nextWholeSecond(clock.now());
  const reason = problem === undefined ? 'it stopped without saving it: a crash or SIGKILL?' : 'its snapshot cannot be used';
  logger.warn(
    {
      snapshot: snapshotPath,
      refusedBefore: new Date(rememberedSinceMs).toISOString(),
      lapsesAt: new Date(rememberedSinceMs + MAX_CLOCK_SKEW_MS).toISOString(),
    },
    `the replay guard of the previous process is lost (${reason}), so the nonces it accepted are unknown: ` +
      'requests signed before this start (refusedBefore) are refused with InvalidTimeStamp.Expired, lest one be a replay, ' +
      'until the 15-minute skew check refuses them anyway (lapsesAt)',
  );
  return new ReplayGuard({ rememberedSinceMs });
}

function temporaryPathOf(path: string): string {
  return `${path}.tmp`;
}

/** Replaces `path` with `contents` whole or not at all, in a new file of mode 0600, and syncs both. */
function writeFileAtomically(path: string, contents: Uint8Array): void {
  const temporary = temporaryPathOf(path);
  rmSync(temporary, { force: true });
  try {
    const fd = openSync(temporary, 'wx', 0o600);
    try {
      for (let offset = 0; offset < contents.length;) offset += writeSync(fd, contents, offset);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  syncDirectory(dirname(path));
}

/** Deletes `path`, and makes the deletion survive a power loss before anything else happens. */
function deleteDurably(path: string): void {
  rmSync(path);
  syncDirectory(dirname(path));
}

// A rename or a deletion is durable once its directory is synced. Some platforms (Windows) cannot
// open or sync a directory; there it is left to the file system.
function syncDirectory(directory: string): void {
  let fd: number;
  try {
    fd = openSync(directory, 'r');
  } catch (error) {
    if (isUnsupportedDirectorySync(error)) return;
    throw error;
  }
  try {
    fsyncSync(fd);
  } catch (error) {
    if (!isUnsupportedDirectorySync(error)) throw error;
  } finally {
    closeSync(fd);
  }
}

function isUnsupportedDirectorySync(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EISDIR' || code === 'EINVAL' || code === 'EPERM' || code === 'EBADF';
}
