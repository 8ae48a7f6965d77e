import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Clock } from '../../src/domain/ports.js';
import { DEFAULT_CONFIG } from '../../src/config/arca-config.js';
import { startServer, type RunningServer } from '../../src/main.js';

export const TEST_ACCESS_KEY_ID = 'LTAItestAccessKey0001';
export const TEST_ACCESS_KEY_SECRET = 'testSecretForArcaConformance01';
export const TEST_REGION = 'cn-hangzhou';
export const TEST_ACCOUNT_ID = '1234567890123456';

export interface TestServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** `host:port`, the SDKs' endpoint form. */
  readonly endpoint: string;
  readonly dataDir: string;
  readonly server: RunningServer;
  /** Stops the server; with `keepData` the data directory stays for a restart. */
  close(options?: { keepData?: boolean }): Promise<void>;
}

export interface TestServerOptions {
  readonly dataDir?: string;
  readonly clock?: Clock;
  readonly environment?: Record<string, string | undefined>;
  /** The background jobs' tick (default: the server's 60 s). */
  readonly jobIntervalMs?: number;
}

/** Starts a real Arca server in this process on 127.0.0.1 and a free port. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'arca-test-'));
  const server = await startServer(
    {
      ...DEFAULT_CONFIG,
      host: '127.0.0.1',
      port: 0,
      dataDir,
      region: TEST_REGION,
      accountId: TEST_ACCOUNT_ID,
      ...(options.jobIntervalMs ? { jobIntervalMs: options.jobIntervalMs } : {}),
    },
    {
      environment: options.environment ?? {
        ARCA_ACCESS_KEY_ID: TEST_ACCESS_KEY_ID,
        ARCA_ACCESS_KEY_SECRET: TEST_ACCESS_KEY_SECRET,
      },
      logger: pino({ level: 'silent' }),
      announce: () => {},
      ...(options.clock ? { clock: options.clock } : {}),
    },
  );
  return {
    url: server.url,
    host: '127.0.0.1',
    port: server.port,
    endpoint: `127.0.0.1:${server.port}`,
    dataDir,
    server,
    close: async ({ keepData = false } = {}) => {
      await server.close();
      if (keepData) return;
      rmSync(dataDir, { recursive: true, force: true });
      // The root key file a first start made beside the data directory (ADR 34).
      rmSync(`${dataDir}.root.key`, { force: true });
    },
  };
}
