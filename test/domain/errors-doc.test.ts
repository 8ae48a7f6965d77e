import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ErrorCatalog, wireCodeOf, type ErrorKind } from '../../src/domain/errors.js';

interface DocumentedError {
  readonly code: string;
  readonly httpStatus: number;
  readonly message: string;
}

function documentedErrors(): Map<string, DocumentedError> {
  const text = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const rows = new Map<string, DocumentedError>();
  for (const line of text.split('\n')) {
    const cells = line.split(/(?<!\\)\|/).map((cell) => cell.trim());
    // ['', entry, code, http, message, when, '']
    const [, entry, code, http, message] = cells;
    if (cells.length < 7 || !entry || !code || !/^`.+`$/.test(code) || !http || message === undefined) continue;
    rows.set(entry, { code: code.slice(1, -1), httpStatus: Number(http), message: message.replaceAll('\\|', '|') });
  }
  return rows;
}

describe('docs/errors.md', () => {
  const documented = documentedErrors();
  const names = Object.keys(ErrorCatalog) as ErrorKind[];

  it('lists exactly the catalog entries', () => {
    assert.deepEqual([...documented.keys()].sort(), [...names].sort());
  });

  for (const name of names) {
    it(`documents ${name} with its code, status and message`, () => {
      const entry = ErrorCatalog[name];
      assert.deepEqual(documented.get(name), { code: wireCodeOf(name), httpStatus: entry.httpStatus, message: entry.message });
    });
  }
});
