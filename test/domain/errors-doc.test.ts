import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ALIBABA_ERRORS } from '../../src/api/alibaba-errors.js';
import { ERROR_KINDS } from '../../src/domain/errors.js';

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
    // ['', kind, code, http, message, when, '']
    const [, entry, code, http, message] = cells;
    if (cells.length < 7 || !entry || !code || !/^`.+`$/.test(code) || !http || message === undefined) continue;
    rows.set(entry, { code: code.slice(1, -1), httpStatus: Number(http), message: message.replaceAll('\\|', '|') });
  }
  return rows;
}

describe('docs/errors.md', () => {
  const documented = documentedErrors();

  it('lists exactly the kinds of the catalog, which are exactly those the Alibaba table maps', () => {
    assert.deepEqual([...documented.keys()].sort(), [...ERROR_KINDS].sort());
    assert.deepEqual(Object.keys(ALIBABA_ERRORS).sort(), [...ERROR_KINDS].sort());
  });

  for (const kind of ERROR_KINDS) {
    it(`documents ${kind} with its Alibaba code, status and message`, () => {
      const { code, httpStatus, message } = ALIBABA_ERRORS[kind];
      assert.deepEqual(documented.get(kind), { code, httpStatus, message });
    });
  }
});
