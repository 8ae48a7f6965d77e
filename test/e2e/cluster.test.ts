// `arca server --workers N`: N worker processes behind one port (Node's cluster), one replay guard
// in the primary, the store shared. Every request here opens its own connection
// (`connection: close`), so the cluster's round robin hands consecutive requests to different
// workers; the audit lines (one per request, each with its process's pid) show they did.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { callOk, send, signAcs3, type Credentials, type PreparedRequest } from '../support/acs3-signer.js';
import { ensureBuilt, killAllArcas, randomCredentials, spawnArca, type ArcaProcess } from '../support/arca-process.js';
import { signAwsRequest } from '../support/aws-clients.js';
import { newDataDir, removeDataDirs } from '../support/data-dirs.js';

const WORKERS = ['--workers', '2'];

function auditPids(arca: ArcaProcess): Set<number> {
  const pids = new Set<number>();
  for (const line of arca.lines) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { event?: string; pid?: number };
    if (entry.event === 'audit' && entry.pid !== undefined) pids.add(entry.pid);
  }
  return pids;
}

/** Waits until the audit lines of `count` requests have been read (pino writes asynchronously). */
async function waitForAuditLines(arca: ArcaProcess, count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  const seen = (): number => arca.lines.filter((line) => line.includes('"event":"audit"')).length;
  while (seen() < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

function workerPids(arca: ArcaProcess): number[] {
  return arca.lines.flatMap((line) => {
    const match = /"msg":"worker listening"/.test(line) ? /"workerPid":(\d+)/.exec(line) : null;
    return match?.[1] === undefined ? [] : [Number(match[1])];
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('arca server --workers 2', () => {
  let credentials: Credentials;
  let dataDir: string;
  let arca: ArcaProcess;

  before(async () => {
    ensureBuilt();
    credentials = randomCredentials('cluster');
    dataDir = newDataDir('arca-cluster-');
    arca = await spawnArca({ dataDir, credentials, args: WORKERS });
  });

  after(() => {
    killAllArcas();
    removeDataDirs();
  });

  it('prints one listening line, and requests on separate connections reach both workers', async () => {
    assert.equal(arca.lines.filter((line) => line.includes('listening on http://')).length, 1);
    const key = await callOk(arca, credentials, 'CreateKey', {});
    const keyId: string = key.KeyMetadata.KeyId;
    for (let i = 0; i < 10; i++) {
      const plaintext = Buffer.from(`message ${i}`).toString('base64');
      const { CiphertextBlob } = await callOk(arca, credentials, 'Encrypt', { KeyId: keyId, Plaintext: plaintext });
      const decrypted = await callOk(arca, credentials, 'Decrypt', { CiphertextBlob });
      assert.equal(decrypted.Plaintext, plaintext);
    }
    await waitForAuditLines(arca, 21);
    assert.equal(auditPids(arca).size, 2, 'both workers served requests');
  });

  it('refuses a request replayed on another connection, whichever worker takes it', async () => {
    const requests: PreparedRequest[] = Array.from({ length: 8 }, () => signAcs3({ credentials, host: arca.endpoint, action: 'ListKeys' }));
    for (const request of requests) assert.equal((await send(arca, request)).status, 200);
    for (const request of requests) {
      const replay = await send(arca, request);
      assert.equal(replay.status, 400, replay.text);
      assert.equal(replay.json?.Code, 'SignatureNonceUsed');
    }
  });

  it('refuses an AWS SigV4 request replayed on another connection, whichever worker takes it', async () => {
    // Eight different requests (the same one eight times would be one request and seven replays).
    const requests = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        signAwsRequest(arca.endpoint, credentials, { target: 'TrentService.ListKeys', body: JSON.stringify({ Limit: i + 1 }) }),
      ),
    );
    for (const request of requests) assert.equal((await send(arca, request)).status, 200);
    for (const request of requests) {
      const replay = await send(arca, request);
      assert.equal(replay.status, 400, replay.text);
      assert.equal(replay.json?.__type, 'InvalidSignatureException');
    }
  });

  it('replaces a worker that dies; the others keep serving and replays stay refused', async () => {
    const accepted = signAcs3({ credentials, host: arca.endpoint, action: 'ListKeys' });
    assert.equal((await send(arca, accepted)).status, 200);
    const [victim] = workerPids(arca);
    assert.ok(victim !== undefined);
    const startedBefore = workerPids(arca).length;
    process.kill(victim, 'SIGKILL');
    // A connection the primary hands to a worker at the instant it dies is lost (Node's round
    // robin; README, limits): requests wait until the primary has seen the death and the
    // replacement listens.
    const deadline = Date.now() + 20_000;
    while (workerPids(arca).length === startedBefore && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(arca.lines.some((line) => line.includes('worker died; starting another') && line.includes(`"workerPid":${victim}`)));
    assert.equal(workerPids(arca).filter(isAlive).length, 2, 'a new worker took the dead one’s place');
    for (let i = 0; i < 4; i++) await callOk(arca, credentials, 'ListKeys', {});
    const replay = await send(arca, accepted);
    assert.equal(replay.json?.Code, 'SignatureNonceUsed');
  });

  it('stops on SIGTERM with every worker, saves the replay guard, and the next cluster still refuses replays', async () => {
    const port = arca.port;
    const accepted = signAcs3({ credentials, host: arca.endpoint, action: 'ListKeys' });
    assert.equal((await send(arca, accepted)).status, 200);
    const pids = workerPids(arca).filter(isAlive);
    const exit = await arca.stop('SIGTERM');
    assert.equal(exit.code, 0, arca.stderr());
    assert.ok(existsSync(join(dataDir, 'replay-guard.snapshot')));
    for (const pid of pids) assert.equal(isAlive(pid), false, `worker ${pid} exited`);

    // The same port again: the Host header is signed, so the replay must reach the port it names.
    arca = await spawnArca({ dataDir, credentials, args: [...WORKERS, '--port', String(port)] });
    assert.equal(arca.port, port);
    const replay = await send(arca, accepted);
    assert.equal(replay.status, 400, replay.text);
    assert.equal(replay.json?.Code, 'SignatureNonceUsed', replay.text);
    assert.equal((await send(arca, signAcs3({ credentials, host: arca.endpoint, action: 'ListKeys' }))).status, 200);
  });
});
