// `npm run bench:envelope -- --size-mib <n> --runs <n> --json <file>`
//
// Envelope encryption throughput of the compiled CLI beside OpenSSL on the same file in the same
// run: `arca encrypt-file` and `arca decrypt-file` with an AES-256 key against
// `openssl enc -aes-256-ctr`, and with an SM4 key against `openssl enc -sm4-ctr` (the native
// SM4 rate; OpenSSL 3.0 has no SM4-GCM). Starts Arca (SQLite, port 0, a temporary data
// directory), writes a random file of --size-mib MiB (1024 by default) into a temporary
// directory, and times each command as a whole process, --runs times (3 by default), reporting the
// median: the CLI's figures include its start-up, the two KMS calls (DescribeKey,
// GenerateDataKey or Decrypt) and the fsync before the output is renamed into place, which
// openssl does not do. Every output is checked: the decrypted file must equal the input.
// Never part of `npm test`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli', 'arca.js');
const MIB = 1024 * 1024;
const CREDENTIALS = { id: 'LTAIbenchenvelope0000000', secret: randomBytes(24).toString('base64url') };

interface Row {
  readonly name: string;
  readonly algorithm: string;
  readonly seconds: number;
  readonly mbPerSecond: number;
  /** To the matching openssl row, for the CLI rows. */
  readonly ratio: number | null;
}

let server: ChildProcess | undefined;
let work: string | undefined;

function cleanUp(): void {
  if (server !== undefined && server.exitCode === null) server.kill('SIGKILL');
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
  work = undefined;
}
process.on('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    cleanUp();
    process.exit(130);
  });
}

function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  return Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    }),
  );
}

function buildIfStale(): void {
  if (existsSync(CLI) && newestMtime(join(ROOT, 'dist')) >= newestMtime(join(ROOT, 'src'))) return;
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed');
}

function startServer(dataDir: string): Promise<string> {
  const child = spawn(process.execPath, [CLI, 'server', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, ARCA_ACCESS_KEY_ID: CREDENTIALS.id, ARCA_ACCESS_KEY_SECRET: CREDENTIALS.secret, ARCA_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  server = child;
  return new Promise((resolvePromise, reject) => {
    let seen = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (text: string) => {
      seen += text;
      const match = /listening on http:\/\/(127\.0\.0\.1:\d+)/.exec(seen);
      if (match?.[1] !== undefined) resolvePromise(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`arca server exited (${code}) before listening`)));
  });
}

function cliEnvironment(endpoint: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ARCA_ENDPOINT: endpoint,
    ARCA_ACCESS_KEY_ID: CREDENTIALS.id,
    ARCA_ACCESS_KEY_SECRET: CREDENTIALS.secret,
    ARCA_CONFIG_FILE: '/nonexistent',
  };
}

/** Runs a command to completion; returns its wall-clock seconds; throws on a non-zero exit. */
function timed(command: string, args: readonly string[], env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return seconds;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function writeRandomFile(path: string, sizeMib: number): Promise<void> {
  const keystream = createCipheriv('aes-128-ctr', randomBytes(16), randomBytes(16));
  const zeros = Buffer.alloc(MIB);
  function* pieces(): Generator<Buffer> {
    for (let index = 0; index < sizeMib; index++) yield keystream.update(zeros);
  }
  await pipeline(Readable.from(pieces()), createWriteStream(path));
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

function createKey(env: NodeJS.ProcessEnv, keySpec: string): string {
  const result = spawnSync(process.execPath, [CLI, 'key', 'create', '--key-spec', keySpec, '--output', 'json'], { env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`arca key create failed: ${result.stderr}`);
  return (JSON.parse(result.stdout) as { KeyMetadata: { KeyId: string } }).KeyMetadata.KeyId;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'size-mib': { type: 'string', default: '1024' }, runs: { type: 'string', default: '3' }, json: { type: 'string' } },
  });
  const sizeMib = Number(values['size-mib']);
  const runs = Number(values.runs);
  if (!Number.isInteger(sizeMib) || sizeMib < 1 || !Number.isInteger(runs) || runs < 1) {
    throw new Error('usage: npm run bench:envelope -- [--size-mib <n>] [--runs <n>] [--json <file>]');
  }
  buildIfStale();
  work = mkdtempSync(join(tmpdir(), 'arca-bench-envelope-'));
  const endpoint = await startServer(join(work, 'data'));
  const env = cliEnvironment(endpoint);
  const input = join(work, 'input.bin');
  await writeRandomFile(input, sizeMib);
  const inputHash = await sha256(input);
  const megabytes = (sizeMib * MIB) / 1e6;
  const rows: Row[] = [];
  const measure = (name: string, algorithm: string, command: string, args: readonly string[], baseline?: Row): Row => {
    const seconds = median(Array.from({ length: runs }, () => timed(command, args, env)));
    const mbPerSecond = megabytes / seconds;
    const row = { name, algorithm, seconds, mbPerSecond, ratio: baseline === undefined ? null : mbPerSecond / baseline.mbPerSecond };
    rows.push(row);
    return row;
  };

  for (const [keySpec, algorithm, opensslCipher, keyHexLength] of [
    ['Aliyun_AES_256', 'AES-256-GCM', 'aes-256-ctr', 64],
    ['Aliyun_SM4', 'SM4-GCM', 'sm4-ctr', 32],
  ] as const) {
    const keyId = createKey(env, keySpec);
    const sealed = join(work, `${keySpec}.arca`);
    const opened = join(work, `${keySpec}.out`);
    const openssl = measure(`openssl enc -${opensslCipher}`, opensslCipher.toUpperCase(), 'openssl', [
      'enc',
      `-${opensslCipher}`,
      '-K',
      randomBytes(keyHexLength / 2).toString('hex'),
      '-iv',
      randomBytes(16).toString('hex'),
      '-in',
      input,
      '-out',
      join(work, 'openssl.out'),
    ]);
    rmSync(join(work, 'openssl.out'), { force: true });
    measure(
      'arca encrypt-file',
      algorithm,
      process.execPath,
      [CLI, 'encrypt-file', '--key-id', keyId, '--in', input, '--out', sealed],
      openssl,
    );
    measure('arca decrypt-file', algorithm, process.execPath, [CLI, 'decrypt-file', '--in', sealed, '--out', opened], openssl);
    if ((await sha256(opened)) !== inputHash) throw new Error(`${algorithm}: the decrypted file differs from the input`);
    rmSync(sealed, { force: true });
    rmSync(opened, { force: true });
  }

  const machine = `${cpus().length} vCPUs (${cpus()[0]?.model.trim() ?? 'unknown'}), ${(totalmem() / 1e9).toFixed(1)} GB, Linux ${release()}, Node ${process.version}`;
  console.log(`\nenvelope bench: ${sizeMib} MiB file, median of ${runs} runs per row; ${machine}`);
  console.log('| command                   | algorithm   |    s |   MB/s | vs openssl |');
  console.log('|---------------------------|-------------|-----:|-------:|-----------:|');
  for (const row of rows) {
    console.log(
      `| ${row.name.padEnd(25)} | ${row.algorithm.padEnd(11)} | ${row.seconds.toFixed(2).padStart(4)} | ${row.mbPerSecond.toFixed(0).padStart(6)} | ${row.ratio === null ? '-'.padStart(10) : row.ratio.toFixed(2).padStart(10)} |`,
    );
  }
  if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify({ sizeMib, runs, machine, rows }, null, 2)}\n`);
}

main().then(
  () => {
    cleanUp();
    process.exit(0);
  },
  (error: unknown) => {
    console.error(`bench:envelope: ${error instanceof Error ? error.message : String(error)}`);
    cleanUp();
    process.exit(1);
  },
);
