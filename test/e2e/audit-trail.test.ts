// The audit trail of the compiled server, read with the compiled `arca audit` commands: verify,
// export and query on a real data directory (stopped, running, and a tampered copy), the
// --audit-file stream, and a crash test: SIGKILL under mixed load, after which every request a
// client saw acknowledged is in the trail and the trail still verifies.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';

import { callAcs3, type Credentials } from '../support/acs3-signer.js';
import { runCli } from '../support/arca-cli.js';
import { ensureBuilt, killAllArcas, randomCredentials, spawnArca, type ArcaProcess } from '../support/arca-process.js';
import { newDataDir, removeDataDirs } from '../support/data-dirs.js';

const credentials: Credentials = randomCredentials('audit');

before(() => {
  ensureBuilt();
});
after(() => {
  killAllArcas();
  removeDataDirs();
});

function startArca(dataDir: string, args: readonly string[] = []): Promise<ArcaProcess> {
  return spawnArca({ dataDir, credentials, env: { ARCA_LOG_LEVEL: 'warn' }, args });
}

function target(arca: ArcaProcess): { port: number; endpoint: string } {
  return { port: arca.port, endpoint: arca.endpoint };
}

/** A few requests of each kind; returns the request ids the server answered, by action. */
async function someTraffic(arca: ArcaProcess): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  const created = await callAcs3(target(arca), credentials, 'CreateKey', { Description: 'audited key' });
  ids.set('CreateKey', String(created.headers['x-acs-request-id']));
  const keyId = created.json.KeyMetadata.KeyId as string;
  const sealed = await callAcs3(target(arca), credentials, 'Encrypt', { KeyId: keyId, Plaintext: 'audit me' });
  ids.set('Encrypt', String(sealed.headers['x-acs-request-id']));
  const opened = await callAcs3(target(arca), credentials, 'Decrypt', { CiphertextBlob: sealed.json.CiphertextBlob });
  ids.set('Decrypt', String(opened.headers['x-acs-request-id']));
  const refused = await callAcs3(target(arca), credentials, 'DescribeKey', { KeyId: '00000000-0000-4000-8000-000000000000' });
  assert.equal(refused.status, 404);
  ids.set('DescribeKey', String(refused.headers['x-acs-request-id']));
  ids.set('keyId', keyId);
  return ids;
}

describe('arca audit on a real data directory', () => {
  let dataDir: string;
  let ids: Map<string, string>;

  before(async () => {
    dataDir = newDataDir('arca-audit-e2e-');
    const arca = await startArca(dataDir, ['--audit-file', join(dataDir, 'audit.jsonl')]);
    ids = await someTraffic(arca);
    assert.equal((await arca.stop()).code, 0);
  });

  it('makes the signing key 0600 and its public half beside it', () => {
    assert.equal(statSync(join(dataDir, 'audit-signing.key')).mode & 0o777, 0o600);
    assert.ok(existsSync(join(dataDir, 'audit-signing.pub')));
  });

  it('verify exits 0 on the stopped server, every chain closed', async () => {
    const result = await runCli(['audit', 'verify', '--data-dir', dataDir]);
    assert.equal(result.code, 0, result.text + result.stderr);
    assert.match(result.text, /OK: \d+ records in 1 chains verified/);
    assert.match(result.text, /, closed\n/);
  });

  it('query finds the events by action, key and result; --output json gives the events', async () => {
    const decrypts = await runCli(['audit', 'query', '--data-dir', dataDir, '--action', 'Decrypt', '--output', 'json']);
    assert.equal(decrypts.code, 0, decrypts.stderr);
    const events = decrypts.json() as Array<{ requestId: string; eventRW: string; resources: Array<{ keyId?: string }> }>;
    assert.deepEqual(
      events.map((event) => event.requestId),
      [ids.get('Decrypt')],
    );
    assert.equal(events[0]?.eventRW, 'Read');
    const byKey = await runCli(['audit', 'query', '--data-dir', dataDir, '--key', ids.get('keyId')!]);
    assert.equal(byKey.code, 0);
    for (const action of ['CreateKey', 'Encrypt', 'Decrypt'])
      assert.ok(byKey.text.includes(ids.get(action)!), `${action} in\n${byKey.text}`);
    const failures = await runCli(['audit', 'query', '--data-dir', dataDir, '--result', 'Failure', '--output', 'json']);
    assert.deepEqual(
      (failures.json() as Array<{ requestId: string; errorCode: string }>).map((event) => [event.requestId, event.errorCode]),
      [[ids.get('DescribeKey'), 'Forbidden.KeyNotFound']],
    );
  });

  it('export writes one JSON line per event, the same events the --audit-file streamed', async () => {
    const out = join(dataDir, 'export.jsonl');
    const result = await runCli(['audit', 'export', '--data-dir', dataDir, '--since', '1h', '--out', out]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(statSync(out).mode & 0o777, 0o600);
    const exported = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { eventId: string; requestId: string });
    const streamed = readFileSync(join(dataDir, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { eventId: string });
    assert.deepEqual(exported.map((event) => event.eventId).sort(), streamed.map((event) => event.eventId).sort());
    for (const action of ['CreateKey', 'Encrypt', 'Decrypt', 'DescribeKey']) {
      assert.ok(
        exported.some((event) => event.requestId === ids.get(action)),
        action,
      );
    }
    const none = await runCli(['audit', 'export', '--data-dir', dataDir, '--until', '2000-01-01', '--out', '-']);
    assert.equal(none.code, 0);
    assert.equal(none.text, '');
  });

  it('verify works beside a running server, and the restarted server opens a second chain', async () => {
    const arca = await startArca(dataDir);
    try {
      await someTraffic(arca);
      const result = await runCli(['audit', 'verify', '--data-dir', dataDir]);
      assert.equal(result.code, 0, result.text + result.stderr);
      assert.match(result.text, /in 2 chains verified/);
    } finally {
      await arca.stop();
    }
  });

  it('verify exits 1 on a tampered copy and names the first bad event', async () => {
    const copy = newDataDir('arca-audit-copy-');
    for (const name of ['arca.db', 'audit-signing.pub']) copyFileSync(join(dataDir, name), join(copy, name));
    const db = new Database(join(copy, 'arca.db'));
    const row = db
      .prepare<[], { chain_id: string; sequence: number; body: string }>(
        'SELECT chain_id, sequence, body FROM audit_records WHERE body LIKE \'%"eventName":"Decrypt"%\' ORDER BY rowid LIMIT 1',
      )
      .get()!;
    db.exec('DROP TRIGGER audit_records_not_updated');
    db.prepare('UPDATE audit_records SET body = ? WHERE chain_id = ? AND sequence = ?').run(
      row.body.replace('"principalId":"admin"', '"principalId":"someone"'),
      row.chain_id,
      row.sequence,
    );
    db.close();
    const result = await runCli(['audit', 'verify', '--data-dir', copy]);
    assert.equal(result.code, 1, result.text);
    assert.ok(result.text.includes(`FAIL chain ${row.chain_id} sequence ${row.sequence}`), result.text);
    assert.ok(result.text.includes(`request ${ids.get('Decrypt')}`), result.text);
  });

  it('verify with another public key exits 1; without any key it says where the key is expected', async () => {
    const elsewhere = newDataDir('arca-audit-key-');
    const other = await startArca(elsewhere);
    await other.stop();
    const wrong = await runCli(['audit', 'verify', '--data-dir', dataDir, '--public-key', join(elsewhere, 'audit-signing.pub')]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.text, /not signed by the audit key/);
    const bare = newDataDir('arca-audit-bare-');
    copyFileSync(join(dataDir, 'arca.db'), join(bare, 'arca.db'));
    const missing = await runCli(['audit', 'verify', '--data-dir', bare]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /--public-key/);
  });
});

describe('a cluster: one chain per worker', () => {
  it('with --workers 2 each worker writes its own chain; after a stop both are closed and verify', async () => {
    const dataDir = newDataDir('arca-audit-cluster-');
    const arca = await startArca(dataDir, ['--workers', '2']);
    // Separate connections reach both workers (round robin).
    await Promise.all(Array.from({ length: 8 }, () => callAcs3(target(arca), credentials, 'DescribeRegions', {})));
    assert.equal((await arca.stop()).code, 0);
    const result = await runCli(['audit', 'verify', '--data-dir', dataDir]);
    assert.equal(result.code, 0, result.text + result.stderr);
    const chains = result.text.split('\n').filter((line) => line.startsWith('chain '));
    assert.equal(chains.length, 2, result.text);
    assert.ok(
      chains.every((line) => line.endsWith(', closed')),
      result.text,
    );
  });
});

describe('crash: SIGKILL under mixed load', () => {
  it('every request a client saw acknowledged is in the trail, and the trail verifies', async () => {
    const dataDir = newDataDir('arca-audit-crash-');
    const acknowledged = new Set<string>();
    for (let round = 0; round < 3; round++) {
      const arca = await startArca(dataDir);
      const keyIds: string[] = [];
      let stop = false;
      const client = async (n: number): Promise<void> => {
        while (!stop) {
          const action =
            keyIds.length === 0 || n % 4 === 0
              ? 'CreateKey'
              : n % 4 === 1
                ? 'Encrypt'
                : n % 4 === 2
                  ? 'DescribeKey'
                  : 'UpdateKeyDescription';
          const keyId = keyIds[Math.floor(Math.random() * keyIds.length)] ?? '';
          const params: Record<string, string> =
            action === 'CreateKey'
              ? {}
              : action === 'Encrypt'
                ? { KeyId: keyId, Plaintext: 'x' }
                : action === 'DescribeKey'
                  ? { KeyId: keyId }
                  : { KeyId: keyId, Description: `d${n}` };
          try {
            const response = await callAcs3(target(arca), credentials, action, params);
            if (response.status === 200 && response.json !== undefined) {
              acknowledged.add(String(response.headers['x-acs-request-id']));
              if (action === 'CreateKey') keyIds.push(response.json.KeyMetadata.KeyId as string);
            }
          } catch {
            return; // the server died under the request: not acknowledged
          }
          n += 1;
        }
      };
      const clients = [0, 1, 2, 3, 4, 5].map((n) => client(n));
      await sleep(1500 + Math.random() * 1000);
      arca.kill();
      stop = true;
      await Promise.all(clients);
      await arca.exited;
    }
    assert.ok(acknowledged.size > 50, `only ${acknowledged.size} requests acknowledged`);
    const exported = await runCli(['audit', 'export', '--data-dir', dataDir, '--out', '-']);
    assert.equal(exported.code, 0, exported.stderr);
    const inTrail = new Set(
      exported.text
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { requestId: string }).requestId),
    );
    const missing = [...acknowledged].filter((requestId) => !inTrail.has(requestId));
    assert.deepEqual(missing, [], `${missing.length} of ${acknowledged.size} acknowledged requests are not in the trail`);
    const verified = await runCli(['audit', 'verify', '--data-dir', dataDir]);
    assert.equal(verified.code, 0, verified.text + verified.stderr);
    assert.match(verified.text, /in 3 chains verified/);
  });
});
