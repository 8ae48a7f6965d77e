import type { FastifyInstance } from 'fastify';

/** How long a graceful stop waits for requests in flight before it cuts their connections. */
export const DEFAULT_DRAIN_GRACE_MS = 10_000;
/** How often idle keep-alive connections are closed while draining. */
const IDLE_SWEEP_MS = 50;

/**
 * Stops the HTTP server gracefully: it stops accepting connections at once, lets every request
 * it has received run to completion and its response be written, closes keep-alive connections
 * as soon as they are idle, and resolves once no connection is left.
 *
 * Every write Arca acknowledges is committed before its response is sent, so finishing the
 * requests in flight is what keeps an acknowledged write from being lost to a stop: a client
 * either got its answer or never got one for a write that did not happen, or did happen without
 * an answer (like any request cut by a network failure; the SDKs retry, and a retried CreateKey
 * makes a second key, as at Alibaba).
 *
 * A request still running after `graceMs` (a client that stalls mid-upload, a hung handler) has
 * its connection closed so the process can exit; its client gets no answer.
 */
export async function drainAndClose(app: FastifyInstance, graceMs = DEFAULT_DRAIN_GRACE_MS): Promise<void> {
  const server = app.server;
  // A keep-alive connection that finishes its request during the drain goes idle without the
  // server closing it; sweeping idle connections lets close() complete as soon as the last
  // request is answered.
  const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
  const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
  try {
    await app.close();
  } finally {
    clearInterval(sweep);
    clearTimeout(deadline);
  }
}
