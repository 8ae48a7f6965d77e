import type { AuditEventPage, AuditEventQuery } from '../domain/audit-event.js';
import { KmsError } from '../domain/errors.js';
import { defineOperation, resource } from './operation.js';

/**
 * Arca's own action (not in Alibaba's KMS API): a page of the audit trail's events, oldest
 * first. Authorised as `kms:ListAuditEvents` on the service (`*`), like DescribeRegions.
 */
export const listAuditEvents = defineOperation({
  action: 'ListAuditEvents',
  resources: (_input: AuditEventQuery) => ({ service: resource.service() }),
  run: async (context, input): Promise<AuditEventPage> => {
    if (!context.auditEvents) throw new KmsError('ActionNotSupported', 'ListAuditEvents');
    return context.auditEvents.listEvents(input);
  },
});
