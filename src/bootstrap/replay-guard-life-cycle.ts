import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { ReplayGuard } from '../api/signature/replay-guard.js';
import { discardSnapshot, openReplayGuard, REPLAY_GUARD_SNAPSHOT_FILE_NAME, saveReplayGuard } from '../api/signature/replay-guard-file.js';
import type { Clock } from '../domain/ports.js';
import { databaseExists, ensureDataDirectory } from './data-directory.js';

/**
 * The one replay guard of a standalone server or a cluster's primary, through one start and stop,
 * by the rules in `startServer`'s comment (src/main.ts): opened (restored from the snapshot) at
 * start, the snapshot deleted before the server listens, saved after it has stopped.
 */
export class ReplayGuardLifeCycle {
  readonly guard: ReplayGuard;
  readonly #snapshotPath: string;
  readonly #clock: Clock;
  readonly #logger: Logger;
  #discardedSnapshot = false;

  private constructor(guard: ReplayGuard, snapshotPath: string, clock: Clock, logger: Logger) {
    this.guard = guard;
    this.#snapshotPath = snapshotPath;
    this.#clock = clock;
    this.#logger = logger;
  }

  /**
   * Call it before the store is opened: whether the database existed before this start matters.
   * It leaves the snapshot in place.
   */
  static open(dataDir: string, clock: Clock, logger: Logger): ReplayGuardLifeCycle {
    ensureDataDirectory(dataDir);
    const snapshotPath = join(dataDir, REPLAY_GUARD_SNAPSHOT_FILE_NAME);
    return new ReplayGuardLifeCycle(openReplayGuard(snapshotPath, !databaseExists(dataDir), clock, logger), snapshotPath, clock, logger);
  }

  /** The last step before the port opens to requests. */
  async beforeListening(): Promise<void> {
    // Until now a failed start left the snapshot for the next one. From here on this process may
    // accept requests the snapshot does not hold, so it must not outlive the process: were it
    // still there after a crash, the next start would restore it and forget those requests.
    this.#discardedSnapshot = existsSync(this.#snapshotPath);
    discardSnapshot(this.#snapshotPath);
    // The guard refuses requests signed before rememberedSinceMs: under the crash rule that is the
    // next whole second, worth waiting for; otherwise it is -Infinity or in the past. (A snapshot's
    // limit found in the future after the clock stepped back is not waited for beyond a second.)
    await sleep(Math.min(1000, Math.max(0, this.guard.rememberedSinceMs - this.#clock.now())));
  }

  /** Once the server takes no request and every one it took has finished: the guard changes no more. */
  save(): void {
    saveReplayGuard(this.guard, this.#snapshotPath, this.#clock, this.#logger);
  }

  /**
   * A start that failed leaves the snapshot as it found it. Its guard holds all there is to know
   * (a single process accepted no request; a cluster's workers have stopped), so a snapshot this
   * start deleted already is written back. Where there was none, none is written: a refused data
   * directory gains no file, and the next start follows the rules as if this one had not happened
   * (or, had it created the database, the crash rule, which only refuses requests signed before
   * that next start).
   */
  afterFailedStart(): void {
    if (this.#discardedSnapshot) this.save();
  }
}
