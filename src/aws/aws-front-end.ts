import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { kmsErrorFrom } from '../api/error-response.js';
import type { AccessKeyRateLimiter } from '../api/rate-limiter.js';
import { splitRequestTarget } from '../api/request-parsing.js';
import type { SignedRequest } from '../api/signature/signed-request.js';
import type { NonceRecorder } from '../api/signature/verify-request.js';
import { KmsError } from '../domain/errors.js';
import type { Clock } from '../domain/ports.js';
import type { AccessKeys } from '../operations/access-keys.js';
import type { Call, OperationRunner, RequestFacts } from '../pipeline/runner.js';
import { AWS_ACTION_TABLE } from './aws-action-table.js';
import type { AwsScope } from './aws-arn.js';
import { awsCodeOf, awsErrorOf } from './aws-errors.js';
import { AwsParams } from './aws-params.js';
import type { AwsBody } from './aws-shapes.js';
import { verifySigV4 } from './sigv4.js';

export const AWS_TARGET_HEADER = 'x-amz-target';
export const AWS_TARGET_PREFIX = 'TrentService.';
export const AWS_JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
const REQUEST_ID_HEADER = 'x-amzn-RequestId';
/** The AWS front end's name in the audit trail. */
const AUDIT_SOURCE = 'aws';

export interface AwsFrontEndDependencies {
  readonly runner: OperationRunner;
  readonly accessKeys: AccessKeys;
  readonly replayGuard: NonceRecorder;
  readonly clock: Clock;
  readonly awsScope: AwsScope;
  readonly logger: Logger;
  readonly rateLimiter?: AccessKeyRateLimiter;
}

/** A request for the AWS KMS API: it names its operation in `X-Amz-Target`, which Alibaba's never send. */
export function isAwsRequest(request: FastifyRequest): boolean {
  return request.headers[AWS_TARGET_HEADER] !== undefined;
}

/**
 * Serves one AWS KMS request on `/` through the one runner: one audit event whatever the
 * outcome, the same access keys, authorisation and state rules as the Alibaba API. Answers in
 * AWS JSON 1.1: 200 with the operation's members, or `{"__type", "message"}` with AWS's status,
 * each with `x-amzn-RequestId` (node adds the `Date` header the SDK corrects its clock from).
 */
export async function serveAwsRequest(deps: AwsFrontEndDependencies, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const facts = factsOf(request);
  try {
    const body = await deps.runner.serve(facts, (call) => serveCall(deps, request, call), awsCodeOf);
    send(reply, 200, facts.requestId, body);
  } catch (thrown) {
    const { httpStatus, body } = awsErrorOf(kmsErrorFrom(thrown, deps.logger, facts.requestId));
    send(reply, httpStatus, facts.requestId, body);
  }
}

/**
 * An AWS request refused before it reached the front end (a body over the limit, a method or path
 * the API has no route for): audited like every other, answered in AWS's shape.
 */
export function refuseAwsRequest(deps: AwsFrontEndDependencies, request: FastifyRequest, reply: FastifyReply, error: KmsError): void {
  const facts = factsOf(request);
  void deps.runner.serve(facts, () => Promise.reject(error), awsCodeOf).catch(() => undefined);
  const { httpStatus, body } = awsErrorOf(error);
  send(reply, httpStatus, facts.requestId, body);
}

function factsOf(request: FastifyRequest): RequestFacts {
  const userAgent = request.headers['user-agent'];
  return { source: AUDIT_SOURCE, requestId: randomUUID(), sourceIp: request.ip, ...(typeof userAgent === 'string' ? { userAgent } : {}) };
}

async function serveCall(deps: AwsFrontEndDependencies, request: FastifyRequest, call: Call): Promise<AwsBody> {
  const signed = toSignedRequest(request);
  const target = singleValue(request.headers[AWS_TARGET_HEADER]) ?? '';
  const entry = target.startsWith(AWS_TARGET_PREFIX) ? AWS_ACTION_TABLE.get(target.slice(AWS_TARGET_PREFIX.length)) : undefined;
  if (entry) call.nameAction(entry.actions[0]);
  let principal = '';
  const verified = await verifySigV4(
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
  call.authenticated({ accessKeyId: verified.accessKeyId, principal });
  deps.rateLimiter?.admit(verified.accessKeyId, deps.clock.now());
  if (request.method !== 'POST') throw new KmsError('MethodNotAllowed');
  if (!entry) throw new KmsError('UnknownAction');
  if (!isAwsJson(singleValue(request.headers['content-type']))) throw new KmsError('InvalidInput', 'contentType');
  const params = AwsParams.fromBody(signed.body, deps.awsScope);
  return entry.run(params, {
    execute: (operation, input) => call.execute(operation, input),
    resolvedKey: (role) => call.resolvedKey(role),
    scope: deps.awsScope,
    clock: deps.clock,
  });
}

function isAwsJson(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === AWS_JSON_CONTENT_TYPE;
}

function toSignedRequest(request: FastifyRequest): SignedRequest {
  const { path, query } = splitRequestTarget(request.raw.url ?? '/');
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  // The path as sent, not decoded: SigV4 signs it encoded once more.
  return { method: request.method, path, query, formParams: [], body, headers: request.headers };
}

function singleValue(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function send(reply: FastifyReply, status: number, requestId: string, body: AwsBody): void {
  // Bytes, not a string, for which Fastify would add a charset to the content type AWS sends bare.
  void reply
    .code(status)
    .header(REQUEST_ID_HEADER, requestId)
    .header('content-type', AWS_JSON_CONTENT_TYPE)
    .send(Buffer.from(JSON.stringify(body), 'utf8'));
}
