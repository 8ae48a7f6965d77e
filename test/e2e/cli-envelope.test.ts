// encrypt-file and decrypt-file as users run them: the compiled CLI as a child process, endpoint
// and credentials from the environment, against a real server over HTTP. Round trips at every
// segment boundary for AES and SM4 keys, standard input and output, and every kind of tampering:
// each fails with one clear line, exit code 1, and leaves the destination as it was.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import { callOk } from '../support/acs3-signer.js';
import { collectCli, runCli, serverEnvironment, spawnCli } from '../support/arca-cli.js';
import { ensureBuilt } from '../support/arca-process.js';
import { newDataDir, removeDataDirs } from '../support/data-dirs.js';
import { TEST_CREDENTIALS } from '../support/environment.js';
import { startTestServer, type TestServer } from '../support/server.js';

const SEGMENT = 64 * 1024;
const TAG = 16;
const AES_ALIAS = 'alias/cli-files';
const SM4_ALIAS = 'alias/cli-files-sm4';

let server: TestServer;
let env: Record<string, string>;
let work: string;
let aesKeyId: string;
let sm4KeyId: string;

/** Length of the header of an envelope (ADR 0016): fixed prefix, blob, context length, context, tag. */
function headerLength(envelope: Buffer): number {
  const blobLength = envelope.readUInt16BE(52);
  const contextLength = envelope.readUInt32BE(54 + blobLength);
  return 54 + blobLength + 4 + contextLength + 32;
}

function expectedBodyLength(plaintextLength: number): number {
  return Math.floor(plaintextLength / SEGMENT) * (SEGMENT + TAG) + (plaintextLength % SEGMENT) + TAG;
}

function partialFiles(directory = work): string[] {
  return readdirSync(directory).filter((name) => name.endsWith('.arca-partial'));
}

/** Polls `condition` every 20 ms until it holds; fails after `timeoutMs`. */
async function eventually(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

let fileCounter = 0;
function path(name: string): string {
  fileCounter++;
  return join(work, `${fileCounter}-${name}`);
}

async function encryptFile(alias: string, plaintext: Buffer, context: readonly string[] = []): Promise<Buffer> {
  const input = path('plain');
  const output = path('sealed.arca');
  writeFileSync(input, plaintext);
  const result = await runCli(
    ['encrypt-file', '--key-id', alias, '--in', input, '--out', output, ...context.flatMap((entry) => ['--context', entry])],
    { env },
  );
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, '');
  return readFileSync(output);
}

before(async () => {
  ensureBuilt();
  server = await startTestServer();
  env = serverEnvironment(server);
  work = newDataDir('arca-cli-files-');
  const aes = await callOk(server, TEST_CREDENTIALS, 'CreateKey', {});
  aesKeyId = aes.KeyMetadata.KeyId;
  await callOk(server, TEST_CREDENTIALS, 'CreateAlias', { AliasName: AES_ALIAS, KeyId: aesKeyId });
  const sm4 = await callOk(server, TEST_CREDENTIALS, 'CreateKey', { KeySpec: 'Aliyun_SM4' });
  sm4KeyId = sm4.KeyMetadata.KeyId;
  await callOk(server, TEST_CREDENTIALS, 'CreateAlias', { AliasName: SM4_ALIAS, KeyId: sm4KeyId });
});

after(async () => {
  await server?.close();
  removeDataDirs();
});

describe('arca encrypt-file / decrypt-file round trips', () => {
  const sizes = [0, 1, 1000, SEGMENT - 1, SEGMENT, SEGMENT + 1, 2 * SEGMENT, 3 * SEGMENT + 17];
  for (const [alias, algorithmId, sizesForKey] of [
    [AES_ALIAS, 1, sizes],
    // SM4 shares the segment logic; its boundaries are covered in full by test/envelope.
    [SM4_ALIAS, 2, [0, SEGMENT - 1, SEGMENT, SEGMENT + 1]],
  ] as const) {
    for (const size of sizesForKey) {
      it(`${alias === AES_ALIAS ? 'AES-256-GCM' : 'SM4-GCM'}: ${size} bytes come back byte for byte, in ${expectedBodyLength(size)} body bytes`, async () => {
        const plaintext = randomBytes(size);
        const envelope = await encryptFile(alias, plaintext, ['purpose=round-trip']);
        assert.equal(envelope.subarray(0, 8).toString('latin1'), 'ARCAENV\x01');
        assert.equal(envelope[8], algorithmId);
        assert.equal(envelope.readUInt32BE(9), SEGMENT);
        assert.equal(envelope.length, headerLength(envelope) + expectedBodyLength(size));
        const sealedPath = path('in.arca');
        writeFileSync(sealedPath, envelope);
        const output = path('out');
        const result = await runCli(['decrypt-file', '--in', sealedPath, '--out', output], { env });
        assert.equal(result.code, 0, result.stderr);
        assert.ok(readFileSync(output).equals(plaintext));
      });
    }
  }

  it('reads standard input and writes standard output (--in - --out -)', async () => {
    const plaintext = randomBytes(3 * SEGMENT + 5);
    const sealed = await runCli(['encrypt-file', '--key-id', AES_ALIAS, '--in', '-', '--out', '-', '--context', 'a=b'], {
      env,
      input: plaintext,
    });
    assert.equal(sealed.code, 0, sealed.stderr);
    const opened = await runCli(['decrypt-file', '--in', '-', '--out', '-', '--context', 'a=b'], { env, input: sealed.stdout });
    assert.equal(opened.code, 0, opened.stderr);
    assert.ok(opened.stdout.equals(plaintext));
  });

  it('writes the files with mode 0600 and leaves no temporary file behind', async () => {
    const input = path('plain');
    const output = path('sealed.arca');
    writeFileSync(input, 'hello');
    const result = await runCli(['encrypt-file', '--key-id', AES_ALIAS, '--in', input, '--out', output], { env });
    assert.equal(result.code, 0, result.stderr);
    const { statSync } = await import('node:fs');
    assert.equal(statSync(output).mode & 0o777, 0o600);
    assert.deepEqual(partialFiles(), []);
  });

  it('--output json reports what was written', async () => {
    const input = path('plain');
    const output = path('sealed.arca');
    writeFileSync(input, randomBytes(SEGMENT + 1));
    const sealed = await runCli(
      ['encrypt-file', '--key-id', SM4_ALIAS, '--in', input, '--out', output, '--context', 'k=v', '--output', 'json'],
      { env },
    );
    assert.equal(sealed.code, 0, sealed.stderr);
    const report = sealed.json();
    assert.equal(report.Algorithm, 'SM4-GCM');
    assert.equal(report.PlaintextBytes, SEGMENT + 1);
    assert.equal(report.EnvelopeBytes, readFileSync(output).length);
    const opened = await runCli(['decrypt-file', '--in', output, '--out', path('out'), '--output', 'json'], { env });
    assert.equal(opened.code, 0, opened.stderr);
    assert.deepEqual(opened.json().EncryptionContext, { k: 'v' });
    assert.equal(opened.json().PlaintextBytes, SEGMENT + 1);
  });

  it('survives a key rotation: an envelope made before it still opens', async () => {
    const plaintext = randomBytes(1000);
    const envelope = await encryptFile(AES_ALIAS, plaintext);
    await callOk(server, TEST_CREDENTIALS, 'CreateKeyVersion', { KeyId: AES_ALIAS });
    const opened = await runCli(['decrypt-file', '--in', '-', '--out', '-'], { env, input: envelope });
    assert.equal(opened.code, 0, opened.stderr);
    assert.ok(opened.stdout.equals(plaintext));
  });
});

describe('arca decrypt-file refuses every tampering, writes nothing and exits 1', () => {
  // Four segments: three full ones and a short final one.
  const plaintext = randomBytes(3 * SEGMENT + 100);
  let envelope: Buffer;
  let header: number;

  before(async () => {
    envelope = await encryptFile(AES_ALIAS, plaintext, ['tenant=acme']);
    header = headerLength(envelope);
  });

  const segmentStart = (index: number): number => header + index * (SEGMENT + TAG);

  function flipped(offset: number): Buffer {
    const copy = Buffer.from(envelope);
    copy[offset] = (copy[offset] ?? 0) ^ 0x01;
    return copy;
  }

  /** Decrypts `damaged` into a destination that already holds other content, and checks the refusal. */
  async function refuses(damaged: Buffer, code: RegExp, extra: readonly string[] = []): Promise<void> {
    const input = path('damaged.arca');
    writeFileSync(input, damaged);
    const output = path('existing');
    writeFileSync(output, 'the destination before');
    const result = await runCli(['decrypt-file', '--in', input, '--out', output, ...extra], { env });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /^arca: \S+: [^\n]+\n$/, 'one line');
    assert.match(result.stderr, code);
    assert.equal(readFileSync(output, 'utf8'), 'the destination before');
    assert.deepEqual(partialFiles(), []);
    assert.equal(result.stdout.length, 0);
  }

  /** Decrypts `damaged` to a path that does not exist yet: it must still not exist afterwards. */
  async function leavesNoFile(damaged: Buffer): Promise<void> {
    const input = path('damaged.arca');
    writeFileSync(input, damaged);
    const fresh = path('fresh');
    const result = await runCli(['decrypt-file', '--in', input, '--out', fresh], { env });
    assert.equal(result.code, 1, result.stderr);
    assert.equal(existsSync(fresh), false, 'no destination file appears');
    assert.deepEqual(partialFiles(), []);
  }

  it('no destination file appears when the last segment fails, nor when the envelope is truncated', async () => {
    await leavesNoFile(flipped(envelope.length - 1));
    await leavesNoFile(envelope.subarray(0, segmentStart(3)));
  });

  const headerFields: ReadonlyArray<readonly [string, (envelopeHeader: number, blob: number) => number]> = [
    ['magic', () => 0],
    ['version', () => 7],
    ['algorithm', () => 8],
    ['segment size', () => 11],
    ['salt', () => 20],
    ['nonce prefix', () => 48],
    ['blob length', () => 53],
    ['sealed data key (blob)', () => 70],
    ['context', (end) => end - 33],
    ['header tag', (end) => end - 1],
  ];
  for (const [field, offsetOf] of headerFields) {
    it(`a bit flipped in the header's ${field}`, async () => {
      await refuses(
        flipped(offsetOf(header, 0)),
        /arca: (Envelope\.(NotAnEnvelope|UnsupportedVersion|HeaderAuthenticationFailed|Truncated)|Forbidden\.\w+):/,
      );
    });
  }

  it('a bit flipped in the first segment', async () => {
    await refuses(flipped(segmentStart(0) + 10), /Envelope\.SegmentAuthenticationFailed: .*segment 0/);
  });

  it('a bit flipped in a middle segment', async () => {
    await refuses(flipped(segmentStart(2) + SEGMENT / 2), /Envelope\.SegmentAuthenticationFailed: .*segment 2/);
  });

  it("a bit flipped in the final segment's tag", async () => {
    await refuses(flipped(envelope.length - 1), /Envelope\.SegmentAuthenticationFailed: .*segment 3/);
  });

  it('truncated at a segment boundary', async () => {
    await refuses(envelope.subarray(0, segmentStart(2)), /Envelope\.Truncated:/);
  });

  it('the final segment dropped', async () => {
    await refuses(envelope.subarray(0, segmentStart(3)), /Envelope\.Truncated:/);
  });

  it('cut inside a segment', async () => {
    await refuses(envelope.subarray(0, segmentStart(1) + 500), /Envelope\.SegmentAuthenticationFailed:/);
  });

  it('cut inside the header', async () => {
    await refuses(envelope.subarray(0, header - 5), /Envelope\.Truncated:/);
  });

  it('two segments swapped', async () => {
    const a = envelope.subarray(segmentStart(0), segmentStart(1));
    const b = envelope.subarray(segmentStart(1), segmentStart(2));
    const swapped = Buffer.concat([envelope.subarray(0, header), b, a, envelope.subarray(segmentStart(2))]);
    await refuses(swapped, /Envelope\.SegmentAuthenticationFailed: .*segment 0/);
  });

  it('a byte appended', async () => {
    await refuses(Buffer.concat([envelope, Buffer.from([0])]), /Envelope\.SegmentAuthenticationFailed:/);
  });

  it('a whole segment appended (a copy of the last full one)', async () => {
    await refuses(Buffer.concat([envelope, envelope.subarray(segmentStart(2), segmentStart(3))]), /Envelope\.SegmentAuthenticationFailed:/);
  });

  it('the final segment of another envelope under the same key spliced on', async () => {
    const other = await encryptFile(AES_ALIAS, plaintext, ['tenant=acme']);
    const spliced = Buffer.concat([envelope.subarray(0, segmentStart(3)), other.subarray(headerLength(other) + 3 * (SEGMENT + TAG))]);
    await refuses(spliced, /Envelope\.SegmentAuthenticationFailed: .*segment 3/);
  });

  it('the header of another envelope in front of this body', async () => {
    const other = await encryptFile(AES_ALIAS, plaintext, ['tenant=acme']);
    const spliced = Buffer.concat([other.subarray(0, headerLength(other)), envelope.subarray(header)]);
    await refuses(spliced, /Envelope\.SegmentAuthenticationFailed: .*segment 0/);
  });

  it('a wrong --context', async () => {
    await refuses(envelope, /Envelope\.ContextMismatch:/, ['--context', 'tenant=other']);
  });

  it('a --context with an extra entry', async () => {
    await refuses(envelope, /Envelope\.ContextMismatch:/, ['--context', 'tenant=acme', '--context', 'x=y']);
  });

  it('a file that is not an envelope', async () => {
    await refuses(randomBytes(5000), /Envelope\.NotAnEnvelope:/);
  });

  it('an empty file', async () => {
    await refuses(Buffer.alloc(0), /Envelope\.NotAnEnvelope:/);
  });

  it('with --out -, a truncated envelope yields only authenticated segments and exit code 1', async () => {
    const cut = envelope.subarray(0, segmentStart(2));
    const result = await runCli(['decrypt-file', '--in', '-', '--out', '-'], { env, input: cut });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^arca: Envelope\.Truncated: [^\n]+\n$/);
    assert.ok(result.stdout.length <= 2 * SEGMENT);
    assert.ok(result.stdout.equals(plaintext.subarray(0, result.stdout.length)), 'only a prefix of the real plaintext');
  });

  it('with --out -, a damaged segment stops the output before it', async () => {
    const result = await runCli(['decrypt-file', '--in', '-', '--out', '-'], { env, input: flipped(segmentStart(1) + 3) });
    assert.equal(result.code, 1);
    assert.ok(result.stdout.length <= SEGMENT, `${result.stdout.length} bytes`);
    assert.ok(result.stdout.equals(plaintext.subarray(0, result.stdout.length)));
  });
});

describe('arca decrypt-file --key-id: the file must be sealed under the key named', () => {
  const plaintext = randomBytes(2 * SEGMENT + 7);
  let sealedPath: string;

  before(async () => {
    sealedPath = path('sealed-under-aes.arca');
    writeFileSync(sealedPath, await encryptFile(AES_ALIAS, plaintext, ['k=v']));
  });

  it('opens a file sealed under that key, named by alias, key id or Arn', async () => {
    const arn = (await callOk(server, TEST_CREDENTIALS, 'DescribeKey', { KeyId: aesKeyId })).KeyMetadata.Arn as string;
    for (const keyId of [AES_ALIAS, aesKeyId, arn]) {
      const output = path('opened');
      const result = await runCli(['decrypt-file', '--in', sealedPath, '--out', output, '--key-id', keyId], { env });
      assert.equal(result.code, 0, `--key-id ${keyId}: ${result.stderr}`);
      assert.ok(readFileSync(output).equals(plaintext));
    }
  });

  it('refuses a file sealed under another key with Envelope.KeyMismatch, before writing a byte', async () => {
    const output = path('existing');
    writeFileSync(output, 'the destination before');
    const toFile = await runCli(['decrypt-file', '--in', sealedPath, '--out', output, '--key-id', SM4_ALIAS], { env });
    assert.equal(toFile.code, 1, toFile.stderr);
    assert.match(toFile.stderr, new RegExp(`^arca: Envelope\\.KeyMismatch: [^\\n]*sealed under ${aesKeyId}, required ${sm4KeyId}\\)\\n$`));
    assert.equal(readFileSync(output, 'utf8'), 'the destination before');
    assert.deepEqual(partialFiles(), []);
    const toStandardOutput = await runCli(['decrypt-file', '--in', sealedPath, '--out', '-', '--key-id', sm4KeyId], { env });
    assert.equal(toStandardOutput.code, 1);
    assert.match(toStandardOutput.stderr, /^arca: Envelope\.KeyMismatch: /);
    assert.equal(toStandardOutput.stdout.length, 0, 'not one byte of plaintext');
  });

  it('a --key-id that does not exist fails as the API answers it', async () => {
    const result = await runCli(['decrypt-file', '--in', sealedPath, '--out', '-', '--key-id', 'alias/no-such-key'], { env });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^arca: Forbidden\.AliasNotFound: [^\n]+\n$/);
    assert.equal(result.stdout.length, 0);
  });
});

describe('partial files of a decrypt-file killed with SIGKILL', () => {
  const plaintext = randomBytes(4 * SEGMENT);
  let envelope: Buffer;
  const children: Array<ReturnType<typeof spawnCli>> = [];

  before(async () => {
    envelope = await encryptFile(AES_ALIAS, plaintext);
  });

  after(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  const allButLastSegment = (): Buffer => envelope.subarray(0, headerLength(envelope) + 3 * (SEGMENT + TAG));

  /**
   * Starts decrypt-file into `directory` and feeds it all but the last segment: once it has
   * written their plaintext to a partial file of its own, it waits for the rest of its input.
   */
  async function stalledDecryption(directory: string): Promise<{ child: ReturnType<typeof spawnCli>; partial: string }> {
    const before = new Set(partialFiles(directory));
    const child = spawnCli(['decrypt-file', '--in', '-', '--out', join(directory, 'plain')], { env });
    children.push(child);
    child.stdin?.write(allButLastSegment());
    let partial: string | undefined;
    await eventually(() => {
      partial = partialFiles(directory).find((name) => !before.has(name) && statSync(join(directory, name)).size >= 3 * SEGMENT);
      return partial !== undefined;
    }, 'the partial file holds three segments of plaintext');
    return { child, partial: partial ?? '' };
  }

  it('are deleted by the next transfer into that directory; the partial file of one still running is kept', async () => {
    const directory = join(work, 'killed');
    mkdirSync(directory);
    const killed = await stalledDecryption(directory);
    killed.child.kill('SIGKILL');
    await once(killed.child, 'close');
    assert.deepEqual(partialFiles(directory), [killed.partial], 'SIGKILL cannot be caught: the partial file stays until the next run');

    // The next transfer into the directory deletes it, and says so.
    const running = await stalledDecryption(directory);
    assert.equal(existsSync(join(directory, killed.partial)), false, 'the stale partial file is gone');

    // A transfer beside a running one leaves the running one's partial file alone.
    const sealedPath = join(directory, 'sealed.arca');
    writeFileSync(sealedPath, envelope);
    const beside = await runCli(['decrypt-file', '--in', sealedPath, '--out', join(directory, 'beside')], { env });
    assert.equal(beside.code, 0, beside.stderr);
    assert.equal(beside.stderr, '');
    assert.ok(readFileSync(join(directory, 'beside')).equals(plaintext));
    assert.deepEqual(partialFiles(directory), [running.partial]);

    running.child.stdin?.end(envelope.subarray(allButLastSegment().length));
    const finished = await collectCli(running.child, null);
    assert.equal(finished.code, 0, finished.stderr);
    assert.equal(
      finished.stderr,
      `arca: removed ${join(directory, killed.partial)}, left by an arca (process ${killed.child.pid}) that did not finish\n`,
    );
    assert.ok(readFileSync(join(directory, 'plain')).equals(plaintext));
    assert.deepEqual(partialFiles(directory), []);
  });
});
