// The package ships the built web console (dist/console, served at /console/): `npm pack` lists
// its files, and the build writes no file the server would not serve.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { ensureBuilt, ROOT } from '../support/arca-process.js';

describe('the packaged console', () => {
  it('npm pack includes dist/console with the page, its script, style sheet and icon', () => {
    ensureBuilt();
    const packed = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(packed.status, 0, packed.stderr);
    const [manifest] = JSON.parse(packed.stdout) as Array<{ files: Array<{ path: string }> }>;
    const consoleFiles = (manifest?.files ?? []).map((file) => file.path).filter((path) => path.startsWith('dist/console/'));
    const built = readdirSync(join(ROOT, 'dist', 'console')).map((name) => `dist/console/${name}`);
    assert.deepEqual(consoleFiles.sort(), built.sort());
    assert.deepEqual(built.sort(), [
      'dist/console/console.css',
      'dist/console/console.js',
      'dist/console/icon.svg',
      'dist/console/index.html',
    ]);
  });
});
