// The server's defaults, apart from src/main.ts so that the `arca` command can show them in its
// help without loading the server (fastify, SQLite): client commands start in a fraction of the time.
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;
export const DEFAULT_DATA_DIR = './data';
export const DEFAULT_REGION = 'cn-hangzhou';
export const DEFAULT_ACCOUNT_ID = '1234567890123456';
export const DEFAULT_JOB_INTERVAL_MS = 60_000;
