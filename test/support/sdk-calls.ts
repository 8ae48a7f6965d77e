// Small pieces the SDK conformance tests (test/e2e/sdk-*.test.ts) share.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';

import { startTestServer, type TestServer } from './server.js';

/** One API call through an SDK's wire path: the parsed response body, or a thrown SDK error. */
export type Call = (action: string, query: Record<string, unknown>) => Promise<any>;

/**
 * Alias names no other test (or run) uses: `alias/<prefix>-<label>-<pid>-<n>`, with n counting
 * up from 1 for each namer.
 */
export function aliasNamer(prefix: string): (label: string) => string {
  let counter = 0;
  return (label) => {
    counter += 1;
    return `alias/${prefix}-${label}-${process.pid}-${counter}`;
  };
}

/**
 * One in-process test server for a whole test file: started by a `before` hook registered here,
 * which then runs `onStart` with it, and closed by an `after` hook even when tests failed.
 * Returns the running server.
 */
export function testServerForFile(onStart: (server: TestServer) => void = () => {}): () => TestServer {
  let server: TestServer | undefined;
  before(async () => {
    server = await startTestServer();
    onStart(server);
  });
  after(async () => {
    await server?.close();
  });
  return () => {
    assert.ok(server, 'the test server has not started');
    return server;
  };
}
