import type { AuditChainRecord, AuditStore } from '../domain/ports.js';
import { parseTrailRecord, type TrailEvent } from './trail-event.js';

const PAGE = 500;

/** What `arca audit query` (and export, and the API) select events by; an absent field selects all. */
export interface EventFilter {
  /** Milliseconds since the epoch, inclusive. */
  readonly since?: number;
  /** Milliseconds since the epoch, exclusive. */
  readonly until?: number;
  /** The eventName. */
  readonly action?: string;
  /** A key id, key Arn or alias name any resource of the event names. */
  readonly key?: string;
  /** The principal or the access key id. */
  readonly principal?: string;
  /** `Success`, `Failure` (any error), or one error code. */
  readonly result?: string;
}

/** An event with where the trail keeps it. */
export interface LocatedEvent {
  readonly chainId: string;
  readonly sequence: number;
  readonly event: TrailEvent;
}

function matchesKey(event: TrailEvent, key: string): boolean {
  return event.resources.some(
    (resource) => resource.keyId === key || resource.arn === key || resource.aliasName === key || resource.keyVersionId === key,
  );
}

function matchesResult(event: TrailEvent, result: string): boolean {
  if (result === 'Success') return event.errorCode === undefined;
  if (result === 'Failure') return event.errorCode !== undefined;
  return event.errorCode === result;
}

export function matchesFilter(event: TrailEvent, filter: EventFilter): boolean {
  if (filter.action !== undefined && event.eventName !== filter.action) return false;
  if (filter.key !== undefined && !matchesKey(event, filter.key)) return false;
  if (
    filter.principal !== undefined &&
    event.userIdentity.principalId !== filter.principal &&
    event.userIdentity.accessKeyId !== filter.principal
  )
    return false;
  if (filter.result !== undefined && !matchesResult(event, filter.result)) return false;
  return true;
}

/**
 * The events (not intents, not chain starts) that match `filter`, in time order, page by page
 * from the store. A record that does not parse is skipped here; `arca audit verify` reports it.
 */
export async function* readEvents(store: AuditStore, filter: EventFilter): AsyncGenerator<LocatedEvent> {
  const range = { since: filter.since ?? Number.MIN_SAFE_INTEGER, until: filter.until ?? Number.MAX_SAFE_INTEGER };
  let after: AuditChainRecord | undefined;
  for (;;) {
    const page = await store.readByTime(range, PAGE, after);
    for (const record of page) {
      const parsed = parseTrailRecord(record.body);
      if (parsed?.recordType === 'event' && matchesFilter(parsed, filter)) {
        yield { chainId: record.chainId, sequence: record.sequence, event: parsed };
      }
    }
    if (page.length < PAGE) return;
    after = page.at(-1);
  }
}

/** One export line: the event, and where in the trail it is (for checking it against `verify`). */
export function exportLine(located: LocatedEvent): string {
  return `${JSON.stringify({ ...located.event, arcaChainId: located.chainId, arcaSequence: located.sequence })}\n`;
}
