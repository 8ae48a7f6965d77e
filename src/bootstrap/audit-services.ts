import { join } from 'node:path';
import type { Logger } from 'pino';
import { AuditChainWriter } from '../audit/audit-chain-writer.js';
import { FanOutAuditSink, FileAuditSink } from '../audit/file-audit-sink.js';
import { PinoAuditSink } from '../audit/pino-audit-sink.js';
import { defaultAuditKeyPath, loadOrCreateSigningKey, type CheckpointSigner } from '../audit/signing-key.js';
import { pruneTrail } from '../audit/trail-retention.js';
import type { ArcaConfig } from '../config/arca-config.js';
import type { AuditSink } from '../domain/audit-event.js';
import type { AuditStore, Clock } from '../domain/ports.js';

/** How often the process that runs the jobs applies `--audit-retention-days`. */
const RETENTION_INTERVAL_MS = 3_600_000;
export const DEFAULT_RETENTION_FILE_NAME = 'audit-retained.jsonl';

/** The trail this process writes, the sinks beside it, and how they stop. */
export interface AuditServices {
  readonly trail: AuditChainWriter;
  readonly sink: AuditSink;
  /** Stops retention, signs the final checkpoint, closes the audit file. */
  close(): Promise<void>;
}

/**
 * Opens this process's chain (durably: its first record is written before any request is served),
 * loads or creates the checkpoint signing key, and, in the process that runs the jobs, applies
 * the retention period once now and then hourly. The timers are unref'd.
 */
export async function startAuditServices(
  config: ArcaConfig,
  store: AuditStore,
  options: { readonly runsJobs: boolean; readonly clock: Clock; readonly logger: Logger },
): Promise<AuditServices> {
  const { clock, logger } = options;
  const signer = loadOrCreateSigningKey(config.auditKeyFile ?? defaultAuditKeyPath(config.dataDir));
  const trail = new AuditChainWriter({ store, signer, clock, logger });
  await trail.start();
  const fileSink = config.auditFile === undefined ? undefined : new FileAuditSink(config.auditFile);
  const logSink = new PinoAuditSink(logger);
  const retention = options.runsJobs ? startRetention(config, store, signer, clock, logger) : undefined;
  return {
    trail,
    sink: fileSink ? new FanOutAuditSink([logSink, fileSink]) : logSink,
    close: async () => {
      await retention?.stop();
      try {
        await trail.close();
      } finally {
        await fileSink?.close();
      }
    },
  };
}

function startRetention(
  config: ArcaConfig,
  store: AuditStore,
  signer: CheckpointSigner,
  clock: Clock,
  logger: Logger,
): { stop(): Promise<void> } | undefined {
  const retentionDays = config.auditRetentionDays;
  if (retentionDays === undefined) return undefined;
  const exportFile = config.auditRetentionFile ?? join(config.dataDir, DEFAULT_RETENTION_FILE_NAME);
  const verifyingKey = signer.publicKey;
  let running: Promise<void> = Promise.resolve();
  const pass = (): void => {
    running = running
      .then(() => pruneTrail({ store, signer, verifyingKey, clock, logger, retentionDays, exportFile }))
      .then(
        ({ pruned }) => {
          if (pruned.length > 0) logger.info({ event: 'audit-retention', pruned, exportFile }, 'audit records exported and pruned');
        },
        (error: unknown) => logger.error({ err: error }, 'audit retention failed'),
      );
  };
  pass();
  const timer = setInterval(pass, RETENTION_INTERVAL_MS);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      return running;
    },
  };
}
