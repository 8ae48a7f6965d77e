import type { Logger } from 'pino';
import type { ArnScope } from '../domain/arn.js';
import { KmsError } from '../domain/errors.js';
import { alibabaErrorOf } from './alibaba-errors.js';
import { recommendFor } from './error-help.js';
import type { WireBody } from './wire-action.js';

interface HttpError {
  readonly statusCode?: number;
  readonly code?: string;
}

/**
 * Maps anything thrown while serving a request to a catalog error. Catalog errors pass through;
 * the framework's own refusals (body too large, unreadable body) map by their status code;
 * everything else is an internal failure, logged with the request id, never shown.
 */
export function kmsErrorFrom(thrown: unknown, logger: Logger, requestId?: string): KmsError {
  if (thrown instanceof KmsError) return thrown;
  const status = (thrown as HttpError | null)?.statusCode;
  if (status === 413) return new KmsError('RequestTooLarge');
  if (status !== undefined && status >= 400 && status < 500) return new KmsError('InvalidInput', 'Body');
  logger.error({ err: thrown, requestId }, 'internal failure');
  return new KmsError('Internal');
}

/** What an error body names besides the error: the region (HostId) and the help link's base. */
export interface ErrorBodyContext {
  readonly scope: ArnScope;
  /** `--error-help-url`; the server's own docs/errors.md when absent. */
  readonly errorHelpUrl?: string;
}

/**
 * Alibaba's error shape, fields in Alibaba's order, with `Recommend`, a troubleshooting link for
 * the Code. A 5xx body says nothing beyond the catalog's generic message.
 */
export function errorBody(error: KmsError, requestId: string, context: ErrorBodyContext): WireBody {
  const wire = alibabaErrorOf(error);
  return {
    RequestId: requestId,
    HostId: `kms.${context.scope.region}.arca`,
    Code: wire.code,
    Message: wire.message,
    Recommend: recommendFor(wire.code, context.errorHelpUrl),
  };
}
