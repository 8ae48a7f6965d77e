// A worker process of `arca server --workers N`, forked by the primary (src/cluster/primary.ts).
// It serves the API on the port the workers share, with the primary's replay guard; worker 0 also
// runs the background jobs. It stops when the primary says so, or when the primary is gone.
import { resolvePlumbing } from '../bootstrap/runtime.js';
import { startServing, type RunningServer } from '../bootstrap/serving.js';
import { WorkerInvalidationChannel } from './invalidation-channel.js';
import { RemoteClusterMetrics } from './metrics-channel.js';
import { RemoteNonceRecorder } from './nonce-channel.js';
import { decodeWorkerConfig, WORKER_CONFIG_VARIABLE, WORKER_INDEX_VARIABLE } from './worker-config.js';

function send(message: Record<string, unknown>): void {
  if (process.connected) process.send?.(message);
}

async function main(): Promise<void> {
  const config = decodeWorkerConfig(process.env[WORKER_CONFIG_VARIABLE]);
  const index = Number(process.env[WORKER_INDEX_VARIABLE] ?? '0');
  const nonces = new RemoteNonceRecorder((message, onError) => {
    if (!process.connected || process.send === undefined) {
      onError(new Error('no primary'));
      return;
    }
    process.send(message, undefined, {}, (error: Error | null) => {
      if (error) onError(error);
    });
  });
  const invalidations = new WorkerInvalidationChannel((message) => send({ ...message }));
  const clusterMetrics = new RemoteClusterMetrics((message) => {
    if (!process.connected) return false;
    send({ ...message });
    return true;
  });
  process.on('message', (message: unknown) => {
    nonces.receive(message);
    invalidations.receive(message);
    clusterMetrics.receive(message);
  });
  process.on('disconnect', () => nonces.disconnected());
  // Ctrl-C reaches the whole process group; the primary decides when workers stop.
  process.on('SIGINT', () => undefined);
  // The primary prepared the data directory (root key, schema, administrator key) and owns the
  // replay guard: a worker serves with it over IPC, and announces nothing.
  const server: RunningServer = await startServing(config, process.env, resolvePlumbing(config, { environment: process.env }), {
    replayGuard: nonces,
    runsJobs: index === 0,
    invalidations,
    beforeListen: () => Promise.resolve(),
    replayGuardReady: () => nonces.connected,
    metrics: {
      kind: 'cluster',
      gather: () => clusterMetrics.gather(),
      offer: (metrics) => RemoteClusterMetrics.offer(metrics.registry),
    },
  });
  const stop = (): void => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('message', (message: unknown) => {
    if (typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'shutdown') stop();
  });
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
  send({ type: 'listening', port: server.port, url: server.url });
}

main().catch((error: unknown) => {
  process.stderr.write(`arca worker: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
