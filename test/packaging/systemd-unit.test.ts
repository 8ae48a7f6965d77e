// The example systemd unit (examples/systemd/arca.service): the hardening the README promises is
// in it, its data directory is the one writable path and the one Arca is told to use, and
// `systemd-analyze verify` accepts it without a warning. Where systemd-analyze is missing the
// verification is skipped, except under .ci/run (ARCA_REQUIRE_SYSTEMD=1), which installs it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { ROOT } from '../support/arca-process.js';

const UNIT_PATH = join(ROOT, 'examples', 'systemd', 'arca.service');
const unitText = readFileSync(UNIT_PATH, 'utf8');

/** The unit's settings as `key → values` (a key may repeat), comments and sections left out. */
function directives(text: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.startsWith('[') || !line.includes('=')) continue;
    const at = line.indexOf('=');
    const key = line.slice(0, at);
    found.set(key, [...(found.get(key) ?? []), line.slice(at + 1)]);
  }
  return found;
}

const hasAnalyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' }).status === 0;
const required = process.env.ARCA_REQUIRE_SYSTEMD === '1';
const work = mkdtempSync(join(tmpdir(), 'arca-unit-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** The unit with this machine's node and this checkout in ExecStart, for systemd-analyze (which checks the executable). */
function localUnit(): string {
  const path = join(work, 'arca.service');
  writeFileSync(path, unitText.replace('/usr/bin/node /opt/arca/dist/', `${process.execPath} ${join(ROOT, 'dist')}/`));
  return path;
}

describe('the example systemd unit', () => {
  const unit = directives(unitText);
  const one = (key: string): string | undefined => unit.get(key)?.[0];

  it('runs as a dedicated user with the hardening of the README', () => {
    assert.equal(one('User'), 'arca');
    assert.equal(one('Group'), 'arca');
    for (const [key, value] of [
      ['NoNewPrivileges', 'yes'],
      ['ProtectSystem', 'strict'],
      ['ProtectHome', 'yes'],
      ['PrivateTmp', 'yes'],
      ['CapabilityBoundingSet', ''],
      ['RestrictSUIDSGID', 'yes'],
      ['UMask', '0077'],
      ['KillSignal', 'SIGTERM'],
    ] as const) {
      assert.equal(one(key), value, key);
    }
    // V8's JIT needs pages that become executable after they were written (see the unit's comment).
    assert.equal(unit.has('MemoryDenyWriteExecute'), false);
    assert.match(unitText, /^#MemoryDenyWriteExecute=yes$/m, 'the unit says why it is off');
  });

  it('the data directory is the only writable path, and the one Arca is started with', () => {
    assert.deepEqual(unit.get('ReadWritePaths'), ['/var/lib/arca']);
    assert.equal(one('StateDirectory'), 'arca');
    assert.equal(one('StateDirectoryMode'), '0700');
    assert.match(one('ExecStart') ?? '', / server --config \/etc\/arca\/arca\.toml --data-dir \/var\/lib\/arca$/);
  });

  it(
    'systemd-analyze verify accepts it without a warning',
    { skip: !hasAnalyze && !required && 'systemd-analyze is not installed' },
    () => {
      assert.ok(hasAnalyze, 'ARCA_REQUIRE_SYSTEMD=1 but systemd-analyze is not installed');
      const verified = spawnSync('systemd-analyze', ['verify', localUnit()], { encoding: 'utf8' });
      assert.equal(verified.status, 0, verified.stderr);
      assert.equal(verified.stderr, '', 'a warning is a directive systemd ignores');
    },
  );

  it('systemd-analyze rates its exposure at most 2 of 10', { skip: !hasAnalyze && !required && 'systemd-analyze is not installed' }, () => {
    assert.ok(hasAnalyze, 'ARCA_REQUIRE_SYSTEMD=1 but systemd-analyze is not installed');
    const rated = spawnSync('systemd-analyze', ['security', '--offline=true', '--no-pager', localUnit()], { encoding: 'utf8' });
    assert.equal(rated.status, 0, rated.stderr);
    const score = Number(/Overall exposure level for arca\.service: ([0-9.]+)/.exec(rated.stdout)?.[1]);
    assert.ok(score <= 2, `exposure ${score}`);
  });

  it(
    'a misspelt directive is what verify reports (the check can fail)',
    { skip: !hasAnalyze && !required && 'systemd-analyze is not installed' },
    () => {
      const path = join(work, 'misspelt.service');
      writeFileSync(path, readFileSync(localUnit(), 'utf8').replace('ProtectSystem=strict', 'ProtectSytem=strict'));
      const verified = spawnSync('systemd-analyze', ['verify', path], { encoding: 'utf8' });
      assert.match(verified.stderr, /Unknown key 'ProtectSytem'/);
    },
  );
});
