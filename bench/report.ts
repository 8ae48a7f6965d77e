// The bench's report: the table and the lines printed at the end of each mode, the ratios, and the
// JSON written by --json.
import { writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import type { Settings } from './harness.js';
import type { LoadResult } from './protocol.js';
import { KEY_SPEC, type MeasuredLoad, type ProtectionLevel, type Row, type RssReading } from './results.js';

export function fmt(n: number, digits: number): string {
  return n.toFixed(digits);
}

const round = (n: number, d = 2): number => Math.round(n * 10 ** d) / 10 ** d;

function machine(): Record<string, unknown> {
  const list = cpus();
  return {
    cpus: list.length,
    model: list[0]?.model ?? 'unknown',
    node: process.version,
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    platform: `${process.platform} ${release()} ${process.arch}`,
    note: 'server, ceiling and load generator share these cores',
  };
}

function printMachine(settings: Settings): Record<string, unknown> {
  const info = machine();
  console.log(
    `machine: ${String(info.cpus)} × ${String(info.model)}, ${String(info.memoryGb)} GB, Node ${process.version}; ` +
      `${settings.connections} connections, ${settings.durationMs / 1000} s per scenario after ${settings.warmupMs / 1000} s of warm-up`,
  );
  return info;
}

function table(ceiling: MeasuredLoad, rows: readonly Row[]): string {
  const header = ['scenario', 'action', 'keySpec', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'ratio', 'server µs/req', 'loadgen µs/req'];
  const lines = [
    [
      'ceiling (bare node:http)',
      '-',
      '-',
      fmt(ceiling.rps, 0),
      fmt(ceiling.p50Ms, 2),
      fmt(ceiling.p99Ms, 2),
      String(ceiling.errors),
      '1.00',
      fmt(ceiling.serverCpuUsPerRequest, 0),
      fmt(ceiling.loadgenCpuUsPerRequest, 0),
    ],
    ...rows.map((r) => [
      r.name,
      r.action,
      r.keySpec,
      fmt(r.rps, 0),
      fmt(r.p50Ms, 2),
      fmt(r.p99Ms, 2),
      String(r.errors),
      fmt(r.ratio, 2),
      fmt(r.serverCpuUsPerRequest, 0),
      fmt(r.loadgenCpuUsPerRequest, 0),
    ]),
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const render = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => (i >= 3 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join(' | ')} |`;
  return [
    render(header),
    `|${widths.map((w, i) => (i >= 3 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`,
    ...lines.map(render),
  ].join('\n');
}

/** HSM Encrypt requests/s over software Encrypt requests/s (both AES-256), when both ran. */
function hsmEncryptRatio(rows: readonly Row[]): number | undefined {
  const encrypt = (level: ProtectionLevel): Row | undefined =>
    rows.find((r) => r.action === 'Encrypt' && r.keySpec === KEY_SPEC.aes && r.protectionLevel === level);
  const hsmRow = encrypt('HSM');
  const softwareRow = encrypt('SOFTWARE');
  return hsmRow && softwareRow && softwareRow.rps > 0 ? hsmRow.rps / softwareRow.rps : undefined;
}

function roundedRow(r: Row): Row {
  return {
    ...r,
    rps: round(r.rps, 0),
    p50Ms: round(r.p50Ms, 3),
    p99Ms: round(r.p99Ms, 3),
    ratio: round(r.ratio, 3),
    serverCpuUsPerRequest: round(r.serverCpuUsPerRequest, 1),
    loadgenCpuUsPerRequest: round(r.loadgenCpuUsPerRequest, 1),
  };
}

function ceilingJson(ceiling: MeasuredLoad): Record<string, number> {
  return {
    rps: round(ceiling.rps, 0),
    p50Ms: round(ceiling.p50Ms, 3),
    p99Ms: round(ceiling.p99Ms, 3),
    serverCpuUsPerRequest: round(ceiling.serverCpuUsPerRequest, 1),
    loadgenCpuUsPerRequest: round(ceiling.loadgenCpuUsPerRequest, 1),
  };
}

/** Prints the api mode's table and memory lines; its JSON report. */
export function reportApi(
  settings: Settings,
  ceiling: MeasuredLoad,
  rows: readonly Row[],
  memory: RssReading,
  rssByScenario: Readonly<Record<string, number | undefined>>,
): Record<string, unknown> {
  console.log(`\n${table(ceiling, rows)}\n`);
  const hsmToSoftware = hsmEncryptRatio(rows);
  if (hsmToSoftware !== undefined)
    console.log(`HSM Encrypt / software Encrypt (AES-256, this run): ${fmt(hsmToSoftware, 2)} (target ≥ 0.50)`);
  console.log(`Arca peak RSS: ${fmt(memory.peakMb, 1)} MB (with its workers)`);
  for (const [name, growth] of Object.entries(rssByScenario)) {
    if (growth !== undefined) console.log(`  RSS growth after the first 10 s of "${name}": ${fmt(growth, 1)} %`);
  }
  const info = printMachine(settings);
  return {
    mode: 'api',
    settings: {
      durationSeconds: settings.durationMs / 1000,
      warmupSeconds: settings.warmupMs / 1000,
      connections: settings.connections,
      workers: settings.workers,
    },
    ceiling: ceilingJson(ceiling),
    results: rows.map(roundedRow),
    ...(hsmToSoftware === undefined ? {} : { hsmEncryptToSoftwareEncrypt: round(hsmToSoftware, 3) }),
    machine: info,
    serverPeakRssMb: round(memory.peakMb, 1),
    rssGrowthAfter10sPct: Object.fromEntries(Object.entries(rssByScenario).map(([k, v]) => [k, v === undefined ? null : round(v, 1)])),
  };
}

/** Prints the workers mode's table (1 worker's rows, then 2 workers'); its JSON report. */
export function reportWorkers(
  settings: Settings,
  ceiling: MeasuredLoad,
  byWorkers: Readonly<Record<string, readonly Row[]>>,
): Record<string, unknown> {
  console.log(`\n${table(ceiling, [...(byWorkers['1'] ?? []), ...(byWorkers['2'] ?? [])])}\n`);
  console.log('The load generator and the ceiling run on the same 2 cores as the workers: 2 workers compete with the generator for them.');
  const info = printMachine(settings);
  return {
    mode: 'workers',
    settings: { durationSeconds: settings.durationMs / 1000, warmupSeconds: settings.warmupMs / 1000, connections: settings.connections },
    ceiling: ceilingJson(ceiling),
    results: Object.values(byWorkers).flat().map(roundedRow),
    machine: info,
  };
}

/** Prints the scale mode's closing line; its JSON report. */
export function reportScale(
  settings: Settings,
  keys: number,
  created: LoadResult,
  startupMs: number,
  encrypt: Row,
  memory: RssReading,
): Record<string, unknown> {
  console.log(
    `  Encrypt over random keys: ${fmt(encrypt.rps, 0)} req/s, p50 ${fmt(encrypt.p50Ms, 2)} ms, p99 ${fmt(encrypt.p99Ms, 2)} ms, ${encrypt.errors} errors; peak RSS ${fmt(memory.peakMb, 1)} MB`,
  );
  const info = printMachine(settings);
  return {
    mode: 'scale',
    keys,
    createKey: { rps: round(created.rps, 0), p50Ms: round(created.p50Ms, 3), p99Ms: round(created.p99Ms, 3), errors: created.errors },
    startupMs: round(startupMs, 0),
    results: [roundedRow(encrypt)],
    serverPeakRssMb: round(memory.peakMb, 1),
    machine: info,
  };
}

/** Writes the report, dated, to `path` (--json). */
export function writeJsonReport(path: string, report: Record<string, unknown>): void {
  writeFileSync(path, `${JSON.stringify({ date: new Date().toISOString(), ...report }, null, 2)}\n`);
  console.log(`wrote ${path}`);
}
