import type { AuditEvent, AuditSink } from '../domain/audit-event.js';
import type { ArcaMetrics } from './arca-metrics.js';

/**
 * Counts each audit event in the metrics, then hands it on to the next sink (the log). The
 * pipeline emits exactly one event per request and per job action, so the request metrics come
 * from the one place every outcome passes, refusals before any action included.
 */
export class MetricsAuditSink implements AuditSink {
  readonly #metrics: ArcaMetrics;
  readonly #next: AuditSink;

  constructor(metrics: ArcaMetrics, next: AuditSink) {
    this.#metrics = metrics;
    this.#next = next;
  }

  emit(event: AuditEvent): void {
    // A sink must not throw (AuditSink): a metric that could not be counted must neither cost the
    // event its log line nor turn the request's answer into an error.
    try {
      this.#metrics.recordEvent(event);
    } catch {
      // Counting is a few additions on bounded maps; nothing here is expected to throw.
    }
    this.#next.emit(event);
  }
}
