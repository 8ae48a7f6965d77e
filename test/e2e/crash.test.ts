// Crash safety of the compiled server (issue 3, atomicity): four clients create keys, rotate them
// and encrypt, while the server is killed with SIGKILL at random moments and restarted on the same
// data directory. Only what the server acknowledged (HTTP 200 with a parsed body) is recorded; on
// a final start every acknowledged key, version and ciphertext must still be there, every key must
// have exactly one primary (its newest version) with material, and every ciphertext must decrypt.
//
// Bounded: at most KILLS kills or LOAD_BUDGET_MS of killing, whichever comes first.
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import { callAcs3, type Credentials, type HttpResponse } from '../support/acs3-signer.js';
import { ensureBuilt, killAllArcas, randomCredentials, spawnArca, type ArcaProcess } from '../support/arca-process.js';
import { newDataDir, removeDataDirs } from '../support/data-dirs.js';

const KILLS = 20;
const LOAD_BUDGET_MS = 75_000;
const CLIENTS = 4;
const VERIFY_CONCURRENCY = 8;

const credentials: Credentials = randomCredentials('crash');

// ---------------------------------------------------------------------------------------------
// The compiled server as a child process

/** Starts `node dist/cli/arca.js server …` and waits for its listening line. */
function startArca(dataDir: string): Promise<ArcaProcess> {
  // The audit line of every request would be thousands of lines of stdout to read for nothing.
  return spawnArca({ dataDir, credentials, env: { ARCA_LOG_LEVEL: 'warn' } });
}

before(() => {
  ensureBuilt();
});

after(() => {
  killAllArcas();
  removeDataDirs();
});

// ---------------------------------------------------------------------------------------------
// What the clients saw acknowledged

interface SealedRecord {
  readonly keyId: string;
  readonly keyVersionId: string;
  readonly blob: string;
  readonly plaintext: string;
  readonly context: Record<string, string> | undefined;
}

interface Acknowledged {
  /** keyId → every version id the server acknowledged for it (CreateKey, CreateKeyVersion, Encrypt). */
  readonly versions: Map<string, Set<string>>;
  readonly sealed: SealedRecord[];
  keys: number;
  rotations: number;
}

interface Tally {
  requests: number;
  connectionErrors: number;
  /** Non-200 answers by `<status> <Code>`. */
  readonly refusals: Map<string, number>;
}

/** A request that got no answer (the server died under it) is not acknowledged. */
async function attempt(
  target: { port: number; endpoint: string },
  action: string,
  params: Record<string, string>,
  tally: Tally,
): Promise<any> {
  tally.requests++;
  let response: HttpResponse;
  try {
    response = await callAcs3(target, credentials, action, params);
  } catch {
    tally.connectionErrors++;
    return undefined;
  }
  if (response.status === 200 && response.json !== undefined) return response.json;
  const label = `${response.status} ${String(response.json?.Code ?? response.text.slice(0, 60))}`;
  tally.refusals.set(label, (tally.refusals.get(label) ?? 0) + 1);
  return undefined;
}

function randomPlaintext(): string {
  const bytes = randomBytes(randomInt(1, 96));
  return randomInt(2) === 0 ? bytes.toString('base64') : bytes.toString('hex');
}

function randomContext(): Record<string, string> | undefined {
  if (randomInt(3) === 0) return undefined;
  return { tenant: `t${randomInt(100)}`, row: randomBytes(4).toString('hex') };
}

/** Runs `work` over `items` with at most `limit` at a time. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await work(item);
      }
    }),
  );
}

// ---------------------------------------------------------------------------------------------

describe('crash safety: SIGKILL while clients create keys, rotate and encrypt', () => {
  it('keeps every acknowledged key, version and ciphertext, and every key keeps one primary with material', async (t) => {
    const dataDir = newDataDir('arca-crash-');

    let arca = await startArca(dataDir);
    /** Where the clients send; replaced on every restart (the port changes). */
    const target = { port: arca.port, endpoint: arca.endpoint };
    let up = true;
    let waiting: Array<() => void> = [];
    const whenUp = (): Promise<void> => (up ? Promise.resolve() : new Promise((resolve) => waiting.push(resolve)));

    const acknowledged: Acknowledged = { versions: new Map(), sealed: [], keys: 0, rotations: 0 };
    const tally: Tally = { requests: 0, connectionErrors: 0, refusals: new Map() };
    let stopping = false;

    const remember = (keyId: string, keyVersionId: string): void => {
      let set = acknowledged.versions.get(keyId);
      if (!set) acknowledged.versions.set(keyId, (set = new Set()));
      set.add(keyVersionId);
    };

    const client = async (): Promise<void> => {
      const myKeys: string[] = [];
      while (!stopping) {
        await whenUp();
        if (stopping) break;
        const choice = randomInt(100);
        if (myKeys.length === 0 || choice < 20) {
          const body = await attempt(target, 'CreateKey', { KeySpec: randomInt(2) === 0 ? 'Aliyun_AES_256' : 'Aliyun_SM4' }, tally);
          if (body) {
            const metadata = body.KeyMetadata;
            assert.equal(typeof metadata?.KeyId, 'string', JSON.stringify(body));
            myKeys.push(metadata.KeyId);
            remember(metadata.KeyId, metadata.PrimaryKeyVersion);
            acknowledged.keys++;
          }
        } else if (choice < 50) {
          const keyId = myKeys[randomInt(myKeys.length)] ?? '';
          const body = await attempt(target, 'CreateKeyVersion', { KeyId: keyId }, tally);
          if (body) {
            assert.equal(body.KeyVersion?.KeyId, keyId, JSON.stringify(body));
            remember(keyId, body.KeyVersion.KeyVersionId);
            acknowledged.rotations++;
          }
        } else {
          const keyId = myKeys[randomInt(myKeys.length)] ?? '';
          const plaintext = randomPlaintext();
          const context = randomContext();
          const body = await attempt(
            target,
            'Encrypt',
            { KeyId: keyId, Plaintext: plaintext, ...(context ? { EncryptionContext: JSON.stringify(context) } : {}) },
            tally,
          );
          if (body) {
            assert.equal(body.KeyId, keyId, JSON.stringify(body));
            remember(keyId, body.KeyVersionId);
            acknowledged.sealed.push({ keyId, keyVersionId: body.KeyVersionId, blob: body.CiphertextBlob, plaintext, context });
          }
        }
        if (!up) await sleep(5);
      }
    };

    const loadStarted = Date.now();
    const clients = Array.from({ length: CLIENTS }, () => client());
    let kills = 0;
    try {
      while (kills < KILLS && Date.now() - loadStarted < LOAD_BUDGET_MS) {
        await sleep(randomInt(200, 701));
        up = false;
        const exit = await arca.stop('SIGKILL');
        assert.equal(exit.signal, 'SIGKILL', `the server died of SIGKILL, not on its own: ${JSON.stringify(exit)}\n${arca.stderr()}`);
        kills++;
        arca = await startArca(dataDir);
        target.port = arca.port;
        target.endpoint = arca.endpoint;
        up = true;
        for (const resolve of waiting) resolve();
        waiting = [];
      }
    } finally {
      stopping = true;
      up = true;
      for (const resolve of waiting) resolve();
      waiting = [];
      await Promise.all(clients);
    }
    const loadMs = Date.now() - loadStarted;

    // The final start after the last crash is `arca`. Check it all, with fresh requests.
    const versionCount = [...acknowledged.versions.values()].reduce((sum, set) => sum + set.size, 0);
    t.diagnostic(
      `kills=${kills} load=${loadMs}ms requests=${tally.requests} connectionErrors=${tally.connectionErrors} ` +
        `acknowledged: keys=${acknowledged.keys} rotations=${acknowledged.rotations} versions=${versionCount} ciphertexts=${acknowledged.sealed.length}`,
    );
    if (tally.refusals.size > 0) t.diagnostic(`non-200 answers: ${JSON.stringify(Object.fromEntries(tally.refusals))}`);
    assert.ok(kills >= 5, `at least 5 kills in the budget, got ${kills}`);
    assert.ok(acknowledged.keys > 0 && acknowledged.rotations > 0 && acknowledged.sealed.length > 0, 'the load did something');
    // Every request was signed after its server started, against the client's own Enabled keys:
    // the only acceptable outcome besides success is no answer at all.
    assert.deepEqual(Object.fromEntries(tally.refusals), {}, 'no request was refused or failed inside the server');

    const must = async (action: string, params: Record<string, string>): Promise<any> => {
      const response = await callAcs3(target, credentials, action, params);
      assert.equal(response.status, 200, `${action} ${JSON.stringify(params)}: ${response.text}`);
      return response.json;
    };

    // Every key the server has, acknowledged or not: a CreateKey or CreateKeyVersion cut short by
    // the kill may have landed, and such a key must be whole too.
    const allKeyIds: string[] = [];
    for (let page = 1; ; page++) {
      const body = await must('ListKeys', { PageNumber: String(page), PageSize: '100' });
      allKeyIds.push(...body.Keys.Key.map((key: any) => key.KeyId as string));
      if (allKeyIds.length >= body.TotalCount || body.Keys.Key.length === 0) break;
    }
    const unacknowledgedKeys = allKeyIds.filter((keyId) => !acknowledged.versions.has(keyId));
    const toCheck: Array<[string, ReadonlySet<string>]> = [
      ...acknowledged.versions.entries(),
      ...unacknowledgedKeys.map((keyId): [string, ReadonlySet<string>] => [keyId, new Set()]),
    ];

    const problems: string[] = [];
    const listedVersions = new Map<string, string[]>();
    await pool(toCheck, VERIFY_CONCURRENCY, async ([keyId, acked]) => {
      const described = await callAcs3(target, credentials, 'DescribeKey', { KeyId: keyId });
      if (described.status !== 200) {
        problems.push(`acknowledged key ${keyId} is gone: ${described.status} ${described.text}`);
        return;
      }
      const metadata = described.json.KeyMetadata;
      if (metadata.KeyState !== 'Enabled') problems.push(`key ${keyId} is ${metadata.KeyState}`);

      const listed: string[] = [];
      for (let page = 1; ; page++) {
        const body = await must('ListKeyVersions', { KeyId: keyId, PageNumber: String(page), PageSize: '100' });
        listed.push(...body.KeyVersions.KeyVersion.map((version: any) => version.KeyVersionId as string));
        if (listed.length >= body.TotalCount || body.KeyVersions.KeyVersion.length === 0) {
          if (listed.length !== body.TotalCount) problems.push(`key ${keyId}: TotalCount ${body.TotalCount}, listed ${listed.length}`);
          break;
        }
      }
      listedVersions.set(keyId, listed);
      if (new Set(listed).size !== listed.length) problems.push(`key ${keyId} lists a version twice: ${listed.join()}`);
      for (const versionId of acked) {
        if (!listed.includes(versionId)) problems.push(`acknowledged version ${versionId} of key ${keyId} is not listed`);
      }
      if (!listed.includes(metadata.PrimaryKeyVersion)) {
        problems.push(`key ${keyId}: PrimaryKeyVersion ${metadata.PrimaryKeyVersion} is not one of its versions ${listed.join()}`);
      } else if (listed[listed.length - 1] !== metadata.PrimaryKeyVersion) {
        problems.push(`key ${keyId}: PrimaryKeyVersion ${metadata.PrimaryKeyVersion} is not the newest of ${listed.join()}`);
      }
      for (const versionId of listed) {
        const version = await callAcs3(target, credentials, 'DescribeKeyVersion', { KeyId: keyId, KeyVersionId: versionId });
        if (version.status !== 200 || version.json?.KeyVersion?.KeyId !== keyId) {
          problems.push(`listed version ${versionId} of key ${keyId} does not describe: ${version.status} ${version.text}`);
        }
      }

      // The primary has material: a fresh Encrypt under the key uses it and decrypts.
      const plaintext = `after the crashes ${keyId}`;
      const encrypted = await callAcs3(target, credentials, 'Encrypt', { KeyId: keyId, Plaintext: plaintext });
      if (encrypted.status !== 200) {
        problems.push(`Encrypt under key ${keyId} fails: ${encrypted.status} ${encrypted.text}`);
        return;
      }
      if (encrypted.json.KeyVersionId !== metadata.PrimaryKeyVersion) {
        problems.push(`Encrypt under key ${keyId} used ${encrypted.json.KeyVersionId}, not the primary ${metadata.PrimaryKeyVersion}`);
      }
      const decrypted = await callAcs3(target, credentials, 'Decrypt', { CiphertextBlob: encrypted.json.CiphertextBlob });
      if (decrypted.status !== 200 || decrypted.json.Plaintext !== plaintext) {
        problems.push(`a fresh ciphertext of key ${keyId} does not decrypt: ${decrypted.status} ${decrypted.text}`);
      }
    });

    await pool(acknowledged.sealed, VERIFY_CONCURRENCY, async (record) => {
      const decrypted = await callAcs3(target, credentials, 'Decrypt', {
        CiphertextBlob: record.blob,
        ...(record.context ? { EncryptionContext: JSON.stringify(record.context) } : {}),
      });
      if (decrypted.status !== 200) {
        problems.push(
          `acknowledged ciphertext of key ${record.keyId} version ${record.keyVersionId} fails: ${decrypted.status} ${decrypted.text}`,
        );
      } else if (
        decrypted.json.Plaintext !== record.plaintext ||
        decrypted.json.KeyId !== record.keyId ||
        decrypted.json.KeyVersionId !== record.keyVersionId
      ) {
        problems.push(`acknowledged ciphertext of key ${record.keyId} decrypts to something else: ${decrypted.text}`);
      }
    });

    const listedTotal = [...listedVersions.values()].reduce((sum, list) => sum + list.length, 0);
    t.diagnostic(
      `after the last crash: keys=${allKeyIds.length} (${unacknowledgedKeys.length} never acknowledged) ` +
        `versions listed=${listedTotal} (${listedTotal - versionCount} never acknowledged) problems=${problems.length}`,
    );
    const listedKeys = new Set(allKeyIds);
    for (const keyId of acknowledged.versions.keys()) {
      if (!listedKeys.has(keyId)) problems.push(`acknowledged key ${keyId} is missing from ListKeys`);
    }
    assert.deepEqual(problems.slice(0, 20), [], `${problems.length} problems`);

    // And the last process still stops cleanly.
    assert.deepEqual(await arca.stop('SIGTERM'), { code: 0, signal: null }, arca.stderr());
  });
});
