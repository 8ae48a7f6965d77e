// The real AWS SDK clients pointed at an Arca process: the same access keys that sign Alibaba
// requests sign SigV4 ones.
import { KMSClient } from '@aws-sdk/client-kms';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Credentials, PreparedRequest } from './acs3-signer.js';

/** The AWS scope the AWS tests start Arca with (`--aws-region`, `--aws-account-id`). */
export const TEST_AWS_REGION = 'eu-west-1';
export const TEST_AWS_ACCOUNT_ID = '111122223333';
export const TEST_AWS_ARGS = ['--aws-region', TEST_AWS_REGION, '--aws-account-id', TEST_AWS_ACCOUNT_ID] as const;

export function awsKeyArnOf(keyId: string): string {
  return `arn:aws:kms:${TEST_AWS_REGION}:${TEST_AWS_ACCOUNT_ID}:key/${keyId}`;
}

export function awsKmsClient(endpoint: string, credentials: Credentials, region: string = TEST_AWS_REGION): KMSClient {
  return new KMSClient({
    endpoint: `http://${endpoint}`,
    region,
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.accessKeySecret },
    // One attempt: a test sees the server's first answer, not a retried one.
    maxAttempts: 1,
  });
}

export interface AwsRawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly json: any;
}

export interface AwsRawRequest {
  /** `TrentService.<Operation>`, or anything else to test what is refused. */
  readonly target: string;
  readonly body?: string;
  readonly method?: 'POST' | 'GET';
  readonly contentType?: string;
  readonly region?: string;
  /** When the request says it was signed; now when absent. */
  readonly signingDate?: Date;
}

/**
 * A request signed by the SDK's own signer (@smithy/signature-v4, as the KMS client uses it),
 * for what the client itself would never send: an unknown operation, another method or content
 * type, a body of one's own, the same signed request twice.
 */
export async function signAwsRequest(endpoint: string, credentials: Credentials, request: AwsRawRequest): Promise<PreparedRequest> {
  const [hostname, port] = endpoint.split(':');
  const body = request.body ?? '{}';
  const signer = new SignatureV4({
    service: 'kms',
    region: request.region ?? TEST_AWS_REGION,
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.accessKeySecret },
    sha256: Hash.bind(null, 'sha256'),
  });
  const method = request.method ?? 'POST';
  const signed = await signer.sign(
    {
      method,
      protocol: 'http:',
      hostname: hostname ?? '',
      port: Number(port),
      path: '/',
      headers: {
        host: endpoint,
        'content-type': request.contentType ?? 'application/x-amz-json-1.1',
        'x-amz-target': request.target,
        ...(method === 'POST' ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
      },
      ...(method === 'POST' ? { body } : {}),
    },
    request.signingDate ? { signingDate: request.signingDate } : {},
  );
  return { method, path: '/', headers: signed.headers, body: Buffer.from(method === 'POST' ? body : '') };
}

/** Signs `request` (signAwsRequest) and sends it with fetch. */
export async function sendSignedAws(endpoint: string, credentials: Credentials, request: AwsRawRequest): Promise<AwsRawResponse> {
  const prepared = await signAwsRequest(endpoint, credentials, request);
  const response = await fetch(`http://${endpoint}/`, {
    method: prepared.method,
    headers: prepared.headers,
    ...(prepared.method === 'POST' ? { body: prepared.body } : {}),
  });
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json };
}
