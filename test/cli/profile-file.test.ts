// The profile file holds access key secrets and decides where the client sends its signed
// requests: it must be the user's own, private, and in directories no one else can write.
import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { ProfileFileError, readProfiles, writeProfile } from '../../src/cli/client/profile-file.js';

const root = mkdtempSync(join(tmpdir(), 'arca-profile-file-'));
after(() => rmSync(root, { recursive: true, force: true }));

const PROFILES = JSON.stringify({ profiles: { default: { endpoint: '127.0.0.1:8080', accessKeyId: 'LTAIx', accessKeySecret: 's' } } });
const isRoot = process.geteuid?.() === 0;
// A uid that is not the one running the tests (root can give files away; others cannot).
const OTHER_UID = 65534;

let counter = 0;
/** A new directory (mode `mode`) under the private root, holding a 0600 profile file. */
function profileIn(mode: number): { directory: string; path: string } {
  const directory = join(root, `d${++counter}`);
  mkdirSync(directory);
  chmodSync(directory, mode);
  const path = join(directory, 'config.json');
  writeFileSync(path, PROFILES, { mode: 0o600 });
  return { directory, path };
}

function refusal(pattern: RegExp): (error: unknown) => boolean {
  return (error) => error instanceof ProfileFileError && pattern.test(error.message);
}

describe('readProfiles', () => {
  it('reads a 0600 file of the user in a 0700 directory', () => {
    assert.equal(readProfiles(profileIn(0o700).path)?.default?.accessKeyId, 'LTAIx');
  });

  it('says undefined for a file that does not exist', () => {
    assert.equal(readProfiles(join(root, 'none.json')), undefined);
  });

  for (const mode of [0o777, 0o770, 0o757, 0o775]) {
    it(`refuses a file in a directory of mode ${mode.toString(8)}, which others can write`, () => {
      const { directory, path } = profileIn(mode);
      assert.throws(
        () => readProfiles(path),
        refusal(
          new RegExp(`the directory ${directory} has mode 0${mode.toString(8)}, writable by group or others.*chmod go-w ${directory}$`),
        ),
      );
    });
  }

  it('accepts a sticky directory others can write, like /tmp: there no one else can replace the file', () => {
    assert.equal(readProfiles(profileIn(0o1777).path)?.default?.endpoint, '127.0.0.1:8080');
  });

  it('refuses a file below a directory others can write, however private its own directory is', () => {
    const outer = profileIn(0o777);
    const inner = join(outer.directory, 'private');
    mkdirSync(inner, { mode: 0o700 });
    const path = join(inner, 'config.json');
    writeFileSync(path, PROFILES, { mode: 0o600 });
    assert.throws(() => readProfiles(path), refusal(new RegExp(`the directory ${outer.directory} has mode 0777`)));
  });

  it('refuses a symbolic link, in a private directory, to a file in a directory others can write', () => {
    const target = profileIn(0o777);
    const link = join(profileIn(0o700).directory, 'linked.json');
    symlinkSync(target.path, link);
    assert.throws(() => readProfiles(link), refusal(new RegExp(`the directory ${target.directory} has mode 0777`)));
  });

  it('refuses a file of another user', { skip: isRoot ? false : 'only root can give a file to another user' }, () => {
    const { path } = profileIn(0o700);
    chownSync(path, OTHER_UID, OTHER_UID);
    assert.throws(() => readProfiles(path), refusal(new RegExp(`it belongs to uid ${OTHER_UID}, not to uid 0 who runs arca`)));
  });

  it('refuses a file in a directory of another user', { skip: isRoot ? false : 'only root can give a directory to another user' }, () => {
    const { directory, path } = profileIn(0o700);
    chownSync(directory, OTHER_UID, OTHER_UID);
    assert.throws(() => readProfiles(path), refusal(new RegExp(`the directory ${directory} belongs to uid ${OTHER_UID}`)));
  });
});

describe('writeProfile', () => {
  it('refuses to write a secret into a directory others can write, and writes nothing there', () => {
    const directory = join(root, 'shared');
    mkdirSync(directory);
    chmodSync(directory, 0o777);
    const path = join(directory, 'config.json');
    assert.throws(() => writeProfile(path, 'default', { endpoint: 'e', accessKeyId: 'i', accessKeySecret: 's' }), refusal(/mode 0777/));
    assert.equal(existsSync(path), false);
  });

  it('writes into a new private directory, and reads back', () => {
    const path = join(root, 'fresh', 'config.json');
    writeProfile(path, 'default', { endpoint: 'e', accessKeyId: 'i', accessKeySecret: 's' });
    assert.equal(readProfiles(path)?.default?.accessKeySecret, 's');
  });
});
