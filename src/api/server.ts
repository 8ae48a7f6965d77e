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
import { ERRORS_DOCUMENT_PATH, readErrorsDocument } from './error-help.js';
import { errorBody, kmsErrorFrom } from './error-response.js';
import type { AccessKeyRateLimiter } from './rate-limiter.js';
import { decodeFormBody, isFormContentType, mergeParameters, splitRequestTarget, type ParamPairs } from './request-parsing.js';
import { checkFormat, formatAskedFor, renderAnswer, renderError, ResponseFormat, type RenderedBody } from './response-format.js';
import type { SignedRequest } from './signature/signed-request.js';
import { verifyRequest, type NonceRecorder } from './signature/verify-request.js';
import { UNSUPPORTED_ACTIONS } from './unsupported-actions.js';
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
  /** The base of the error bodies' Recommend link (`--error-help-url`); this server's docs/errors.md when absent. */
  readonly errorHelpUrl?: string;
}

/**
 * The format the answer to one request is written in. It starts as JSON and becomes what the
 * request's `Format` asks for as soon as its parameters are read, so that a refusal after that
 * point (a bad signature, a throttled key, a missing parameter) comes in the format the client
 * can parse.
 */
interface AnswerFormat {
  format: ResponseFormat;
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
  app.get(ERRORS_DOCUMENT_PATH, (request, reply) => serveErrorsDocument(deps, request, reply));
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
  const answer: AnswerFormat = { format: ResponseFormat.Json };
  try {
    const rendered = await deps.runner.serve(facts, (call) => serveCall(deps, request, call, answer, facts.requestId), codeOf);
    send(reply, 200, facts.requestId, rendered);
  } catch (thrown) {
    sendError(deps, reply, facts.requestId, kmsErrorFrom(thrown, deps.logger, facts.requestId), answer.format);
  }
}

/**
 * Reads the request, verifies its signature, throttles, runs its action, telling `call` as it
 * goes, and writes the answer's body: inside the runner, so that an answer which cannot be
 * written in the format asked for is audited as the refusal the client gets.
 */
async function serveCall(
  deps: ApiDependencies,
  request: FastifyRequest,
  call: Call,
  answer: AnswerFormat,
  requestId: string,
): Promise<RenderedBody> {
  const signed = toSignedRequest(request);
  const parameters = mergeParameters(signed.query, signed.formParams);
  answer.format = formatAskedFor(parameters);
  const params = new WireParams(parameters, deps.scope);
  const action = params.optional('Action') ?? singleHeader(request, 'x-acs-action');
  if (action) call.nameAction(action);
  const version = params.optional('Version') ?? singleHeader(request, 'x-acs-version');
  const caller = await authenticate(deps, signed, call);
  call.authenticated(caller);
  deps.rateLimiter?.admit(caller.accessKeyId, deps.clock.now());
  if (action === undefined || action === '') throw new KmsError('MissingInput', 'Action');
  if (version === undefined || version === '') throw new KmsError('MissingInput', 'Version');
  if (version !== API_VERSION) throw new KmsError('InvalidInput', 'Version');
  checkFormat(parameters);
  const entry = ACTION_TABLE.get(action);
  if (!entry) throw unservedActionError(action);
  const body = await entry.run(params, (operation, input) => call.execute(operation, input), deps.scope);
  return renderAnswer(answer.format, entry.action, { ...body, RequestId: requestId });
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

/** GET /docs/errors.md: the error catalog of this release, where the error bodies' Recommend points by default. */
async function serveErrorsDocument(deps: ApiDependencies, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const document = await readErrorsDocument();
  if (document === undefined) {
    refuse(deps, factsOf(request), reply, new KmsError('UnknownAction'));
    return;
  }
  void reply.code(200).type('text/plain;charset=utf-8').send(document);
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
  const body = renderError(ResponseFormat.Json, errorBody(kmsError, requestId, deps));
  socket.end(
    `HTTP/1.1 ${httpStatus} ${STATUS_CODES[httpStatus] ?? 'Error'}\r\n` +
      `Content-Type: ${body.contentType}\r\n` +
      `Content-Length: ${Buffer.byteLength(body.text)}\r\n` +
      `x-acs-request-id: ${requestId}\r\n` +
      'Connection: close\r\n\r\n' +
      body.text,
  );
}

/** An error in the format asked for; JSON when the request's parameters were never read. */
function sendError(
  deps: ApiDependencies,
  reply: FastifyReply,
  requestId: string,
  error: KmsError,
  format: ResponseFormat = ResponseFormat.Json,
): void {
  send(reply, alibabaErrorOf(error).httpStatus, requestId, renderError(format, errorBody(error, requestId, deps)));
}

function send(reply: FastifyReply, status: number, requestId: string, body: RenderedBody): void {
  void reply.code(status).header('x-acs-request-id', requestId).type(body.contentType).send(body.text);
}
