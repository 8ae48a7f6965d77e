// The worker-to-primary nonce protocol without processes: a RemoteNonceRecorder wired straight to
// answerNonceRequest over a real ReplayGuard, then cut off.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ReplayGuard } from '../../src/api/signature/replay-guard.js';
import { answerNonceRequest, RemoteNonceRecorder, type NonceRequest } from '../../src/cluster/nonce-channel.js';
import { alibabaErrorOf } from '../../src/api/alibaba-errors.js';
import { KmsError } from '../../src/domain/errors.js';

function wired(guard: ReplayGuard): RemoteNonceRecorder {
  const recorder: RemoteNonceRecorder = new RemoteNonceRecorder((message: NonceRequest) => {
    // Through JSON, as IPC carries it, and answered on a later turn, as the primary does.
    const request = JSON.parse(JSON.stringify(message)) as NonceRequest;
    setImmediate(() => recorder.receive(JSON.parse(JSON.stringify(answerNonceRequest(guard, request)))));
  });
  return recorder;
}

async function refusalOf(promise: Promise<void>): Promise<KmsError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof KmsError);
    return error;
  }
  assert.fail('expected a refusal');
}

describe('nonces recorded in the primary for a worker', () => {
  const now = Date.now();

  it('accepts a fresh nonce and refuses it the second time, with the guard’s own error', async () => {
    const recorder = wired(new ReplayGuard());
    await recorder.recordNonce('LTAIa', 'n-1', now, now);
    const refusal = await refusalOf(recorder.recordNonce('LTAIa', 'n-1', now, now));
    assert.equal(refusal.kind, 'NonceReused');
    await recorder.recordNonce('LTAIb', 'n-1', now, now);
  });

  it('carries the refusal’s arguments across (the parameter an InvalidParameter names)', async () => {
    const refusal = await refusalOf(wired(new ReplayGuard()).recordNonce('LTAIa', 'x'.repeat(129), now, now));
    assert.equal(refusal.kind, 'InvalidInput');
    assert.equal(refusal.field, 'SignatureNonce');
    assert.match(alibabaErrorOf(refusal).message, /SignatureNonce/);
  });

  it('refuses with ServiceUnavailableTemporary, pending and later, once the primary is gone', async () => {
    const recorder = new RemoteNonceRecorder(() => undefined); // never answered
    const pending = recorder.recordNonce('LTAIa', 'n-2', now, now);
    recorder.disconnected();
    assert.equal((await refusalOf(pending)).kind, 'Unavailable');
    assert.equal((await refusalOf(recorder.recordNonce('LTAIa', 'n-3', now, now))).kind, 'Unavailable');
  });

  it('refuses when the message cannot be delivered', async () => {
    const recorder = new RemoteNonceRecorder((_message, onError) => onError(new Error('channel closed')));
    assert.equal((await refusalOf(recorder.recordNonce('LTAIa', 'n-4', now, now))).kind, 'Unavailable');
  });
});
