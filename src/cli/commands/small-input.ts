import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from 'commander';

const MAX_SMALL_INPUT_BYTES = 1024 * 1024;

/**
 * The text of `--<name>` or of `--in` (a path, or `-` for standard input), exactly one of them.
 * Reads at most 1 MiB: the API's own limits are far lower and will answer with their code.
 */
export async function readSmallInput(inline: string | undefined, path: string | undefined, flag: string): Promise<string> {
  if ((inline === undefined) === (path === undefined)) throw new InvalidArgumentError(`give exactly one of ${flag} and --in`);
  if (inline !== undefined) return inline;
  const bytes = path === '-' ? await readStdin() : await readFile(path ?? '');
  if (bytes.length > MAX_SMALL_INPUT_BYTES) throw new InvalidArgumentError('--in: more than 1 MiB; use encrypt-file');
  return bytes.toString('utf8');
}

async function readStdin(): Promise<Buffer> {
  const parts: Buffer[] = [];
  let length = 0;
  for await (const part of process.stdin) {
    const piece = part as Buffer;
    length += piece.length;
    if (length > MAX_SMALL_INPUT_BYTES) break;
    parts.push(piece);
  }
  return Buffer.concat(parts);
}
