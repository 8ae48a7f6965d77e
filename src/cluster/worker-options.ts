import type { ServerOptions } from '../main.js';

/** What the primary hands each worker, through its environment (JSON in one variable). */
export type WorkerOptions = Pick<
  ServerOptions,
  'host' | 'port' | 'dataDir' | 'region' | 'accountId' | 'minRotationIntervalSeconds' | 'jobIntervalMs' | 'rateLimit' | 'pkcs11'
>;

export const WORKER_OPTIONS_VARIABLE = 'ARCA_WORKER_OPTIONS';
export const WORKER_INDEX_VARIABLE = 'ARCA_WORKER_INDEX';

export function encodeWorkerOptions(options: WorkerOptions): string {
  return JSON.stringify(options);
}

export function decodeWorkerOptions(text: string | undefined): WorkerOptions {
  if (text === undefined) throw new Error(`${WORKER_OPTIONS_VARIABLE} is not set: this file is started by arca server --workers N`);
  const parsed = JSON.parse(text) as Record<string, unknown>;
  const text_ = (name: string): string => {
    const value = parsed[name];
    if (typeof value !== 'string') throw new Error(`worker options: ${name} is missing`);
    return value;
  };
  const number_ = (name: string): number | undefined => {
    const value = parsed[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'number') throw new Error(`worker options: ${name} is not a number`);
    return value;
  };
  const port = number_('port');
  if (port === undefined) throw new Error('worker options: port is missing');
  const minRotationIntervalSeconds = number_('minRotationIntervalSeconds');
  const jobIntervalMs = number_('jobIntervalMs');
  const rateLimit = parsed.rateLimit as { requestsPerSecond?: unknown; burst?: unknown } | undefined;
  if (rateLimit !== undefined && (typeof rateLimit.requestsPerSecond !== 'number' || !['number', 'undefined'].includes(typeof rateLimit.burst))) {
    throw new Error('worker options: rateLimit is malformed');
  }
  const pkcs11 = parsed.pkcs11 as { modulePath?: unknown; tokenLabel?: unknown; rootKeyLabel?: unknown } | undefined;
  if (
    pkcs11 !== undefined &&
    (typeof pkcs11.modulePath !== 'string' || typeof pkcs11.tokenLabel !== 'string' || !['string', 'undefined'].includes(typeof pkcs11.rootKeyLabel))
  ) {
    throw new Error('worker options: pkcs11 is malformed');
  }
  return {
    ...(pkcs11 === undefined
      ? {}
      : {
          pkcs11: {
            modulePath: pkcs11.modulePath as string,
            tokenLabel: pkcs11.tokenLabel as string,
            ...(typeof pkcs11.rootKeyLabel === 'string' ? { rootKeyLabel: pkcs11.rootKeyLabel } : {}),
          },
        }),
    host: text_('host'),
    port,
    dataDir: text_('dataDir'),
    region: text_('region'),
    accountId: text_('accountId'),
    ...(minRotationIntervalSeconds === undefined ? {} : { minRotationIntervalSeconds }),
    ...(jobIntervalMs === undefined ? {} : { jobIntervalMs }),
    ...(rateLimit === undefined
      ? {}
      : {
          rateLimit: {
            requestsPerSecond: rateLimit.requestsPerSecond as number,
            ...(typeof rateLimit.burst === 'number' ? { burst: rateLimit.burst } : {}),
          },
        }),
  };
}
