import type { Logger } from 'pino';
import type { AuditEvent, AuditSink } from '../domain/audit-event.js';

/**
 * Writes each audit event as one structured log line (`"event":"audit"`), at info level. One sink
 * among others: the tamper-evident trail is another.
 */
export class PinoAuditSink implements AuditSink {
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  emit(event: AuditEvent): void {
    this.#logger.info({ event: 'audit', ...event }, event.source === 'job' ? 'job action' : 'request');
  }
}
