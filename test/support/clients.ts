// The official Alibaba SDK clients, pointed at a test server. Their published types are loose,
// so this file keeps the untyped edges in one place.
import KmsModule, * as KmsModels from '@alicloud/kms20160120';
import * as RpcClient from '@alicloud/rpc-client';
import OpenApiModule, * as OpenApi from '@alicloud/openapi-core';
import OpenApiClientModule, * as OpenApiClient from '@alicloud/openapi-client';
import { TEST_ACCESS_KEY_ID, TEST_ACCESS_KEY_SECRET, type TestServer } from './server.js';

export { KmsModels };

interface Credentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
}

const defaultCredentials: Credentials = { accessKeyId: TEST_ACCESS_KEY_ID, accessKeySecret: TEST_ACCESS_KEY_SECRET };

/** `@alicloud/kms20160120` 1.2.0: HMAC-SHA1 signature 1.0, everything in the query. */
export function v1Client(server: Pick<TestServer, 'endpoint'>, credentials: Credentials = defaultCredentials): any {
  const Client: any = (KmsModule as any).default ?? KmsModule;
  return new Client(
    new (RpcClient as any).Config({ ...credentials, endpoint: server.endpoint, protocol: 'http', regionId: 'cn-hangzhou' }),
  );
}

/**
 * `@alicloud/openapi-core` 1.0.8 `callApi` with the parameters the 3.x SDK passes: the current
 * SDK's wire traffic (ACS3-HMAC-SHA256 by default; `signatureAlgorithm: 'v2'` for HMAC-SHA1).
 */
export function v3Caller(
  server: Pick<TestServer, 'endpoint'>,
  options: { signatureAlgorithm?: string; credentials?: Credentials } = {},
): (action: string, query: Record<string, unknown>) => Promise<any> {
  const Client: any = (OpenApiModule as any).default ?? OpenApiModule;
  const OpenApiAny: any = OpenApi;
  const Config = OpenApiAny.$OpenApiUtil?.Config ?? OpenApiAny.Config;
  const Params = OpenApiAny.$OpenApiUtil?.Params ?? OpenApiAny.Params;
  const OpenApiRequest = OpenApiAny.$OpenApiUtil?.OpenApiRequest ?? OpenApiAny.OpenApiRequest;
  const RuntimeOptions = OpenApiAny.$dara?.RuntimeOptions ?? OpenApiAny.RuntimeOptions;
  const client = new Client(
    new Config({
      ...(options.credentials ?? defaultCredentials),
      endpoint: server.endpoint,
      protocol: 'http',
      ...(options.signatureAlgorithm ? { signatureAlgorithm: options.signatureAlgorithm } : {}),
    }),
  );
  return async (action, query) => {
    const params = new Params(kmsCallParams(action));
    const request = new OpenApiRequest({ query: stringifyQuery(query) });
    const response = await client.callApi(params, request, RuntimeOptions ? new RuntimeOptions({}) : {});
    return response.body;
  };
}

/**
 * `@alicloud/openapi-client` 0.4.15 `callApi` (signed by `@alicloud/openapi-util` 0.3.3) with the
 * parameters the 2.x SDK passes: ACS3-HMAC-SHA256 by default, or the `signatureAlgorithm` given.
 * Its errors are plain `Error`s with `code`, `message` and `data.statusCode`.
 */
export function openApiClientCaller(
  server: Pick<TestServer, 'endpoint'>,
  options: { signatureAlgorithm?: string; credentials?: Credentials } = {},
): (action: string, query: Record<string, unknown>) => Promise<any> {
  const Client: any = (OpenApiClientModule as any).default ?? OpenApiClientModule;
  const OpenApiClientAny: any = OpenApiClient;
  const client = new Client(
    new OpenApiClientAny.Config({
      ...(options.credentials ?? defaultCredentials),
      endpoint: server.endpoint,
      protocol: 'http',
      ...(options.signatureAlgorithm ? { signatureAlgorithm: options.signatureAlgorithm } : {}),
    }),
  );
  return async (action, query) => {
    const params = new OpenApiClientAny.Params(kmsCallParams(action));
    const request = new OpenApiClientAny.OpenApiRequest({ query: stringifyQuery(query) });
    // A plain object serves as the RuntimeOptions: callApi only reads its optional fields.
    const response = await client.callApi(params, request, {});
    return response.body;
  };
}

/** The Params the 2.x and 3.x SDKs give callApi for every KMS action: RPC, POST on `/`. */
function kmsCallParams(action: string): Record<string, string> {
  return {
    action,
    version: '2016-01-20',
    protocol: 'HTTP',
    pathname: '/',
    method: 'POST',
    authType: 'AK',
    style: 'RPC',
    reqBodyType: 'formData',
    bodyType: 'json',
  };
}

/** The 3.x SDK turns every field into a string (objects as JSON) before it calls callApi. */
function stringifyQuery(query: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    out[name] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}
