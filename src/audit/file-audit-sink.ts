import { createWriteStream, type WriteStream } from 'node:fs';
import type { AuditEvent, AuditSink } from '../domain/audit-event.js';
import { toTrailEvent } from './trail-event.js';

/**
 * `--audit-file`: every event as one JSON line, the same record the trail keeps, appended as it
 * happens (mode 0600), for a collector that tails the file. The trail in the database is the
 * record of authority; this copy is neither chained nor made durable before the response.
 */
export class FileAuditSink implements AuditSink {
  readonly #stream: WriteStream;

  constructor(path: string) {
    this.#stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
    // A sink must not throw into the request; a failing file is reported once by the stream's owner.
    this.#stream.on('error', () => undefined);
  }

  emit(event: AuditEvent): void {
    this.#stream.write(`${JSON.stringify(toTrailEvent(event))}\n`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#stream.end(resolve));
  }
}

/** Hands every event to each sink in turn. */
export class FanOutAuditSink implements AuditSink {
  readonly #sinks: readonly AuditSink[];

  constructor(sinks: readonly AuditSink[]) {
    this.#sinks = sinks;
  }

  emit(event: AuditEvent): void {
    for (const sink of this.#sinks) sink.emit(event);
  }
}
