import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, lstatSync, readdirSync, unlinkSync } from 'node:fs';
import { link, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type Readable, Transform, type TransformCallback, type Writable } from 'node:stream';
import { DurableFileSink } from './durable-file-sink.js';

/** `-` means standard input or output. */
export const STANDARD_STREAM = '-';
const READ_CHUNK_BYTES = 1024 * 1024;
const PROGRESS_INTERVAL_MS = 200;

export interface Source {
  readonly stream: Readable;
  /** Known for regular files; undefined for pipes and standard input. */
  readonly sizeInBytes: number | undefined;
}

export async function openSource(path: string): Promise<Source> {
  if (path === STANDARD_STREAM) return { stream: process.stdin, sizeInBytes: undefined };
  const info = await stat(path);
  return {
    stream: createReadStream(path, { highWaterMark: READ_CHUNK_BYTES }),
    sizeInBytes: info.isFile() ? info.size : undefined,
  };
}

/**
 * Where output goes. A path is written through a temporary file beside it (mode 0600, name
 * `.<name>.<pid>.<random>.arca-partial`), flushed to disk as the stream closes; `commit` renames it over
 * the path and `abandon` deletes it: the path itself only ever holds complete output. Standard output has no
 * such guard; what reaches it stays there.
 */
export interface Destination {
  readonly stream: Writable;
  commit(): Promise<void>;
  abandon(): Promise<void>;
}

/**
 * Opens a destination. Before a file destination is created, the temporary files that arca
 * processes no longer running left in its directory (killed with SIGKILL, or by a crash, which no
 * handler sees) are deleted: they may hold plaintext.
 */
export function openDestination(path: string, overwrite = true): Destination {
  if (path === STANDARD_STREAM) return { stream: process.stdout, commit: () => Promise.resolve(), abandon: () => Promise.resolve() };
  removeStalePartialFiles(dirname(path));
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.arca-partial`);
  return new TemporaryFileDestination(temporary, path, overwrite);
}

/** Refused by a destination that must not replace an existing file (`encrypt-file` without `--force`). */
export class DestinationExistsError extends Error {
  constructor(path: string) {
    super(`${path} exists; --force replaces it`);
    this.name = 'DestinationExistsError';
  }
}

/**
 * A system error about the hidden temporary file, told about the destination instead: the user
 * named `--out`, and `.out.1234.5f3a….arca-partial` means nothing to them. Other errors pass as
 * they are.
 */
export function namingDestination(error: unknown, temporary: string | undefined, path: string): unknown {
  if (temporary === undefined || !(error instanceof Error)) return error;
  const system = error as NodeJS.ErrnoException;
  if (typeof system.code !== 'string' || !error.message.includes(temporary)) return error;
  // "ENOENT: no such file or directory, open '<temporary>'": the reason, then what was done.
  const reason = error.message.split(', ')[0] ?? system.code;
  return Object.assign(new Error(`${reason}, writing ${path}`), { code: system.code, syscall: system.syscall ?? 'write', path });
}

// `.<name>.<pid>.<12 hex digits>.arca-partial`: the pid is the process that writes it.
const PARTIAL_FILE = /^\..+\.(\d+)\.[0-9a-f]{12}\.arca-partial$/;

/**
 * Deletes the partial files in `directory` whose writer is gone: regular files of this user, named
 * by the pattern, whose pid no process has. A live pid (even one reused by another program) keeps
 * its file, so a transfer running beside this one is never disturbed. Best effort: a directory
 * that cannot be read, or a file that cannot be deleted, is left as it is.
 */
export function removeStalePartialFiles(directory: string): string[] {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = Number(PARTIAL_FILE.exec(name)?.[1] ?? Number.NaN);
    if (!Number.isSafeInteger(pid) || isRunning(pid)) continue;
    const path = join(directory, name);
    try {
      const info = lstatSync(path);
      if (!info.isFile() || info.uid !== (process.geteuid?.() ?? info.uid)) continue;
      unlinkSync(path);
      removed.push(name);
      process.stderr.write(`arca: removed ${path}, left by an arca (process ${pid}) that did not finish\n`);
    } catch {
      // gone already, or not ours to delete
    }
  }
  return removed;
}

/** Whether a process with this pid exists (EPERM: it does, under another user). */
function isRunning(pid: number): boolean {
  if (pid <= 0) return true; // 0 and negatives name process groups, not one process
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

class TemporaryFileDestination implements Destination {
  readonly stream: Writable;
  readonly temporaryPath: string;
  readonly #path: string;
  readonly #overwrite: boolean;

  constructor(temporary: string, path: string, overwrite: boolean) {
    this.temporaryPath = temporary;
    this.#path = path;
    this.#overwrite = overwrite;
    // The sink fsyncs before it finishes, so the rename below never exposes a file whose
    // contents a crash could still lose.
    this.stream = new DurableFileSink(temporary, 0o600);
  }

  /** Call after the stream closed (pipeline resolves only then). */
  async commit(): Promise<void> {
    if (this.#overwrite) {
      await rename(this.temporaryPath, this.#path);
      return;
    }
    // link() fails with EEXIST where rename() would replace: a file that appeared at the path
    // since the command started is not replaced either.
    try {
      await link(this.temporaryPath, this.#path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new DestinationExistsError(this.#path);
      throw error;
    }
    await unlink(this.temporaryPath);
  }

  async abandon(): Promise<void> {
    if (!this.stream.closed) {
      const closed = once(this.stream, 'close').catch(() => undefined);
      this.stream.destroy();
      await closed;
    }
    await unlink(this.temporaryPath).catch(() => undefined);
  }
}

/** The temporary file a destination writes, when it has one (for clean-up on a signal). */
export function temporaryPathOf(destination: Destination): string | undefined {
  return destination instanceof TemporaryFileDestination ? destination.temporaryPath : undefined;
}

/**
 * Passes bytes through and, when standard error is a terminal, draws a progress line on it:
 * a bar and percentage when the total is known, the count and rate otherwise.
 */
export function progressMeter(label: string, totalBytes: number | undefined): Transform {
  const enabled = process.stderr.isTTY;
  const started = Date.now();
  let done = 0;
  let lastDrawn = 0;
  const draw = (final: boolean): void => {
    const now = Date.now();
    if (!enabled || (!final && now - lastDrawn < PROGRESS_INTERVAL_MS)) return;
    lastDrawn = now;
    process.stderr.write(`\r${progressLine(label, done, totalBytes, now - started)}${final ? '\n' : ''}`);
  };
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      done += chunk.length;
      draw(false);
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      draw(true);
      callback();
    },
  });
}

export function progressLine(label: string, doneBytes: number, totalBytes: number | undefined, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? `${formatBytes((doneBytes * 1000) / elapsedMs)}/s` : '';
  if (totalBytes === undefined || totalBytes === 0) return `${label} ${formatBytes(doneBytes)} ${rate}`.trimEnd();
  const fraction = Math.min(1, doneBytes / totalBytes);
  const width = 30;
  const filled = Math.round(fraction * width);
  return `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${formatBytes(doneBytes)} / ${formatBytes(totalBytes)} ${rate}`.trimEnd();
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value.toFixed(0) : value.toFixed(1)} ${units[unit] ?? ''}`;
}
