// The README's command-line walk-through, run as written: the shell block under "From an empty
// directory to an encrypted file and back" in a fresh directory with a fresh HOME, `npx arca`
// being the compiled CLI. Only two things are adapted: the `npm install` line is skipped (the
// CLI is this checkout's), and the server listens on a free port instead of the one written. The
// walk-through follows the Quick start, whose server may still hold 8080 (the default port): its
// own server must listen elsewhere, and every command must talk to that one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { CLI, ensureBuilt, ROOT } from '../support/arca-process.js';
import { newDataDir, removeDataDirs } from '../support/data-dirs.js';
import { DEFAULT_PORT } from '../../src/server-defaults.js';

const HEADING = '### From an empty directory to an encrypted file and back';

function walkThroughBlock(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(HEADING));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block !== undefined && readme.includes(HEADING), 'the README has the walk-through');
  return block.split('\n').filter((line) => line.trim() !== '');
}

/** The trap stops the server; should the script have died before it ran, stop it here. */
function killLeftover(pidFile: string): void {
  if (!existsSync(pidFile)) return;
  try {
    process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGKILL');
  } catch {
    // already gone, as it should be
  }
}

describe('the README command-line walk-through', () => {
  before(() => ensureBuilt());
  after(() => removeDataDirs());

  it('goes from an empty directory to an encrypted file and back', () => {
    const home = newDataDir('arca-walkthrough-home-');
    const demo = join(newDataDir('arca-walkthrough-'), 'x');
    const lines = walkThroughBlock();
    assert.match(lines[0] ?? '', /^mkdir demo && cd demo/);
    assert.match(lines[1] ?? '', /^npm install /);
    const serverLine = lines[2] ?? '';
    const port = /^npx arca server --data-dir \.\/arca-data --port (\d+) &/.exec(serverLine)?.[1];
    assert.ok(port !== undefined, serverLine);
    assert.notEqual(Number(port), DEFAULT_PORT, 'the Quick start server may still be on the default port');
    const endpoints = lines.flatMap((line) => [...line.matchAll(/127\.0\.0\.1:(\d+)/g)].map((match) => match[1]));
    assert.ok(
      endpoints.length > 0 && endpoints.every((used) => used === port),
      `every endpoint is the walk-through's own: ${endpoints.join(', ')}`,
    );
    const script = [
      'set -euo pipefail',
      `npx() { shift; node ${JSON.stringify(CLI)} "$@"; }`,
      `mkdir -p ${JSON.stringify(demo)} && cd ${JSON.stringify(demo)}`,
      // Started without the npx function, so that $! is the server itself and not a subshell.
      `node ${JSON.stringify(CLI)} server --data-dir ./arca-data --port 0 > server.log 2>&1 &`,
      'echo $! > server.pid',
      'trap "kill $(cat server.pid)" EXIT',
      'for i in $(seq 300); do grep -q "listening on" server.log && break; sleep 0.1; done',
      'PORT=$(grep -o "listening on http://127.0.0.1:[0-9]*" server.log | grep -o "[0-9]*$")',
      ...lines.slice(3).map((line) => line.replaceAll(`127.0.0.1:${port}`, '127.0.0.1:$PORT')),
    ].join('\n');
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home };
    const result = spawnSync('bash', ['-c', script], { env, encoding: 'utf8', timeout: 120_000 });
    killLeftover(join(demo, 'server.pid'));
    assert.equal(result.status, 0, `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
    assert.match(result.stdout, /the quarterly numbers\n$/);
    assert.equal(readFileSync(join(demo, 'report.txt'), 'utf8'), 'the quarterly numbers\n');
    assert.equal(statSync(join(home, '.arca', 'config.json')).mode & 0o777, 0o600);
    assert.equal(readFileSync(join(demo, 'report.txt.arca')).subarray(0, 7).toString(), 'ARCAENV');
  });
});
