import { unlinkSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { namingDestination, openDestination, openSource, progressMeter, temporaryPathOf } from './file-transfer.js';

export interface TransferResult {
  readonly inputBytes: number;
  readonly outputBytes: number;
}

/**
 * Streams `inPath` through `transform` into `outPath`, each `-` for standard input or output,
 * with a progress line on a terminal. A file destination is written to a temporary file that is
 * renamed into place only after the whole transform succeeded; on any failure, or SIGINT or
 * SIGTERM, the temporary file is deleted and the destination is left as it was.
 */
export async function transfer(
  label: string,
  inPath: string,
  outPath: string,
  transform: (source: AsyncIterable<Uint8Array>) => AsyncIterable<Uint8Array>,
  options: { readonly overwrite?: boolean } = {},
): Promise<TransferResult> {
  const source = await openSource(inPath);
  const destination = openDestination(outPath, options.overwrite ?? true);
  const temporary = temporaryPathOf(destination);
  const onSignal = (signal: NodeJS.Signals): void => {
    if (temporary !== undefined) {
      try {
        unlinkSync(temporary);
      } catch {
        // already gone
      }
    }
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  // SIGKILL cannot be caught: what it leaves, the next transfer into the same directory deletes
  // (removeStalePartialFiles). SIGHUP is left alone, so that `nohup arca …` keeps running.
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let inputBytes = 0;
  let outputBytes = 0;
  try {
    await pipeline(
      source.stream,
      progressMeter(label, source.sizeInBytes),
      async function* count(input: Readable): AsyncGenerator<Uint8Array> {
        for await (const piece of input) {
          inputBytes += (piece as Buffer).length;
          yield piece as Buffer;
        }
      },
      async function* apply(input: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
        for await (const piece of transform(input)) {
          outputBytes += piece.length;
          yield piece;
        }
      },
      destination.stream,
    );
    await destination.commit();
    return { inputBytes, outputBytes };
  } catch (error) {
    await destination.abandon();
    throw namingDestination(error, temporary, outPath);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
