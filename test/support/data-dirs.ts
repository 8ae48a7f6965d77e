// Temporary data directories for servers a test starts, removed together by an `after` hook.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/** A new empty directory `<tmp>/<prefix>XXXXXX`, remembered for removeDataDirs(). */
export function newDataDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes every directory newDataDir() made so far, and the root key file a server made beside it. */
export function removeDataDirs(): void {
  for (const dir of made.splice(0)) {
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}.root.key`, { force: true });
  }
}
