import { createServer, type Server } from 'node:net';

/** The server's address, held while a start prepares so that a port in use fails it first. */
export interface PortReservation {
  /** Frees the port for the real listener; harmless when called again. */
  release(): Promise<void>;
}

/**
 * Binds `host:port` with a bare socket that accepts nothing, so that a taken port or an address
 * not on this machine fails the start before it creates anything (root key, database,
 * administrator key). The start releases it just before the HTTP server binds the same address.
 * Port 0 binds some free port: that proves the host can be bound; the server then picks its own.
 */
export async function reservePort(host: string, port: number): Promise<PortReservation> {
  const server = createServer();
  // Nothing should connect in the moment the reservation is held; anyone who does is turned away.
  server.on('connection', (socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  let released: Promise<void> | undefined;
  return { release: () => (released ??= close(server)) };
}

function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}
