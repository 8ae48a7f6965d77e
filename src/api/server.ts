import { randomUUID } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { ArnScope } from '../domain/arn.js';
import { KmsError } from '../domain/errors.js';
import type { Clock } from '../domain/ports.js';
import type { AccessKeys } from '../operations/access-keys.js';
import type { Caller } from '../operations/operation.js';
import type { Call, OperationRunner, RequestFacts } from '../pipeline/runner.js';
import type { AwsScope } from '../aws/aws-arn.js';
import { isAwsRequest, refuseAwsRequest, serveAwsRequest, type AwsFrontEndDependencies } from '../aws/aws-front-end.js';
import { DEFAULT_AWS_SCOPE } from '../server-defaults.js';
import {
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_REQUEST_TIMEOUT_MS,
} from '../server-defaults.js';
import { ACTION_TABLE } from './action-table.js';
import { RAM_ACTION_TABLE, RAM_API_VERSION } from './ram/ram-action-table.js';
import { alibabaErrorOf } from './alibaba-errors.js';
import { registerConsole, type ConsoleFiles } from './console-route.js';
import { auditedParameters } from './audited-parameters.js';
import { ERRORS_DOCUMENT_PATH, readErrorsDocument } from './error-help.js';
import { errorBody, kmsErrorFrom } from './error-response.js';
import type { AccessKeyRateLimiter } from './rate-limiter.js';
import { Readiness, readinessAnswer } from './readiness.js';
import {
  decodeFormBody,
  isFormContentType,
  MAX_PARAMETERS,
  mergeParameters,
  splitRequestTarget,
  type ParamPairs,
} from './request-parsing.js';
import { checkFormat, formatAskedFor, renderAnswer, renderError, ResponseFormat, type RenderedBody } from './response-format.js';
import { claimedAccessKeyId } from './signature/claimed-access-key.js';
import type { SignedRequest } from './signature/signed-request.js';
import { headersAreSigned, verifyRequest, type NonceRecorder } from './signature/verify-request.js';
import { UNSUPPORTED_ACTIONS } from './unsupported-actions.js';
import { WireParams } from './wire-params.js';

export const API_VERSION = '2016-01-20';
/** Big enough for 6 KB of plaintext and an 8 KB context, percent-encoded, with room to spare. */
export const MAX_BODY_BYTES = 256 * 1024;
/**
 * The request line and the headers together. The 3.x SDKs send every parameter in the query of
 * the request line, so this must hold a 6 KB plaintext and an 8 KB context percent-encoded (up to
 * three characters a byte: about 42 KiB) beside the dozen headers they send (about 1 KiB).
 */
const MAX_HEADER_BYTES = 64 * 1024;
/**
 * The SDKs send 10 to 13 headers, a proxy adds a few; the same bound as Apache's
 * LimitRequestFields. Node itself would only drop the headers past its own 2,000.
 */
export const MAX_HEADER_COUNT = 100;

/** How the HTTP server holds connections: `--request-timeout`, `--headers-timeout`, `--keep-alive-timeout`, `--max-connections`. */
export interface ConnectionLimits {
  /** The longest a client may take to send a whole request, headers and body; then 408 RequestTimeout. */
  readonly requestTimeoutMs: number;
  /** The longest a client may take to send a request's headers; at most `requestTimeoutMs`. */
  readonly headersTimeoutMs: number;
  /** How long an idle keep-alive connection stays open. */
  readonly keepAliveTimeoutMs: number;
  /** Connections held at once; the server closes any beyond at once. */
  readonly maxConnections: number;
}

/** The server's defaults (`arca server` without the four flags); see src/server-defaults.ts. */
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
  headersTimeoutMs: DEFAULT_HEADERS_TIMEOUT_MS,
  keepAliveTimeoutMs: DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  maxConnections: DEFAULT_MAX_CONNECTIONS,
};

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
  /** DEFAULT_CONNECTION_LIMITS when absent. */
  readonly connectionLimits?: ConnectionLimits;
  /** The base of the error bodies' Recommend link (`--error-help-url`); this server's docs/errors.md when absent. */
  readonly errorHelpUrl?: string;
  /**
   * Proxies (addresses, CIDR blocks) whose X-Forwarded-For and X-Forwarded-Proto are believed;
   * without them the client is the TCP peer and the transport the connection's own.
   */
  readonly trustedProxies?: readonly string[];
  /** The region and account of the AWS KMS API's Arns (`--aws-region`, `--aws-account-id`); the defaults when absent. */
  readonly awsScope?: AwsScope;
  /** The web console's files, served at /console/; no console when absent (`--no-console`). */
  readonly console?: ConsoleFiles;
  /** What `GET /ready` reports; ready unless draining when absent. */
  readonly readiness?: Readiness;
  /** `GET /metrics` (the Prometheus text); no such route when absent (`--metrics-port` serves it elsewhere). */
  readonly metrics?: MetricsEndpoint;
}

/** A scrape: the exposition text and its content type. */
export type MetricsEndpoint = () => Promise<{ readonly contentType: string; readonly text: string }>;

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
    ...(deps.trustedProxies && deps.trustedProxies.length > 0 ? { trustProxy: [...deps.trustedProxies] } : {}),
    // The whole request target is parsed once, by Arca, for the signature.
    routerOptions: { querystringParser: () => ({}) },
    serverFactory: (handler: (req: IncomingMessage, res: ServerResponse) => void) =>
      createLimitedServer(handler, deps.connectionLimits ?? DEFAULT_CONNECTION_LIMITS),
    clientErrorHandler: (error: Error & { code?: string }, socket: Duplex) => answerUnparsableRequest(deps, error, socket),
    // A path the router cannot decode (`/%`) is refused in the catalog's shape, not the framework's.
    frameworkErrors: (_error, request, reply) => refuse(deps, factsOf(request), reply, new KmsError('InvalidInput', 'Request')),
  });
  // Before the body is read: a request with more headers than any client sends is refused unread.
  app.addHook('onRequest', (request, _reply, done) => {
    done(request.raw.rawHeaders.length / 2 > MAX_HEADER_COUNT ? new KmsError('RequestTooLarge') : undefined);
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  // Off the signed API, like /health: a prober and a scraper hold no access key. None of the three
  // is audited (the audit trail records API requests), and none names a key.
  app.get('/health', (_request, reply) => {
    void reply.send({ status: 'ok' });
  });
  const readiness = deps.readiness ?? new Readiness();
  app.get('/ready', async (_request, reply) => {
    const { status, body } = await readinessAnswer(readiness);
    void reply.code(status).send(body);
  });
  const metrics = deps.metrics;
  if (metrics) app.get('/metrics', (_request, reply) => serveMetrics(metrics, reply, deps.logger));
  app.get(ERRORS_DOCUMENT_PATH, (request, reply) => serveErrorsDocument(deps, request, reply));
  if (deps.console) registerConsole(app, deps.console);
  // exposeHeadRoute: Fastify would answer HEAD with the GET handler, and a signed HEAD request would
  // then run its action (CreateKey…) with the answer thrown away. The API is GET and POST only.
  app.route({
    method: ['GET', 'POST'],
    url: '/',
    exposeHeadRoute: false,
    // The AWS KMS API on the same port: its requests name their operation in X-Amz-Target.
    handler: (request, reply) =>
      isAwsRequest(request) ? serveAwsRequest(awsDepsOf(deps), request, reply) : handleApiRequest(deps, request, reply),
  });

  app.setNotFoundHandler((request, reply) => {
    const error = request.url.split('?')[0] === '/' ? new KmsError('MethodNotAllowed') : new KmsError('UnknownAction');
    refuseRouted(deps, request, reply, error);
  });
  app.setErrorHandler((error, request, reply) => {
    refuseRouted(deps, request, reply, kmsErrorFrom(error, deps.logger));
  });
  return app;
}

function awsDepsOf(deps: ApiDependencies): AwsFrontEndDependencies {
  return { ...deps, awsScope: deps.awsScope ?? DEFAULT_AWS_SCOPE };
}

/** A refusal before any front end read the request, in the shape of the protocol it speaks. */
function refuseRouted(deps: ApiDependencies, request: FastifyRequest, reply: FastifyReply, error: KmsError): void {
  if (isAwsRequest(request)) refuseAwsRequest(awsDepsOf(deps), request, reply, error);
  else refuse(deps, factsOf(request), reply, error);
}

function createLimitedServer(handler: (req: IncomingMessage, res: ServerResponse) => void, limits: ConnectionLimits): Server {
  const server = createServer(
    {
      maxHeaderSize: MAX_HEADER_BYTES,
      // node would answer an HTTP/1.1 request without Host with a bare 400 and no body; Arca answers
      // it like any other (the signature covers the host, so it fails there).
      requireHostHeader: false,
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // node checks the two timeouts above on this interval (30 s by default, which would let a
      // stalled request live up to 30 s past its timeout).
      connectionsCheckingInterval: Math.min(CONNECTIONS_CHECK_MS, limits.headersTimeoutMs),
    },
    handler,
  );
  server.maxConnections = limits.maxConnections;
  // One more than the bound, so that a request over it is seen, and refused, rather than cut.
  server.maxHeadersCount = MAX_HEADER_COUNT + 1;
  return server;
}

const CONNECTIONS_CHECK_MS = 500;

// `request.ip` and `request.protocol` read X-Forwarded-For and X-Forwarded-Proto only when the
// peer is one of the trusted proxies (Fastify's trustProxy), and the socket otherwise.
function factsOf(request: FastifyRequest): RequestFacts {
  const userAgent = singleHeader(request, 'user-agent');
  return {
    source: AUDIT_SOURCE,
    requestId: randomUUID(),
    sourceIp: request.ip,
    secureTransport: request.protocol === 'https',
    ...(userAgent === undefined ? {} : { userAgent }),
  };
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
  const claimed = claimedAccessKeyId(signed, parameters);
  if (claimed !== undefined) call.claimAccessKey(claimed);
  const params = new WireParams(parameters, deps.scope);
  // The x-acs-action and x-acs-version headers count only where the signature covers them (ACS3);
  // signature 1.0 signs the parameters alone, so there an unsigned header could change the action.
  const fromSignedHeader = (name: string): string | undefined => (headersAreSigned(signed) ? singleHeader(request, name) : undefined);
  const action = params.optional('Action') ?? fromSignedHeader('x-acs-action');
  if (action) call.nameAction(action);
  const version = params.optional('Version') ?? fromSignedHeader('x-acs-version');
  const caller = await authenticate(deps, signed, call);
  call.authenticated(caller);
  // Only an authenticated caller's parameters reach the trail: an anonymous one cannot make it grow.
  call.recordParameters(auditedParameters(parameters, params));
  deps.rateLimiter?.admit(caller.accessKeyId, deps.clock.now());
  if (action === undefined || action === '') throw new KmsError('MissingInput', 'Action');
  if (version === undefined || version === '') throw new KmsError('MissingInput', 'Version');
  if (version !== API_VERSION && version !== RAM_API_VERSION) throw new KmsError('InvalidInput', 'Version');
  checkFormat(parameters);
  // One endpoint, two APIs: the version says which table names the action (docs/adr/0027).
  const entry = version === RAM_API_VERSION ? RAM_ACTION_TABLE.get(action) : ACTION_TABLE.get(action);
  if (!entry) throw version === RAM_API_VERSION ? new KmsError('UnknownAction') : unservedActionError(action);
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
  const formParams: ParamPairs = isFormContentType(request.headers['content-type'])
    ? decodeFormBody(body, MAX_PARAMETERS - query.length)
    : [];
  return { method: request.method, path, query, formParams, body, headers: request.headers };
}

function singleHeader(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** A scrape that cannot be answered (a cluster's worker that did not answer in time) is a 503, not an API error. */
async function serveMetrics(metrics: MetricsEndpoint, reply: FastifyReply, logger: Logger): Promise<void> {
  try {
    const { contentType, text } = await metrics();
    void reply.code(200).type(contentType).send(text);
  } catch (error) {
    logger.warn({ err: error }, 'metrics could not be gathered');
    void reply.code(503).type('text/plain;charset=utf-8').send('metrics unavailable\n');
  }
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
 * or that did not arrive in time never reaches a route; it still gets a catalog error in the usual
 * JSON shape, unless a response to it has begun already, which a second one would corrupt.
 */
function answerUnparsableRequest(deps: ApiDependencies, error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET' || responseBegun(socket)) {
    socket.destroy();
    return;
  }
  const requestId = randomUUID();
  const kmsError = clientErrorOf(error.code);
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

function clientErrorOf(code: string | undefined): KmsError {
  if (code === 'HPE_HEADER_OVERFLOW') return new KmsError('RequestTooLarge');
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return new KmsError('RequestTimeout');
  return new KmsError('InvalidInput', 'Request');
}

// A second response after one whose headers went out would corrupt the stream; the response in
// flight on a socket is node's `_httpMessage` (not public API, hence the defensive read).
function responseBegun(socket: Duplex): boolean {
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  return inFlight?.headersSent === true;
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
