// The server's defaults, apart from src/main.ts so that the `arca` command can show them in its
// help without loading the server (fastify, SQLite): client commands start in a fraction of the time.
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;
export const DEFAULT_DATA_DIR = './data';
export const DEFAULT_REGION = 'cn-hangzhou';
export const DEFAULT_ACCOUNT_ID = '1234567890123456';
/** The region and 12-digit account of AWS Arns (the AWS KMS API); the account is all zeros, as no AWS account is. */
export const DEFAULT_AWS_REGION = 'us-east-1';
export const DEFAULT_AWS_ACCOUNT_ID = '000000000000';
export const DEFAULT_AWS_SCOPE = { region: DEFAULT_AWS_REGION, accountId: DEFAULT_AWS_ACCOUNT_ID } as const;
export const DEFAULT_JOB_INTERVAL_MS = 60_000;
/**
 * How the HTTP server holds connections. 600 connections stalled inside their bodies held 150 MB
 * for node's default of 5 minutes; with these at most 256 bodies (64 MiB at 256 KiB each) are held,
 * each for at most 30 s (a 256 KiB request takes milliseconds on any working link). 5 s of idle
 * keep-alive is node's own default.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 5_000;
export const DEFAULT_MAX_CONNECTIONS = 256;
