// The README's AWS coverage table lists every operation of the AWS action table once, with the
// RAM actions it runs, and nothing else.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { AWS_ACTION_TABLE } from '../../src/aws/aws-action-table.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const start = readme.indexOf('\n### Coverage\n', readme.indexOf('\n## AWS KMS API\n'));
const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
const rows = section
  .split('\n')
  .filter((line) => line.startsWith('| ') && !line.startsWith('| AWS operation ') && !line.startsWith('|---'))
  .map((line) => line.split('|').map((cell) => cell.trim()))
  .map(([, operations = '', ram = '', status = '']) => ({
    operations: operations.split(', '),
    ram: ram.match(/[A-Z][A-Za-z]+/g) ?? [],
    status,
  }));

describe("the README's AWS KMS API coverage table", () => {
  it('is found', () => {
    assert.ok(start > 0 && rows.length >= AWS_ACTION_TABLE.size, `only ${rows.length} rows`);
  });

  for (const [name, entry] of AWS_ACTION_TABLE) {
    it(`lists ${name} once, supported or partially, with the RAM actions it runs`, () => {
      const found = rows.filter((row) => row.operations.includes(name));
      assert.equal(found.length, 1);
      assert.match(found[0]?.status ?? '', /^(supported|partially)$/);
      assert.deepEqual([...(found[0]?.ram ?? [])].sort(), [...entry.actions].sort());
    });
  }

  it('lists nothing else', () => {
    const others = rows.filter((row) => !row.operations.some((operation) => AWS_ACTION_TABLE.has(operation)));
    assert.deepEqual(others, []);
  });
});
