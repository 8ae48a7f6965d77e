// What a probe measures and the report prints: one row per scenario run.
import type { LoadResult } from './protocol.js';

export const KEY_SPEC = { aes: 'Aliyun_AES_256', sm4: 'Aliyun_SM4' } as const;

export type ProtectionLevel = 'SOFTWARE' | 'HSM';

/** A load generator result with the server's CPU time per recorded request. */
export type MeasuredLoad = LoadResult & { serverCpuUsPerRequest: number };

/** One scenario's figures, as the table and the JSON report show them. */
export interface Row {
  readonly name: string;
  readonly action: string;
  readonly keySpec: string;
  readonly protectionLevel: ProtectionLevel;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly ratio: number;
  readonly serverCpuUsPerRequest: number;
  readonly loadgenCpuUsPerRequest: number;
}

/** What `RssWatch` saw of the server (with its workers) while it ran. */
export interface RssReading {
  readonly peakMb: number;
  readonly at10sMb: number | undefined;
  readonly endMb: number;
  readonly growthAfter10sPct: number | undefined;
}
