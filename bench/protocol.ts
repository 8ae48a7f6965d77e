// Messages between the bench driver (bench/harness.ts) and the load generator (bench/loadgen.ts).
import type { Credentials } from './signer.js';

export interface LoadJob {
  readonly name: string;
  readonly port: number;
  /** `host:port` for the Host header (and the signature). */
  readonly host: string;
  /** Absent for the bare ceiling server: a plain unsigned GET /. */
  readonly signed?: {
    readonly credentials: Credentials;
    readonly action: string;
    readonly params: Readonly<Record<string, string>>;
    /** When set, each request's KeyId is one of these, drawn at random (the scale mode). */
    readonly randomKeyIds?: readonly string[];
    /** Return the KeyId of every successful response (CreateKey in the scale mode). */
    readonly collectKeyIds?: boolean;
  };
  /** Stop after this many requests (all recorded; rps is then over the time they took). */
  readonly maxRequests?: number;
  readonly connections: number;
  readonly warmupMs: number;
  readonly durationMs: number;
}

export interface LoadResult {
  readonly name: string;
  readonly requests: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly errors: number;
  /** The load generator's own CPU time (user + system) per recorded request, in microseconds. */
  readonly loadgenCpuUsPerRequest: number;
  readonly keyIds?: readonly string[];
  /** The first non-200 status and body (or transport error), for the report. */
  readonly firstError?: string;
}

export type ToLoadgen = { readonly type: 'run'; readonly job: LoadJob } | { readonly type: 'exit' };
export type FromLoadgen =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly result: LoadResult }
  | { readonly type: 'failed'; readonly message: string };
