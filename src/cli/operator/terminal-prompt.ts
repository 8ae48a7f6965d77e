// A passphrase asked on the terminal without echo: the question on standard error, the answer
// read from standard input in raw mode, so it never appears on the screen nor in a scroll-back.
import type { PassphrasePrompt } from '../../bootstrap/root-key-source.js';

const ENTER = new Set(['\r', '\n']);
const INTERRUPT = '\u0003';
const END_OF_INPUT = '\u0004';
const ERASE = new Set(['\u007f', '\b']);

/** The prompt when standard input and standard error are a terminal; undefined when nobody is there to answer. */
export function terminalPassphrasePrompt(): PassphrasePrompt | undefined {
  if (process.stdin.isTTY !== true || process.stderr.isTTY !== true) return undefined;
  return askWithoutEcho;
}

function askWithoutEcho(question: string): Promise<string> {
  const input = process.stdin;
  return new Promise((resolve, reject) => {
    let answer = '';
    const finish = (): void => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string): void => {
      for (const character of chunk) {
        if (ENTER.has(character) || character === END_OF_INPUT) {
          finish();
          resolve(answer);
          return;
        }
        if (character === INTERRUPT) {
          finish();
          reject(new Error('interrupted at the passphrase prompt'));
          return;
        }
        answer = ERASE.has(character) ? answer.slice(0, -1) : answer + character;
      }
    };
    // Echo off before the question shows: an answer typed (or pasted) at once is not echoed either.
    input.setEncoding('utf8');
    input.setRawMode(true);
    input.on('data', onData);
    input.resume();
    process.stderr.write(question);
  });
}
