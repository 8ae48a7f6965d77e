// SIGTERM on the compiled server while clients write: it stops accepting, finishes the requests
// in flight (one deliberately half-sent when the signal arrives), exits 0, and after a restart
// every key it acknowledged exists.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, describe, it } from 'node:test';

import { callAcs3, callOk, serialize, signAcs3, type Credentials } from '../support/acs3-signer.js';
import { ensureBuilt, killAllArcas, randomCredentials, spawnArca, type ArcaProcess } from '../support/arca-process.js';
import { newDataDir, removeDataDirs } from '../support/data-dirs.js';

const WORKERS = 12;
const ACKS_BEFORE_SIGTERM = 40;

/** Writes `head` now and `tail` when `release` resolves; resolves with the raw response text. */
function sendInTwoParts(port: number, head: Buffer, tail: Buffer, release: Promise<void>): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const parts: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => parts.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(parts).toString('utf8')));
    socket.write(head, () => {
      void release.then(() => socket.write(tail));
    });
  });
}

function keyIdOf(rawResponse: string): string {
  assert.match(rawResponse, /^HTTP\/1\.1 200 /, rawResponse);
  const body = JSON.parse(rawResponse.slice(rawResponse.indexOf('\r\n\r\n') + 4)) as { KeyMetadata: { KeyId: string } };
  return body.KeyMetadata.KeyId;
}

describe('graceful shutdown on SIGTERM', () => {
  after(() => {
    killAllArcas();
    removeDataDirs();
  });

  it('finishes the requests in flight, exits 0, and loses no acknowledged key', async () => {
    ensureBuilt();
    const credentials: Credentials = randomCredentials('drain');
    const dataDir = newDataDir('arca-drain-');
    const arca: ArcaProcess = await spawnArca({ dataDir, credentials });

    // A CreateKey whose body is only half sent when SIGTERM arrives.
    const slow = serialize(
      signAcs3({ credentials, host: arca.endpoint, action: 'CreateKey', form: { Description: 'sent across the SIGTERM' } }),
    );
    let release = (): void => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slowAnswer = sendInTwoParts(arca.port, slow.subarray(0, slow.length - 10), slow.subarray(slow.length - 10), released);

    const acknowledged: string[] = [];
    const unexpected: string[] = [];
    let sigtermSent = false;
    let ackedAfterSigterm = 0;
    let resolveEnoughAcks = (): void => {};
    const enoughAcks = new Promise<void>((resolve) => {
      resolveEnoughAcks = resolve;
    });
    const worker = async (id: number): Promise<void> => {
      for (let n = 0; ; n += 1) {
        let response;
        try {
          response = await callAcs3(arca, credentials, 'CreateKey', { Description: `worker ${id} #${n}` });
        } catch {
          return; // refused or reset: the server stopped accepting; nothing was acknowledged
        }
        if (response.status === 200) {
          acknowledged.push(response.json.KeyMetadata.KeyId);
          if (sigtermSent) ackedAfterSigterm += 1;
          if (acknowledged.length >= ACKS_BEFORE_SIGTERM) resolveEnoughAcks();
        } else {
          unexpected.push(`HTTP ${response.status} ${response.text}`);
        }
      }
    };
    const workers = Array.from({ length: WORKERS }, (_, id) => worker(id));

    await enoughAcks;
    arca.child.kill('SIGTERM');
    sigtermSent = true;
    // The server must wait for the half-sent request rather than exit under it.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(arca.child.exitCode, null, 'the server exited with a request still in flight');
    release();
    const slowKeyId = keyIdOf(await slowAnswer);
    await Promise.all(workers);
    const exit = await arca.exited;
    assert.deepEqual(exit, { code: 0, signal: null }, arca.stderr());
    assert.deepEqual(unexpected, [], 'every answer was a success');
    assert.ok(acknowledged.length >= ACKS_BEFORE_SIGTERM);

    const restarted = await spawnArca({ dataDir, credentials });
    try {
      const listed = new Set<string>();
      for (let page = 1; ; page += 1) {
        const body = await callOk(restarted, credentials, 'ListKeys', { PageSize: '100', PageNumber: String(page) });
        for (const key of body.Keys.Key as Array<{ KeyId: string }>) listed.add(key.KeyId);
        if (listed.size >= body.TotalCount) break;
      }
      for (const keyId of [...acknowledged, slowKeyId]) {
        assert.ok(listed.has(keyId), `acknowledged key ${keyId} is missing after the restart`);
      }
      const { KeyMetadata } = await callOk(restarted, credentials, 'DescribeKey', { KeyId: slowKeyId });
      assert.equal(KeyMetadata.Description, 'sent across the SIGTERM');
      const { CiphertextBlob } = await callOk(restarted, credentials, 'Encrypt', {
        KeyId: acknowledged.at(-1)!,
        Plaintext: 'after restart',
      });
      assert.equal((await callOk(restarted, credentials, 'Decrypt', { CiphertextBlob })).Plaintext, 'after restart');
      process.stdout.write(
        `# graceful shutdown: ${acknowledged.length} keys acknowledged (${ackedAfterSigterm} after SIGTERM) + 1 half-sent, all present after restart\n`,
      );
    } finally {
      await restarted.stop();
    }
  });
});
