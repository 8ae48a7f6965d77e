import type { AuditEvent, AuditIdentity, AuditIntent, AuditResource } from '../domain/audit-event.js';

/** The version of the records' JSON (docs/adr/0028); a reader refuses versions it does not know. */
export const TRAIL_RECORD_VERSION = 1;

/** ActionTrail's `userIdentity`, with Arca's principal. */
export interface TrailIdentity {
  /** `access-key`, `system` (Arca's own jobs) or `anonymous` (no signature verified). */
  readonly type: AuditIdentity['type'];
  readonly principalId?: string;
  readonly accessKeyId?: string;
}

/** One event as the trail keeps it: ActionTrail's field names where it has them. */
export interface TrailEvent {
  readonly recordType: 'event';
  readonly eventVersion: number;
  readonly eventId: string;
  /** ISO 8601, UTC, milliseconds. */
  readonly eventTime: string;
  /** The action, or `""` when the request named none. */
  readonly eventName: string;
  readonly eventRW: 'Read' | 'Write';
  /** `ApiCall` for a request, `AliyunServiceEvent` for Arca's own work (jobs). */
  readonly eventType: 'ApiCall' | 'AliyunServiceEvent';
  /** The front end (`alibaba`), `job` or `system`. */
  readonly eventSource: string;
  readonly acsRegion?: string;
  readonly requestId: string;
  readonly sourceIpAddress?: string;
  readonly userAgent?: string;
  readonly userIdentity: TrailIdentity;
  readonly resources: readonly AuditResource[];
  readonly requestParameters?: Readonly<Record<string, string>>;
  /** Absent on success; `Skipped` for a job action that left its key. */
  readonly errorCode?: string;
  readonly errorMessage?: string;
  /** Milliseconds, from arrival to the answer. */
  readonly duration: number;
}

/** What the trail keeps before a Write takes effect: the event with the same eventId follows. */
export interface TrailIntent {
  readonly recordType: 'intent';
  readonly eventVersion: number;
  readonly eventId: string;
  readonly eventTime: string;
  readonly eventName: string;
  readonly eventSource: string;
  readonly requestId: string;
  readonly userIdentity: TrailIdentity;
  readonly resources: readonly AuditResource[];
}

/** The first record of every chain: who wrote it, and with which checkpoint key. */
export interface TrailChainStart {
  readonly recordType: 'chain-start';
  readonly eventVersion: number;
  readonly chainId: string;
  readonly eventTime: string;
  readonly pid: number;
  /** The checkpoint signing key's id. */
  readonly keyId: string;
}

export type TrailRecord = TrailEvent | TrailIntent | TrailChainStart;

function trailIdentity(identity: AuditIdentity): TrailIdentity {
  return {
    type: identity.type,
    ...(identity.principal === undefined ? {} : { principalId: identity.principal }),
    ...(identity.accessKeyId === undefined ? {} : { accessKeyId: identity.accessKeyId }),
  };
}

function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

function eventTypeOf(source: string): TrailEvent['eventType'] {
  return source === 'job' || source === 'system' ? 'AliyunServiceEvent' : 'ApiCall';
}

export function toTrailEvent(event: AuditEvent): TrailEvent {
  const failed = event.result !== 'Success';
  return {
    recordType: 'event',
    eventVersion: TRAIL_RECORD_VERSION,
    eventId: event.eventId,
    eventTime: isoTime(event.eventTime),
    eventName: event.action ?? '',
    eventRW: event.eventRW ?? 'Write',
    eventType: eventTypeOf(event.source),
    eventSource: event.source,
    ...(event.acsRegion === undefined ? {} : { acsRegion: event.acsRegion }),
    requestId: event.requestId,
    ...(event.sourceIp === undefined ? {} : { sourceIpAddress: event.sourceIp }),
    ...(event.userAgent === undefined ? {} : { userAgent: event.userAgent }),
    userIdentity: trailIdentity(event.identity),
    resources: event.resources,
    ...(event.requestParameters === undefined ? {} : { requestParameters: event.requestParameters }),
    ...(failed ? { errorCode: event.result } : {}),
    ...(event.errorMessage === undefined ? {} : { errorMessage: event.errorMessage }),
    duration: event.durationMs,
  };
}

export function toTrailIntent(intent: AuditIntent): TrailIntent {
  return {
    recordType: 'intent',
    eventVersion: TRAIL_RECORD_VERSION,
    eventId: intent.eventId,
    eventTime: isoTime(intent.eventTime),
    eventName: intent.action,
    eventSource: intent.source,
    requestId: intent.requestId,
    userIdentity: trailIdentity(intent.identity),
    resources: intent.resources,
  };
}

/** The body's eventTime in milliseconds; NaN when it is not a time. */
export function eventTimeMs(record: TrailRecord): number {
  return Date.parse(record.eventTime);
}

/** The record a stored body holds, or undefined when it is not one (a verifier reports it). */
export function parseTrailRecord(body: string): TrailRecord | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const record = parsed as Partial<TrailRecord>;
  if (record.eventVersion !== TRAIL_RECORD_VERSION || typeof record.eventTime !== 'string') return undefined;
  if (record.recordType !== 'event' && record.recordType !== 'intent' && record.recordType !== 'chain-start') return undefined;
  return record as TrailRecord;
}
