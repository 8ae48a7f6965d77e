// `npm run bench -- [--mode api|workers|scale] [--duration <s>] [--connections <n>] [--json <file>] …`
//
// Starts Arca (the compiled CLI, SQLite, port 0, a temporary data directory; built first when
// dist/ is older than src/) and a bare node:http server (bench/ceiling-server.ts), each in its
// own process, plus a load generator in a third (bench/loadgen.ts, raw HTTP/1.1 sockets). The api
// mode creates an AES-256 and an SM4 key (and an HSM key when a token is at hand) and one
// ciphertext of each, then drives each scenario at a fixed concurrency and reports requests/s,
// p50/p99 latency, errors, the ratio to the ceiling, CPU per request of server and generator, and
// the server's RSS. The workers mode compares 1 and 2 worker processes; the scale mode creates
// --keys keys, restarts, and encrypts under keys drawn at random. Every child is killed at the
// end, on errors and on signals. Never part of `npm test`: timings on shared machines are noise.
//
// The processes and the options are in bench/harness.ts, the scenarios and modes in
// bench/probes.ts, the table and the JSON in bench/report.ts.
import { buildIfStale, killChildren, killChildrenWhenDone, Loadgen, parseCommandLine, settingsOf } from './harness.js';
import { apiMode, scaleMode, workersMode } from './probes.js';
import { writeJsonReport } from './report.js';

const MODES = { api: apiMode, workers: workersMode, scale: scaleMode } as const;

async function main(): Promise<void> {
  const values = parseCommandLine();
  buildIfStale();
  const { settings, mode } = settingsOf(values, Object.keys(MODES) as (keyof typeof MODES)[]);
  const loadgen = new Loadgen();
  await loadgen.ready;
  const report = await MODES[mode](settings, loadgen);
  loadgen.stop();
  if (values.json !== undefined) writeJsonReport(values.json, report);
}

killChildrenWhenDone();
main().then(
  () => {
    killChildren();
    process.exit(0);
  },
  (error: unknown) => {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
    killChildren();
    process.exit(1);
  },
);
