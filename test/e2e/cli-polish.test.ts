// What a new user of the command line meets first: `arca --version`; a malformed endpoint is a
// usage mistake (exit 2) before any request; an I/O error names the --out the user gave, not the
// hidden temporary file; `arca encrypt` refuses more than 6 KiB itself; `encrypt-file` leaves an
// existing --out alone unless --force; the examples declare what they import; .gitignore hides
// no tracked file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { MAX_PLAINTEXT_BYTES } from '../../src/api/actions/encrypt.js';
import { ENCRYPT_LIMIT_BYTES } from '../../src/cli/commands/encrypt.js';
import { runCli, serverEnvironment } from '../support/arca-cli.js';
import { ensureBuilt, ROOT } from '../support/arca-process.js';
import { newDataDir, removeDataDirs } from '../support/data-dirs.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let env: Record<string, string>;
let work: string;

before(async () => {
  ensureBuilt();
  server = await startTestServer();
  env = serverEnvironment(server);
  work = newDataDir('arca-cli-polish-');
});

after(async () => {
  await server?.close();
  removeDataDirs();
});

describe('arca --version', () => {
  it('prints the release of package.json and exits 0', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const result = await runCli([flag]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.text, `${version}\n`);
    }
  });
});

describe('a malformed endpoint', () => {
  for (const [where, args, extra] of [
    ['--endpoint', ['key', 'list', '--endpoint', 'ftp://kms.example:21'], {}],
    ['--endpoint, with no credentials anywhere', ['key', 'list', '--endpoint', 'http://a b'], { ARCA_ACCESS_KEY_SECRET: undefined }],
    ['ARCA_ENDPOINT', ['key', 'list'], { ARCA_ENDPOINT: 'kms.example:99999' }],
    ['configure --endpoint', ['configure', '--endpoint', 'https://kms.example/path', '--access-key-id', 'LTAIx'], {}],
  ] as const) {
    it(`from ${where} is a usage error: exit 2, arca: Usage: …`, async () => {
      const result = await runCli(args, { env: { ...env, ...extra, ARCA_CONFIG_FILE: join(work, 'no-profile.json') } });
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /^arca: Usage: not an endpoint: .+ \(expected host:port or http\(s\):\/\/host:port\)\n$/);
      assert.ok(!existsSync(join(work, 'no-profile.json')), 'configure saved nothing');
    });
  }
});

describe('arca encrypt and its 6 KiB', () => {
  it('the CLI has the API’s limit', () => {
    assert.equal(ENCRYPT_LIMIT_BYTES, MAX_PLAINTEXT_BYTES);
  });

  it('encrypts exactly 6 KiB, and refuses one byte more itself with a message saying what to do', async () => {
    const created = await runCli(['key', 'create', '--output', 'json'], { env });
    const keyId = JSON.parse(created.text).KeyMetadata.KeyId as string;
    const fits = join(work, 'fits.txt');
    writeFileSync(fits, 'é'.repeat(3072)); // 6144 bytes of UTF-8
    assert.equal((await runCli(['encrypt', '--key-id', keyId, '--in', fits], { env })).code, 0);
    const tooBig = join(work, 'too-big.txt');
    writeFileSync(tooBig, `${'é'.repeat(3072)}x`);
    // No server to reach: the refusal happens before any request.
    const result = await runCli(['encrypt', '--key-id', keyId, '--in', tooBig], { env: { ...env, ARCA_ENDPOINT: '127.0.0.1:9' } });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(
      result.stderr,
      'arca: Usage: the text is 6145 bytes; Encrypt takes at most 6144 (6 KiB) of UTF-8: use arca encrypt-file for more\n',
    );
  });
});

describe('arca encrypt-file and an existing --out', () => {
  it('leaves an existing --out alone (exit 1, before any request), and replaces it with --force', async () => {
    const created = await runCli(['key', 'create', '--output', 'json'], { env });
    const keyId = JSON.parse(created.text).KeyMetadata.KeyId as string;
    const input = join(work, 'notes.txt');
    const out = join(work, 'notes.txt.arca');
    writeFileSync(input, 'notes');
    writeFileSync(out, 'precious');
    const refused = await runCli(['encrypt-file', '--key-id', keyId, '--in', input, '--out', out], {
      env: { ...env, ARCA_ENDPOINT: '127.0.0.1:9' },
    });
    assert.equal(refused.code, 1, refused.stderr);
    assert.equal(refused.stderr, `arca: ${out} exists; --force replaces it\n`);
    assert.equal(readFileSync(out, 'utf8'), 'precious');
    const forced = await runCli(['encrypt-file', '--key-id', keyId, '--in', input, '--out', out, '--force'], { env });
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(readFileSync(out).subarray(0, 7).toString(), 'ARCAENV');
    const decrypted = await runCli(['decrypt-file', '--in', out, '--out', '-'], { env });
    assert.equal(decrypted.text, 'notes');
  });
});

describe('an I/O error on --out', () => {
  it('names the destination, not the hidden temporary file', async () => {
    const created = await runCli(['key', 'create', '--output', 'json'], { env });
    const keyId = JSON.parse(created.text).KeyMetadata.KeyId as string;
    const input = join(work, 'in.txt');
    writeFileSync(input, 'data');
    const out = join(work, 'missing-directory', 'out.arca');
    const result = await runCli(['encrypt-file', '--key-id', keyId, '--in', input, '--out', out], { env });
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stderr, `arca: IO: ENOENT: no such file or directory, writing ${out}\n`);
    assert.doesNotMatch(result.stderr, /arca-partial/);
  });
});

describe('the repository', () => {
  it('every package an example imports is declared in package.json', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    const declared = new Set([...Object.keys(manifest.dependencies), ...Object.keys(manifest.devDependencies)]);
    const examples = readdirSync(join(ROOT, 'examples')).filter((name) => name.endsWith('.mjs'));
    assert.ok(examples.includes('quickstart.mjs'));
    for (const example of examples) {
      const source = readFileSync(join(ROOT, 'examples', example), 'utf8');
      const imported = [...source.matchAll(/^import .* from '([^']+)';$/gm)].map((match) => match[1] ?? '');
      assert.ok(imported.length > 0, example);
      for (const specifier of imported) {
        if (specifier.startsWith('node:') || specifier.startsWith('.')) continue;
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] ?? '');
        assert.ok(declared.has(name), `${example} imports ${name}, which package.json does not declare`);
        assert.match(source, new RegExp(`npm install[^\\n]*${name.replace('/', '\\/')}`), `${example} says how to install ${name}`);
      }
    }
  });

  it('.gitignore matches no tracked file', () => {
    const ignoredButTracked = spawnSync('git', ['ls-files', '--cached', '--ignored', '--exclude-standard'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(ignoredButTracked.status, 0, ignoredButTracked.stderr);
    assert.equal(ignoredButTracked.stdout, '');
  });
});
