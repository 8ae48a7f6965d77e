// Which actions the audit trail calls Read (no intent recorded first) and which Write.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventReadWrite } from '../../src/pipeline/event-read-write.js';

describe('eventReadWrite', () => {
  it('reads: the cryptographic and describing actions, GetKeyPolicy, GenerateRandom, and the Get/List actions of the RAM API', () => {
    for (const action of ['Encrypt', 'DescribeKey', 'GetKeyPolicy', 'GenerateRandom', 'ram:GetUser', 'ram:ListPoliciesForUser']) {
      assert.equal(eventReadWrite(action), 'Read', action);
    }
  });

  it('writes: everything else, an unknown or absent action included (the safe side)', () => {
    for (const action of ['CreateKey', 'SetKeyPolicy', 'ram:CreateUser', 'ram:DeleteAccessKey', 'ram:Getaway', 'Unknown', undefined]) {
      assert.equal(eventReadWrite(action), 'Write', String(action));
    }
  });
});
