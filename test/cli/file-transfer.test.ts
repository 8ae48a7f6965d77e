// The progress line encrypt-file and decrypt-file draw on a terminal, and the temporary-file
// destination behind every --out path.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, describe, it } from 'node:test';

import { DurableFileSink } from '../../src/cli/client/durable-file-sink.js';
import { openDestination, progressLine, removeStalePartialFiles } from '../../src/cli/client/file-transfer.js';

const dir = mkdtempSync(join(tmpdir(), 'arca-file-transfer-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('progressLine', () => {
  it('draws a bar, a percentage, the byte counts and the rate when the total is known', () => {
    assert.equal(
      progressLine('encrypting', 512 * 1024 * 1024, 1024 * 1024 * 1024, 2000),
      'encrypting [###############---------------]  50% 512.0 MiB / 1.0 GiB 256.0 MiB/s',
    );
    assert.equal(progressLine('decrypting', 0, 10, 0), 'decrypting [------------------------------]   0% 0 B / 10 B');
  });

  it('draws the count and the rate for a stream of unknown length', () => {
    assert.equal(progressLine('encrypting', 3 * 1024, undefined, 1000), 'encrypting 3.0 KiB 3.0 KiB/s');
  });
});

describe('openDestination', () => {
  it('writes through a 0600 temporary file and renames it into place on commit', async () => {
    const path = join(dir, 'committed');
    const destination = openDestination(path);
    await pipeline(Readable.from([Buffer.from('complete')]), destination.stream);
    assert.equal(existsSync(path), false, 'nothing at the path before commit');
    assert.equal(readdirSync(dir).filter((name) => name.endsWith('.arca-partial')).length, 1);
    await destination.commit();
    assert.equal(readFileSync(path, 'utf8'), 'complete');
    assert.deepEqual(
      readdirSync(dir).filter((name) => name.endsWith('.arca-partial')),
      [],
    );
  });

  it('abandon deletes the temporary file and leaves an existing destination untouched', async () => {
    const path = join(dir, 'abandoned');
    writeFileSync(path, 'before');
    const destination = openDestination(path);
    destination.stream.write('partial');
    await destination.abandon();
    assert.equal(readFileSync(path, 'utf8'), 'before');
    assert.deepEqual(
      readdirSync(dir).filter((name) => name.endsWith('.arca-partial')),
      [],
    );
  });
});

describe('removeStalePartialFiles', () => {
  /** The pid of a process that has exited: no process has it now. */
  function deadPid(): number {
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    return Number(child.stdout);
  }

  it('deletes the partial files whose writer is gone, and only those', () => {
    const directory = join(dir, 'stale');
    mkdirSync(directory);
    const dead = deadPid();
    const stale = `.db.dump.${dead}.0123456789ab.arca-partial`;
    const live = `.db.dump.${process.pid}.0123456789ab.arca-partial`;
    const unrelated = ['.db.dump.0123456789ab.arca-partial', `.x.${dead}.0123456789ab.arca-partial.bak`, 'db.dump'];
    for (const name of [stale, live, ...unrelated]) writeFileSync(join(directory, name), 'plaintext');
    mkdirSync(join(directory, `.dir.${dead}.0123456789ab.arca-partial`));
    assert.deepEqual(removeStalePartialFiles(directory), [stale]);
    assert.deepEqual(readdirSync(directory).sort(), [`.dir.${dead}.0123456789ab.arca-partial`, live, ...unrelated].sort());
  });

  it('leaves the partial files of another user', { skip: process.geteuid?.() === 0 ? false : 'only root can give a file away' }, () => {
    const directory = join(dir, 'foreign');
    mkdirSync(directory);
    const name = `.f.${deadPid()}.0123456789ab.arca-partial`;
    writeFileSync(join(directory, name), 'theirs');
    chownSync(join(directory, name), 65534, 65534);
    assert.deepEqual(removeStalePartialFiles(directory), []);
    assert.ok(existsSync(join(directory, name)));
  });

  it('names the temporary file of a destination with this process id, so that it is not taken for stale', async () => {
    const directory = join(dir, 'named');
    mkdirSync(directory);
    const destination = openDestination(join(directory, 'out'));
    await new Promise((written) => destination.stream.write('x', written));
    const [name] = readdirSync(directory);
    assert.match(name ?? '', new RegExp(`^\\.out\\.${process.pid}\\.[0-9a-f]{12}\\.arca-partial$`));
    assert.deepEqual(removeStalePartialFiles(directory), []);
    await destination.abandon();
  });

  it('says nothing of a directory it cannot read', () => {
    assert.deepEqual(removeStalePartialFiles(join(dir, 'no-such-directory')), []);
  });
});

describe('DurableFileSink', () => {
  it('writes every byte of a file larger than the background-sync interval, in order, from many small pieces', async () => {
    const path = join(dir, 'large');
    const piece = (index: number): Buffer => Buffer.alloc(64 * 1024 + 16, index % 251);
    const count = 800; // about 50 MiB: at least one fdatasync runs while writes continue
    const pieces = Array.from({ length: count }, (_, index) => piece(index));
    await pipeline(Readable.from(pieces), new DurableFileSink(path, 0o600));
    const written = readFileSync(path);
    assert.equal(written.length, count * (64 * 1024 + 16));
    for (const index of [0, 1, 399, 799]) assert.equal(written[index * (64 * 1024 + 16)], index % 251);
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });

  it('refuses to open a file that already exists, and leaves it untouched', async () => {
    const path = join(dir, 'existing');
    writeFileSync(path, 'kept');
    await assert.rejects(pipeline(Readable.from([Buffer.from('new')]), new DurableFileSink(path, 0o600)), { code: 'EEXIST' });
    assert.equal(readFileSync(path, 'utf8'), 'kept');
  });
});
