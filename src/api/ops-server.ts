import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { readinessAnswer, type Readiness } from './readiness.js';
import type { MetricsEndpoint } from './server.js';

/** The operators' port (`--metrics-port`): `/metrics`, `/ready` and `/health`, nothing else. */
export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Listens on `host:port` for the scraper and the probes, apart from the API: a firewall can then
 * keep the API open to clients and this port to the monitoring network. It opens before the data
 * directory, so `/ready` answers 503 (`pending`) while the store, the root key and the replay
 * guard are still being opened, and it closes last, so it says `draining` through a graceful stop.
 */
export async function startOpsServer(options: {
  readonly host: string;
  readonly port: number;
  readonly readiness: Readiness;
  readonly metrics: MetricsEndpoint;
  readonly logger: Logger;
}): Promise<OpsServer> {
  const server = createServer((request, response) => {
    answer(options, request, response).catch((error: unknown) => {
      options.logger.warn({ err: error }, 'the metrics port could not answer');
      if (!response.headersSent) reply(response, 503, 'text/plain;charset=utf-8', 'unavailable\n');
      else response.destroy();
    });
  });
  // A scraper keeps its connection open between scrapes; a stop must not wait for it.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return { port, close: () => closeServer(server) };
}

async function answer(
  options: { readonly readiness: Readiness; readonly metrics: MetricsEndpoint },
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    reply(response, 405, 'text/plain;charset=utf-8', 'GET only\n');
    return;
  }
  if (path === '/health') {
    reply(response, 200, 'application/json; charset=utf-8', JSON.stringify({ status: 'ok' }));
  } else if (path === '/ready') {
    const { status, body } = await readinessAnswer(options.readiness);
    reply(response, status, 'application/json; charset=utf-8', JSON.stringify(body));
  } else if (path === '/metrics') {
    const { contentType, text } = await options.metrics();
    reply(response, 200, contentType, text);
  } else {
    reply(response, 404, 'text/plain;charset=utf-8', 'not found: this port serves /metrics, /ready and /health\n');
  }
}

function reply(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
