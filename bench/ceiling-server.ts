// The ceiling: a bare node:http server in its own process answering a small JSON body, about the
// size and shape of a KMS response. No Node HTTP service on the machine can beat it, so the
// bench reports every Arca figure as a ratio to it. Prints `listening on http://H:P`.
import { createServer } from 'node:http';

const body = Buffer.from(JSON.stringify({ RequestId: '00000000-0000-4000-8000-000000000000', KeyId: 'ceiling', Ok: true }));
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json;charset=utf-8', 'content-length': body.length });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  console.log(`listening on http://127.0.0.1:${port}`);
});
const stop = (): void => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
