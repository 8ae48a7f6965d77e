import { randomUUID } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { ArnScope } from '../domain/arn.js';
import { KmsError } from '../domain/errors.js';
import type { Clock } from '../domain/ports.js';
import type { AccessKeys } from '../operations/access-keys.js';
import type { Caller } from '../operations/operation.js';
import type { Call, OperationRunner, RequestFacts } from '../pipeline/runner.js';
import { ACTION_TABLE } from './action-table.js';
import { alibabaErrorOf } from './alibaba-errors.js';
import { errorBody, kmsErrorFrom } from './error-response.js';
import type { AccessKeyRateLimiter } from './rate-limiter.js';
import { decodeFormBody, isFormContentType, mergeParameters, splitRequestTarget, type ParamPairs } from './request-parsing.js';
import type { SignedRequest } from './signature/signed-request.js';
import { verifyRequest, type NonceRecorder } from './signature/verify-request.js';
import { UNSUPPORTED_ACTIONS } from './unsupported-actions.js';
import type { WireBody } from './wire-action.js';
import { WireParams } from './wire-params.js';

export const API_VERSION = '2016-01-20';
/** Big enough for 6 KB of plaintext and an 8 KB context, percent-encoded, with room to spare. */
export const MAX_BODY_BYTES = 256 * 1024;
const MAX_HEADER_BYTES = 64 * 1024;

export interface ApiDependencies {
  /** The pipeline every request goes through: resolve, authorise, run, audit. */
  readonly runner: OperationRunner;
  readonly accessKeys: AccessKeys;
  readonly replayGuard: NonceRecorder;
  readonly clock: Clock;
  readonly scope: ArnScope;
  readonly logger: Logger;
  /** Per-access-key throttling (`--rate-limit`); none when absent. */
  readonly rateLimiter?: AccessKeyRateLimiter;
}

/** The Alibaba front end's name in the audit trail. */
const AUDIT_SOURCE = 'alibaba';

const codeOf = (error: KmsError): string => alibabaErrorOf(error).code;

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
    frameworkErrors: (_error, request, reply) => refuse(deps, factsOf(request), reply, new KmsError('InvalidInput', 'Request')),
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.get('/health', (_request, reply) => {
    void reply.send({ status: 'ok' });
  });
  app.route({ method: ['GET', 'POST'], url: '/', handler: (request, reply) => handleApiRequest(deps, request, reply) });

  app.setNotFoundHandler((request, reply) => {
    const error = request.url.split('?')[0] === '/' ? new KmsError('MethodNotAllowed') : new KmsError('UnknownAction');
    refuse(deps, factsOf(request), reply, error);
  });
  app.setErrorHandler((error, request, reply) => {
    refuse(deps, factsOf(request), reply, kmsErrorFrom(error, deps.logger));
  });
  return app;
}

function factsOf(request: FastifyRequest): RequestFacts {
  const userAgent = singleHeader(request, 'user-agent');
  return { source: AUDIT_SOURCE, requestId: randomUUID(), sourceIp: request.ip, ...(userAgent === undefined ? {} : { userAgent }) };
}

async function handleApiRequest(deps: ApiDependencies, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const facts = factsOf(request);
  try {
    const body = await deps.runner.serve(facts, (call) => serveCall(deps, request, call), codeOf);
    void reply
      .code(200)
      .header('x-acs-request-id', facts.requestId)
      .type('application/json;charset=utf-8')
      .send({ ...body, RequestId: facts.requestId });
  } catch (thrown) {
    sendError(deps, reply, facts.requestId, kmsErrorFrom(thrown, deps.logger, facts.requestId));
  }
}

/** Reads the request, verifies its signature, throttles, and runs its action, telling `call` as it goes. */
async function serveCall(deps: ApiDependencies, request: FastifyRequest, call: Call): Promise<WireBody> {
  const signed = toSignedRequest(request);
  const params = new WireParams(mergeParameters(signed.query, signed.formParams), deps.scope);
  const action = params.optional('Action') ?? singleHeader(request, 'x-acs-action');
  if (action) call.nameAction(action);
  const version = params.optional('Version') ?? singleHeader(request, 'x-acs-version');
  const caller = await authenticate(deps, signed, call);
  call.authenticated(caller);
  deps.rateLimiter?.admit(caller.accessKeyId, deps.clock.now());
  if (action === undefined || action === '') throw new KmsError('MissingInput', 'Action');
  if (version === undefined || version === '') throw new KmsError('MissingInput', 'Version');
  if (version !== API_VERSION) throw new KmsError('InvalidInput', 'Version');
  const entry = ACTION_TABLE.get(action);
  if (!entry) throw unservedActionError(action);
  return entry.run(params, (operation, input) => call.execute(operation, input), deps.scope);
}

/** An action of the API that Arca lacks says so by name; any other name does not exist. */
function unservedActionError(action: string): KmsError {
  return UNSUPPORTED_ACTIONS.has(action) ? new KmsError('ActionNotSupported', action) : new KmsError('UnknownAction');
}

async function authenticate(deps: ApiDependencies, signed: SignedRequest, call: Call): Promise<Caller> {
  let principal = '';
  const verified = await verifyRequest(
    signed,
    async (accessKeyId) => {
      call.claimAccessKey(accessKeyId);
      const resolved = await deps.accessKeys.resolve(accessKeyId);
      principal = resolved?.principal ?? '';
      return resolved?.secret;
    },
    deps.clock.now(),
    deps.replayGuard,
  );
  return { accessKeyId: verified.accessKeyId, principal };
}

/** A request refused before it reached an action: audited like every other, then answered. */
function refuse(deps: ApiDependencies, facts: RequestFacts, reply: FastifyReply, error: KmsError): void {
  void deps.runner.serve(facts, () => Promise.reject(error), codeOf).catch(() => undefined);
  sendError(deps, reply, facts.requestId, error);
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
  const kmsError = error.code === 'HPE_HEADER_OVERFLOW' ? new KmsError('RequestTooLarge') : new KmsError('InvalidInput', 'Request');
  const remoteAddress = (socket as Duplex & { remoteAddress?: string }).remoteAddress;
  const facts: RequestFacts = { source: AUDIT_SOURCE, requestId, ...(remoteAddress === undefined ? {} : { sourceIp: remoteAddress }) };
  void deps.runner.serve(facts, () => Promise.reject(kmsError), codeOf).catch(() => undefined);
  const { httpStatus } = alibabaErrorOf(kmsError);
  const body = JSON.stringify(errorBody(kmsError, requestId, deps.scope));
  socket.end(
    `HTTP/1.1 ${httpStatus} ${STATUS_CODES[httpStatus] ?? 'Error'}\r\n` +
      'Content-Type: application/json;charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `x-acs-request-id: ${requestId}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

function sendError(deps: ApiDependencies, reply: FastifyReply, requestId: string, error: KmsError): void {
  void reply
    .code(alibabaErrorOf(error).httpStatus)
    .header('x-acs-request-id', requestId)
    .type('application/json;charset=utf-8')
    .send(errorBody(error, requestId, deps.scope));
}
