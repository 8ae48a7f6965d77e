// The RAM action table is the one registry of the RAM actions the endpoint answers: every
// operation in src/operations/ram is in it once, named `ram:<Action>`, in a file named after the
// action, and every action has inject() tests in this folder.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { RAM_ACTION_TABLE } from '../../../src/api/ram/ram-action-table.js';

const OPERATIONS_DIR = new URL('../../../src/operations/ram/', import.meta.url);
const TESTS_DIR = new URL('./', import.meta.url);

function isOperation(value: unknown): value is { action: string } {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.action === 'string' && typeof candidate.resources === 'function' && typeof candidate.run === 'function';
}

async function definedOperations(): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const file of readdirSync(OPERATIONS_DIR).filter((name) => name.endsWith('.ts'))) {
    const module = (await import(new URL(file, OPERATIONS_DIR).href)) as Record<string, unknown>;
    for (const value of Object.values(module)) if (isOperation(value)) found.set(value.action, file);
  }
  return found;
}

describe('the RAM action table', () => {
  it('holds every RAM operation, each named ram:<Action> in <action>.ts', async () => {
    const operations = await definedOperations();
    assert.deepEqual([...RAM_ACTION_TABLE.values()].map((entry) => entry.operationAction).sort(), [...operations.keys()].sort());
    for (const [action, entry] of RAM_ACTION_TABLE) {
      assert.equal(entry.operationAction, `ram:${action}`);
      const kebab = action.replace(/(?<!^)([A-Z])/g, '-$1').toLowerCase();
      assert.equal(operations.get(entry.operationAction), `${kebab}.ts`);
    }
  });

  it('answers the 25 actions of issue 13', () => {
    assert.equal(RAM_ACTION_TABLE.size, 25);
  });

  it('has inject() tests calling each action', () => {
    const tests = readdirSync(TESTS_DIR)
      .filter((name) => name.endsWith('.test.ts') && name !== 'ram-action-table.test.ts')
      .map((name) => readFileSync(new URL(name, TESTS_DIR), 'utf8'))
      .join('\n');
    for (const action of RAM_ACTION_TABLE.keys()) assert.match(tests, new RegExp(`ram\\('${action}'`), `${action} has no inject() test`);
  });
});
