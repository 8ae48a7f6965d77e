import { randomUUID } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { ArnScope } from '../domain/arn.js';
import { KmsError } from '../domain/errors.js';
import type { Clock, KeyedDigest, SecretSealer } from '../domain/ports.js';
import type { AccessKeys } from '../operations/access-keys.js';
import type { KeyRing } from '../operations/key-ring.js';
import type { AuditTrail, Caller, Operation, OperationContext, OperationSettings } from '../operations/operation.js';
import { ACTION_TABLE } from './action-table.js';
import { errorBody, kmsErrorFrom } from './error-response.js';
import type { AccessKeyRateLimiter } from './rate-limiter.js';
import { decodeFormBody, isFormContentType, mergeParameters, splitRequestTarget, type ParamPairs } from './request-parsing.js';
import type { SignedRequest } from './signature/signed-request.js';
import { verifyRequest, type NonceRecorder } from './signature/verify-request.js';
import type { WireBody } from './wire-action.js';
import { WireParams } from './wire-params.js';

export const API_VERSION = '2016-01-20';
/** Big enough for 6 KB of plaintext and an 8 KB context, percent-encoded, with room to spare. */
export const MAX_BODY_BYTES = 256 * 1024;
const MAX_HEADER_BYTES = 64 * 1024;

export interface ApiDependencies {
  readonly keys: KeyRing;
  readonly accessKeys: AccessKeys;
  readonly replayGuard: NonceRecorder;
  readonly clock: Clock;
  readonly settings: OperationSettings;
  readonly scope: ArnScope;
  readonly logger: Logger;
  /** Per-access-key throttling (`--rate-limit`); none when absent. */
  readonly rateLimiter?: AccessKeyRateLimiter;
  /** Passed through to the operations; the transport itself never seals or digests anything. */
  readonly secrets: SecretSealer & KeyedDigest;
}

/** The HTTP face of Arca: RPC style on `/`, GET or POST, every request signed. */
export function buildApi(deps: ApiDependencies): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: MAX_BODY_BYTES,
    // A request that reaches a closing server is served (with Connection: close), not dropped
    // with the framework's own 503 body: see drainAndClose.
    return503OnClosing: false,
    // The whole request target is parsed once, by Arca, for the signature.
    routerOptions: { querystringParser: () => ({}) },
    serverFactory: (handler: (req: IncomingMessage, res: ServerResponse) => void) =>
      // requireHostHeader: node would answer an HTTP/1.1 request without Host with a bare 400 and
      // no body; Arca answers it like any other (the signature covers the host, so it fails there).
      createServer({ maxHeaderSize: MAX_HEADER_BYTES, requireHostHeader: false }, handler),
    clientErrorHandler: (error: Error & { code?: string }, socket: Duplex) => answerUnparsableRequest(deps, error, socket),
    // A path the router cannot decode (`/%`) is refused in the catalog's shape, not the framework's.
    frameworkErrors: (_error, _request, reply) => sendError(deps, reply, randomUUID(), new KmsError('InvalidParameter', 'Request')),
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.get('/health', (_request, reply) => {
    void reply.send({ status: 'ok' });
  });
  app.route({ method: ['GET', 'POST'], url: '/', handler: (request, reply) => handleApiRequest(deps, request, reply) });

  app.setNotFoundHandler((request, reply) => {
    const error = request.url.split('?')[0] === '/' ? new KmsError('UnsupportedHTTPMethod') : new KmsError('InvalidActionNotFound');
    sendError(deps, reply, randomUUID(), error);
  });
  app.setErrorHandler((error, _request, reply) => {
    sendError(deps, reply, randomUUID(), kmsErrorFrom(error, deps.logger));
  });
  return app;
}

async function handleApiRequest(deps: ApiDependencies, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const requestId = randomUUID();
  const audit: AuditTrail = {};
  const started = performance.now();
  let action: string | undefined;
  let accessKeyId: string | undefined;
  let result = 'Unknown';
  try {
    const signed = toSignedRequest(request);
    const params = new WireParams(mergeParameters(signed.query, signed.formParams));
    action = params.optional('Action') ?? singleHeader(request, 'x-acs-action');
    const version = params.optional('Version') ?? singleHeader(request, 'x-acs-version');
    const caller = await authenticate(deps, signed);
    accessKeyId = caller.accessKeyId;
    deps.rateLimiter?.admit(caller.accessKeyId, deps.clock.now());
    const body = await runAction(deps, params, { action, version }, { caller, requestId, audit });
    result = 'Success';
    void reply.code(200).header('x-acs-request-id', requestId).type('application/json;charset=utf-8').send({ ...body, RequestId: requestId });
  } catch (thrown) {
    const error = kmsErrorFrom(thrown, deps.logger, requestId);
    result = error.code;
    sendError(deps, reply, requestId, error);
  } finally {
    deps.logger.info(
      { event: 'audit', requestId, accessKeyId, action, keyId: audit.keyId, keyVersionId: audit.keyVersionId, result, ms: Math.round(performance.now() - started) },
      'request',
    );
  }
}

async function authenticate(deps: ApiDependencies, signed: SignedRequest): Promise<Caller> {
  let principal = '';
  const verified = await verifyRequest(
    signed,
    async (accessKeyId) => {
      const resolved = await deps.accessKeys.resolve(accessKeyId);
      principal = resolved?.principal ?? '';
      return resolved?.secret;
    },
    deps.clock.now(),
    deps.replayGuard,
  );
  return { accessKeyId: verified.accessKeyId, principal };
}

async function runAction(
  deps: ApiDependencies,
  params: WireParams,
  { action, version }: { action: string | undefined; version: string | undefined },
  request: { caller: Caller; requestId: string; audit: AuditTrail },
): Promise<WireBody> {
  if (action === undefined || action === '') throw new KmsError('MissingParameter', 'Action');
  if (version === undefined || version === '') throw new KmsError('MissingParameter', 'Version');
  if (version !== API_VERSION) throw new KmsError('InvalidParameter', 'Version');
  const entry = ACTION_TABLE.get(action);
  if (!entry) throw new KmsError('InvalidActionNotFound');
  const context: OperationContext = {
    caller: request.caller,
    requestId: request.requestId,
    keys: deps.keys,
    clock: deps.clock,
    settings: deps.settings,
    audit: request.audit,
    secrets: deps.secrets,
  };
  const execute = <I, O>(operation: Operation<I, O>, input: I): Promise<O> => operation.execute(context, input);
  return entry.run(params, execute, deps.scope);
}

function toSignedRequest(request: FastifyRequest): SignedRequest {
  const { path, query } = splitRequestTarget(request.raw.url ?? '/');
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  const formParams: ParamPairs = isFormContentType(request.headers['content-type']) ? decodeFormBody(body) : [];
  return { method: request.method, path, query, formParams, body, headers: request.headers };
}

function singleHeader(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * A request node's HTTP parser refused (headers too large, bytes not allowed in a request line)
 * never reaches a route; it still gets a catalog error in the usual JSON shape.
 */
function answerUnparsableRequest(deps: ApiDependencies, error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const requestId = randomUUID();
  const kmsError = error.code === 'HPE_HEADER_OVERFLOW' ? new KmsError('RequestTooLarge') : new KmsError('InvalidParameter', 'Request');
  const body = JSON.stringify(errorBody(kmsError, requestId, deps.scope));
  socket.end(
    `HTTP/1.1 ${kmsError.httpStatus} ${STATUS_CODES[kmsError.httpStatus] ?? 'Error'}\r\n` +
      'Content-Type: application/json;charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `x-acs-request-id: ${requestId}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

function sendError(deps: ApiDependencies, reply: FastifyReply, requestId: string, error: KmsError): void {
  void reply
    .code(error.httpStatus)
    .header('x-acs-request-id', requestId)
    .type('application/json;charset=utf-8')
    .send(errorBody(error, requestId, deps.scope));
}
