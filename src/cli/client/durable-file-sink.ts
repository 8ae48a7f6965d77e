import { close, fdatasync, fsync, open, writev } from 'node:fs';
import { Writable } from 'node:stream';

// Below this many bytes written since the last sync, no background sync is started.
const SYNC_EVERY_BYTES = 32 * 1024 * 1024;
// Buffered bytes while one write is in flight: the producer keeps encrypting meanwhile.
const HIGH_WATER_MARK_BYTES = 8 * 1024 * 1024;

/**
 * A new file (flags `wx`, the given mode) whose contents are on disk when the stream finishes:
 * `finish` is emitted only after fsync returned, so a rename after `pipeline` resolves never
 * exposes a file a crash could still lose.
 *
 * Why not `createWriteStream(..., { flush: true })`: that leaves the whole file to one fsync at
 * close, and with it the whole write-back (a third of a second for 512 MiB here) after the last
 * byte. This sink starts an fdatasync in the thread pool every 32 MiB while the caller keeps
 * producing, so the final fsync has only the tail to flush. Writes are gathered into one writev
 * per round (up to 8 MiB), however small the pieces are.
 */
export class DurableFileSink extends Writable {
  readonly path: string;
  readonly #mode: number;
  #fd: number | undefined;
  #unsyncedBytes = 0;
  #syncing: Promise<void> | undefined;
  #syncError: Error | undefined;

  constructor(path: string, mode: number) {
    super({ highWaterMark: HIGH_WATER_MARK_BYTES });
    this.path = path;
    this.#mode = mode;
  }

  override _construct(callback: (error?: Error | null) => void): void {
    open(this.path, 'wx', this.#mode, (error, fd) => {
      if (error === null) this.#fd = fd;
      callback(error);
    });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this._writev([{ chunk }], callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    const fd = this.#openFd();
    if (this.#syncError !== undefined) return callback(this.#syncError);
    const buffers = chunks.map(({ chunk }) => chunk);
    const total = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
    // libuv writes every buffer in full (looping over short writes and IOV_MAX) or fails.
    writev(fd, buffers, (error) => {
      if (error !== null) return callback(error);
      this.#unsyncedBytes += total;
      if (this.#unsyncedBytes >= SYNC_EVERY_BYTES && this.#syncing === undefined) this.#startSync(fd);
      callback();
    });
  }

  override _final(callback: (error?: Error | null) => void): void {
    const fd = this.#openFd();
    void this.#settled().then(() => {
      if (this.#syncError !== undefined) return callback(this.#syncError);
      fsync(fd, (error) => callback(error));
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const fd = this.#fd;
    this.#fd = undefined;
    // A sync still running must not see its descriptor closed (and perhaps reused) under it.
    void this.#settled().then(() => {
      if (fd === undefined) return callback(error);
      close(fd, (closeError) => callback(error ?? closeError));
    });
  }

  #startSync(fd: number): void {
    this.#unsyncedBytes = 0;
    this.#syncing = new Promise((resolve) => {
      fdatasync(fd, (error) => {
        if (error !== null) this.#syncError = error;
        this.#syncing = undefined;
        resolve();
      });
    });
  }

  async #settled(): Promise<void> {
    await this.#syncing;
  }

  #openFd(): number {
    if (this.#fd === undefined) throw new Error('DurableFileSink: file not open');
    return this.#fd;
  }
}
