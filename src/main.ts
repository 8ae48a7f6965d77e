// The composition root of a standalone server: `arca server` without --workers, and the tests.
// The parts are in src/bootstrap/ (data directory, root key, store, replay guard, administrator,
// the wiring of the services in services.ts); the configuration is src/config/'s; a cluster's
// primary and workers are src/cluster/'s.
import type { ArcaConfig } from './config/arca-config.js';
import { bootstrapAdministrator } from './bootstrap/administrator.js';
import { reservePort } from './bootstrap/port-reservation.js';
import { ReplayGuardLifeCycle } from './bootstrap/replay-guard-life-cycle.js';
import { resolvePlumbing, type ServerRuntime } from './bootstrap/runtime.js';
import { startServing, type RunningServer } from './bootstrap/serving.js';

export { ADMIN_KEY_FILE_NAME } from './bootstrap/administrator.js';
export { DATABASE_FILE_NAME } from './bootstrap/data-directory.js';
export type { RunningServer } from './bootstrap/serving.js';
export type { ServerRuntime } from './bootstrap/runtime.js';
export { REPLAY_GUARD_SNAPSHOT_FILE_NAME } from './api/signature/replay-guard-file.js';

/**
 * Starts a standalone server on `config`, its secrets read from `runtime.environment`.
 *
 * Order. The port is bound first (reserved, then handed to the HTTP server), so that a start that
 * cannot listen creates nothing; then the data directory is opened (root key, schema, root-key
 * check), the services wired, the administrator key made to exist, the jobs started, and the
 * server listens.
 *
 * Replays across a restart. The replay guard remembers the nonces of accepted requests in memory,
 * and a request stays acceptable for 15 minutes either side of its timestamp, so a request
 * captured before a restart must stay refused after it. What the new process remembers:
 * - `close()` (SIGTERM, SIGINT) writes the guard to `<data-dir>/replay-guard.snapshot` once the
 *   HTTP server has stopped taking requests; the next start restores the guard from it and deletes
 *   the file before it listens. A replay is refused with `SignatureNonceUsed`, every fresh request
 *   within the 15 minutes is accepted, and the start does not wait.
 * - no snapshot and no database before this start: a new data directory, where no request was
 *   ever accepted. Nothing to remember, no restriction, no wait.
 * - otherwise the previous process stopped without a snapshot (a crash, SIGKILL, power loss, a
 *   failed snapshot write) or left one that cannot be read (deleted, with a warning): what it
 *   accepted is unknown. This process then vouches only for requests signed after it started:
 *   timestamps before the next whole second (they have whole seconds) are refused with
 *   `InvalidTimeStamp.Expired`, a warning says so, and the server waits for that second before it
 *   listens. A snapshot carries this limit on, so a crash is not forgotten by a graceful restart
 *   less than 15 minutes later; after 15 minutes the limit refuses nothing the skew check passes.
 * - a start that fails before it listens accepted no request and leaves the snapshot as it found
 *   it: one it had deleted already is written back, and none is written where there was none.
 *
 * The background jobs start before the server listens, with a first tick at once (what fell due
 * while the server was down is done then), and stop before the store closes.
 */
export async function startServer(config: ArcaConfig, runtime: ServerRuntime): Promise<RunningServer> {
  const plumbing = resolvePlumbing(config, runtime);
  const reservation = await reservePort(config.host, config.port);
  let replayGuard: ReplayGuardLifeCycle | undefined;
  let server: RunningServer;
  try {
    const guard = ReplayGuardLifeCycle.open(config.dataDir, plumbing.clock, plumbing.logger);
    replayGuard = guard;
    let guardReady = false;
    server = await startServing(config, runtime.environment, plumbing, {
      replayGuard: guard.guard,
      runsJobs: true,
      afterWiring: (accessKeys) => bootstrapAdministrator(accessKeys, config.dataDir, runtime.environment, plumbing),
      beforeListen: async () => {
        await guard.beforeListening();
        guardReady = true;
        await reservation.release();
      },
      replayGuardReady: () => guardReady,
      metrics: { kind: 'own', replayGuardEntries: () => guard.guard.size },
    });
  } catch (error) {
    await reservation.release();
    replayGuard?.afterFailedStart();
    throw error;
  }
  plumbing.announce(`arca listening on ${server.url}`);
  let closing: Promise<void> | undefined;
  return {
    ...server,
    // server.close() returns once the HTTP server takes no request and every one it took has
    // finished: the guard changes no more, so the snapshot misses nothing.
    close: () => (closing ??= server.close().then(() => replayGuard.save())),
  };
}
