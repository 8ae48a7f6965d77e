// Secrets given as flags. Every process's command line is readable by every user of the machine
// (`ps`, /proc/<pid>/cmdline) and shells keep it in their history, so the flags that take a secret
// still work, for old scripts, but warn, and each has a way around the command line.

const SECRET_FLAGS: ReadonlyMap<string, string> = new Map([
  [
    '--access-key-secret',
    'set ARCA_ACCESS_KEY_SECRET, pass --access-key-secret-file <file> (- for standard input), or save a profile with arca configure',
  ],
  ['--plaintext', 'pass --in <file>, or --in - to read it from standard input'],
]);

const HIDDEN = '<hidden>';

/** The secret flags among `args`, given as `--flag value` or `--flag=value`, in order, once each. */
export function secretFlagsIn(args: readonly string[]): string[] {
  const given = new Set<string>();
  for (const arg of args) {
    const flag = arg.split('=', 1)[0] ?? arg;
    if (SECRET_FLAGS.has(flag)) given.add(flag);
  }
  return [...given];
}

/** `args` with the value of every secret flag replaced. */
export function redactedArguments(args: readonly string[]): string[] {
  return args.map((arg, index) => {
    const flag = arg.split('=', 1)[0] ?? arg;
    if (SECRET_FLAGS.has(flag) && arg.includes('=')) return `${flag}=${HIDDEN}`;
    return SECRET_FLAGS.has(args[index - 1] ?? '') ? HIDDEN : arg;
  });
}

/**
 * When `args` (the command line after `arca`) hold a secret flag: writes a warning for each on
 * stderr and overwrites the command line that `ps` shows (on Linux, process.title writes over the
 * original argv) with one whose secrets are hidden. That shortens the time the secret can be read
 * to arca's start-up; it cannot close that window, nor reach the shell's history.
 */
export function guardSecretFlags(args: readonly string[]): void {
  const given = secretFlagsIn(args);
  if (given.length === 0) return;
  process.title = ['arca', ...redactedArguments(args)].join(' ');
  for (const flag of given) {
    process.stderr.write(
      `arca: WARNING: ${flag} puts a secret on the command line, where every user of this machine can read it ` +
        `(ps, /proc/<pid>/cmdline) and your shell history keeps it; ${SECRET_FLAGS.get(flag) ?? ''}\n`,
    );
  }
}
