// A large input streamed through `arca encrypt-file --in - --out -` piped into
// `arca decrypt-file --in - --out -`: generated lazily, never stored, hashed on both sides, with
// both children's resident memory sampled while they run. 256 MiB (AES) and 64 MiB (SM4) by
// default; ARCA_TEST_LARGE_MIB=4096 runs the multi-gigabyte case (about 4 GiB through each
// process) on a machine with time for it.
import assert from 'node:assert/strict';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';

import { callOk } from '../support/acs3-signer.js';
import { collectCli, serverEnvironment, spawnCli } from '../support/arca-cli.js';
import { ensureBuilt } from '../support/arca-process.js';
import { TEST_CREDENTIALS } from '../support/environment.js';
import { startTestServer, type TestServer } from '../support/server.js';

const MIB = 1024 * 1024;
const AES_MIB = Number(process.env.ARCA_TEST_LARGE_MIB ?? 256);
const SM4_MIB = Math.max(1, Math.round(AES_MIB / 4));
/** Far above one segment and Node's own footprint, far below any input size tested here. */
const MAX_RSS_MB = 200;

let server: TestServer;
let env: Record<string, string>;

/** `mib` MiB of pseudo-random bytes (AES-CTR keystream), produced 1 MiB at a time as read. */
function generated(mib: number, hash: ReturnType<typeof createHash>): Readable {
  const keystream = createCipheriv('aes-128-ctr', randomBytes(16), randomBytes(16));
  const zeros = Buffer.alloc(MIB);
  let produced = 0;
  return new Readable({
    read() {
      if (produced === mib) {
        this.push(null);
        return;
      }
      produced++;
      const piece = keystream.update(zeros);
      hash.update(piece);
      this.push(piece);
    },
  });
}

function residentMb(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
    return kb / 1024;
  } catch {
    return 0; // exited, or not Linux
  }
}

async function streamThrough(alias: string, mib: number): Promise<void> {
  const inputHash = createHash('sha256');
  const outputHash = createHash('sha256');
  const encrypt = spawnCli(['encrypt-file', '--key-id', alias, '--in', '-', '--out', '-', '--context', 'size=large'], { env });
  const decrypt = spawnCli(['decrypt-file', '--in', '-', '--out', '-', '--context', 'size=large'], { env });
  let peakMb = 0;
  const sampler = setInterval(() => {
    peakMb = Math.max(peakMb, residentMb(encrypt.pid), residentMb(decrypt.pid));
  }, 100);
  let outputBytes = 0;
  decrypt.stdout?.on('data', (piece: Buffer) => {
    outputBytes += piece.length;
    outputHash.update(piece);
  });
  encrypt.stdout?.pipe(decrypt.stdin!);
  const [encrypted, decrypted] = await Promise.all([collectCli(encrypt, generated(mib, inputHash)), collectCli(decrypt, null)]).finally(
    () => clearInterval(sampler),
  );
  assert.equal(encrypted.code, 0, encrypted.stderr);
  assert.equal(decrypted.code, 0, decrypted.stderr);
  assert.equal(outputBytes, mib * MIB);
  assert.equal(outputHash.digest('hex'), inputHash.digest('hex'));
  assert.ok(peakMb > 0, 'the children were sampled');
  assert.ok(peakMb < MAX_RSS_MB, `peak resident memory ${peakMb.toFixed(0)} MB`);
}

before(async () => {
  ensureBuilt();
  server = await startTestServer();
  env = serverEnvironment(server);
  const aes = await callOk(server, TEST_CREDENTIALS, 'CreateKey', {});
  await callOk(server, TEST_CREDENTIALS, 'CreateAlias', { AliasName: 'alias/large-aes', KeyId: aes.KeyMetadata.KeyId });
  const sm4 = await callOk(server, TEST_CREDENTIALS, 'CreateKey', { KeySpec: 'Aliyun_SM4' });
  await callOk(server, TEST_CREDENTIALS, 'CreateAlias', { AliasName: 'alias/large-sm4', KeyId: sm4.KeyMetadata.KeyId });
});

after(async () => {
  await server?.close();
});

describe('a large stream through encrypt-file | decrypt-file', { timeout: 30 * 60_000 }, () => {
  it(`AES-256-GCM: ${AES_MIB} MiB generated on the fly come out with the same SHA-256, in bounded memory`, async () => {
    await streamThrough('alias/large-aes', AES_MIB);
  });

  it(`SM4-GCM: ${SM4_MIB} MiB generated on the fly come out with the same SHA-256, in bounded memory`, async () => {
    await streamThrough('alias/large-sm4', SM4_MIB);
  });
});
