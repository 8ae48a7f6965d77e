// The official Alibaba SDK clients, pointed at a test server. Their published types are loose,
// so this file keeps the untyped edges in one place.
import KmsModule, * as KmsModels from '@alicloud/kms20160120';
import * as RpcClient from '@alicloud/rpc-client';
import OpenApiModule, * as OpenApi from '@alicloud/openapi-core';
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
    const params = new Params({
      action,
      version: '2016-01-20',
      protocol: 'HTTP',
      pathname: '/',
      method: 'POST',
      authType: 'AK',
      style: 'RPC',
      reqBodyType: 'formData',
      bodyType: 'json',
    });
    const request = new OpenApiRequest({ query: stringifyQuery(query) });
    const response = await client.callApi(params, request, RuntimeOptions ? new RuntimeOptions({}) : {});
    return response.body;
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
