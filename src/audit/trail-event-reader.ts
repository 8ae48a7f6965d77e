import type { AuditEventPage, AuditEventQuery, AuditEventReader } from '../domain/audit-event.js';
import { KmsError } from '../domain/errors.js';
import type { AuditStore, Clock } from '../domain/ports.js';
import { parseTrailRecord } from './trail-event.js';

const PAGE = 200;

interface Cursor {
  readonly eventTime: number;
  readonly chainId: string;
  readonly sequence: number;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.eventTime, cursor.chainId, cursor.sequence]), 'utf8').toString('base64url');
}

/** The position a token names; InvalidParameter NextToken for anything this reader did not make. */
function decodeCursor(token: string): Cursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 3) {
      const [eventTime, chainId, sequence] = parsed as unknown[];
      if (Number.isSafeInteger(eventTime) && typeof chainId === 'string' && Number.isSafeInteger(sequence)) {
        return { eventTime: eventTime as number, chainId, sequence: sequence as number };
      }
    }
  } catch {
    // falls through to the refusal
  }
  throw new KmsError('InvalidInput', 'NextToken');
}

/** ListAuditEvents over the trail's store: events only (not intents), in time order. */
export class TrailEventReader implements AuditEventReader {
  readonly #store: AuditStore;
  readonly #clock: Clock;

  constructor(store: AuditStore, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  async listEvents(query: AuditEventQuery): Promise<AuditEventPage> {
    const range = { since: query.since ?? 0, until: query.until ?? this.#clock.now() + 1 };
    let after: Cursor | undefined = query.nextToken === undefined ? undefined : decodeCursor(query.nextToken);
    const events: Array<Readonly<Record<string, unknown>>> = [];
    for (;;) {
      const page = await this.#store.readByTime(range, PAGE, after);
      for (const record of page) {
        after = record;
        const parsed = parseTrailRecord(record.body);
        if (parsed?.recordType !== 'event' || (query.eventName !== undefined && parsed.eventName !== query.eventName)) continue;
        events.push(parsed as unknown as Readonly<Record<string, unknown>>);
        if (events.length === query.maxResults) return { events, nextToken: encodeCursor(record) };
      }
      if (page.length < PAGE) return { events };
    }
  }
}
