import type { Writable } from 'node:stream';

export const OutputFormat = { Table: 'table', Json: 'json' } as const;
export type OutputFormat = (typeof OutputFormat)[keyof typeof OutputFormat];

type Cell = string | number | boolean | undefined | null;

/** Writes `value` as indented JSON and a newline. */
export function writeJson(out: Writable, value: unknown): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Label and value per line, the labels padded to one width. */
export function writeRecord(out: Writable, fields: ReadonlyArray<readonly [string, Cell]>): void {
  const width = Math.max(0, ...fields.map(([label]) => label.length));
  for (const [label, value] of fields) out.write(`${label.padEnd(width)}  ${text(value)}\n`);
}

/** A header row and one row per item, columns padded to their widest cell. */
export function writeTable(out: Writable, columns: readonly string[], rows: ReadonlyArray<readonly Cell[]>): void {
  const cells = [columns, ...rows.map((row) => row.map(text))];
  const widths = columns.map((_, index) => Math.max(...cells.map((row) => (row[index] ?? '').length)));
  for (const row of cells) {
    out.write(`${row.map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0))).join('  ')}\n`);
  }
}

function text(value: Cell): string {
  if (value === undefined || value === null || value === '') return '-';
  return String(value);
}
