// The action table is the one registry of what the Alibaba front end answers. Every operation in
// src/operations is in it exactly once, and each entry names the operation it runs: adding an
// action is an operation file, a wire file and this table's line, and forgetting one fails here.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ACTION_TABLE } from '../../src/api/action-table.js';
import { AWS_ACTION_TABLE } from '../../src/aws/aws-action-table.js';

const OPERATIONS_DIR = new URL('../../src/operations/', import.meta.url);

interface OperationLike {
  readonly action: string;
  readonly resources: unknown;
  readonly run: unknown;
}

function isOperation(value: unknown): value is OperationLike {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<OperationLike>;
  return typeof candidate.action === 'string' && typeof candidate.resources === 'function' && typeof candidate.run === 'function';
}

async function definedOperations(): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const file of readdirSync(OPERATIONS_DIR).filter((name) => name.endsWith('.ts'))) {
    const module = (await import(new URL(file, OPERATIONS_DIR).href)) as Record<string, unknown>;
    for (const value of Object.values(module)) {
      if (!isOperation(value)) continue;
      assert.equal(found.has(value.action), false, `${value.action} is defined twice`);
      found.set(value.action, file);
    }
  }
  return found;
}

describe('the action table', () => {
  it("holds, with the AWS front end's table, every operation defined in src/operations, and nothing else", async () => {
    const operations = await definedOperations();
    const alibaba = [...ACTION_TABLE.values()].map((entry) => entry.operationAction);
    const aws = [...AWS_ACTION_TABLE.values()].flatMap((entry) => entry.actions);
    assert.deepEqual([...new Set([...alibaba, ...aws])].sort(), [...operations.keys()].sort());
    // Only GenerateRandom is AWS's alone: every other AWS operation runs an Alibaba action's operation.
    assert.deepEqual(
      aws.filter((action) => !alibaba.includes(action)),
      ['GenerateRandom'],
    );
  });

  it('names each entry after the operation it runs, and each operation file after its action', async () => {
    const operations = await definedOperations();
    for (const [action, entry] of ACTION_TABLE) {
      assert.equal(entry.operationAction, action);
      const kebab = action.replace(/(?<!^)([A-Z])/g, '-$1').toLowerCase();
      assert.equal(operations.get(action), `${kebab}.ts`);
    }
  });

  it('lets exactly the seven actions Alibaba documents DryRun for take it', () => {
    // The actions with a DryRun parameter in alibaba-kms-api.md, Appendix A (from
    // aliyun/aliyun-openapi-meta metadatas/kms/*.json, commit 2563691c2).
    const documented = [
      'Decrypt',
      'Encrypt',
      'ExportDataKey',
      'GenerateAndExportDataKey',
      'GenerateDataKey',
      'GenerateDataKeyWithoutPlaintext',
      'ReEncrypt',
    ];
    const taking = [...ACTION_TABLE.values()].filter((entry) => entry.takesDryRun).map((entry) => entry.action);
    assert.deepEqual(taking.sort(), documented);
  });
});
