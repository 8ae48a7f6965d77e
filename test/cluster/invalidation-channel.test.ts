import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isInvalidationMessage, WorkerInvalidationChannel, type InvalidationMessage } from '../../src/cluster/invalidation-channel.js';
import type { Invalidation } from '../../src/operations/key-repository.js';

describe('WorkerInvalidationChannel', () => {
  it('publishes a change as one invalidate message', () => {
    const sent: InvalidationMessage[] = [];
    const channel = new WorkerInvalidationChannel((message) => sent.push(message));
    channel.publish({ kind: 'alias', aliasName: 'alias/a' });
    assert.deepEqual(sent, [{ type: 'invalidate', change: { kind: 'alias', aliasName: 'alias/a' } }]);
  });

  it('hands every well-formed change from the primary to its subscribers, and ignores anything else', () => {
    const heard: Invalidation[] = [];
    const channel = new WorkerInvalidationChannel(() => undefined);
    channel.subscribe((change) => heard.push(change));
    const junk: unknown[] = [
      null,
      'invalidate',
      { type: 'nonce-answer', id: 1 },
      { type: 'invalidate' },
      { type: 'invalidate', change: { kind: 'key' } },
      { type: 'invalidate', change: { kind: 'everything', keyId: 'x' } },
      { type: 'invalidate', change: { kind: 'accessKey', accessKeyId: 7 } },
    ];
    for (const message of junk) {
      assert.equal(isInvalidationMessage(message), false, JSON.stringify(message));
      channel.receive(message);
    }
    assert.deepEqual(heard, []);
    const changes: Invalidation[] = [
      { kind: 'key', keyId: 'k' },
      { kind: 'keyMaterial', keyId: 'k' },
      { kind: 'alias', aliasName: 'alias/a' },
      { kind: 'accessKey', accessKeyId: 'LTAI' },
      { kind: 'identities' },
    ];
    for (const change of changes) channel.receive({ type: 'invalidate', change });
    assert.deepEqual(heard, changes);
  });
});
