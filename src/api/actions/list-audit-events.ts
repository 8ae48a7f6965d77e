import { KmsError } from '../../domain/errors.js';
import { listAuditEvents } from '../../operations/list-audit-events.js';
import { wireAction } from '../wire-action.js';
import type { WireParams } from '../wire-params.js';

const DEFAULT_MAX_RESULTS = 20;
const MAX_MAX_RESULTS = 100;

/** `StartTime` / `EndTime`: ISO 8601 (`2026-12-04T08:00:00Z`). */
function optionalTime(params: WireParams, name: string): number | undefined {
  const text = params.optional(name);
  if (text === undefined || text === '') return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new KmsError('InvalidInput', name);
  return ms;
}

export const listAuditEventsAction = wireAction({
  action: 'ListAuditEvents',
  operation: listAuditEvents,
  parse: (params) => {
    const maxResults = params.optionalInteger('MaxResults') ?? DEFAULT_MAX_RESULTS;
    if (maxResults < 1 || maxResults > MAX_MAX_RESULTS) throw new KmsError('InvalidInput', 'MaxResults');
    const since = optionalTime(params, 'StartTime');
    const until = optionalTime(params, 'EndTime');
    const eventName = params.optional('EventName');
    const nextToken = params.optional('NextToken');
    return {
      maxResults,
      ...(since === undefined ? {} : { since }),
      ...(until === undefined ? {} : { until }),
      ...(eventName === undefined || eventName === '' ? {} : { eventName }),
      ...(nextToken === undefined || nextToken === '' ? {} : { nextToken }),
    };
  },
  respond: (page) => ({ Events: page.events, ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken }) }),
});
