// Kept apart from the loader so that `arca` can recognise a configuration mistake (a usage error,
// exit code 2) without loading the TOML parser for client commands.

/**
 * A setting that cannot be used: an unknown key, a bad value, settings that contradict each other,
 * or a configuration file that cannot be read. The message names the key and where it came from
 * (a flag, an environment variable, the file), never the value: a value in the wrong place may be
 * a secret.
 */
export class ConfigError extends Error {
  /** The setting's key as written in a configuration file (`port`, `pkcs11.token-label`). */
  readonly key: string;
  readonly problem: string;
  /** `--port`, `ARCA_LOG_LEVEL`, `arca.toml`; absent until the loader knows it. */
  readonly source: string | undefined;

  constructor(key: string, problem: string, source?: string) {
    super(source === undefined ? `${key}: ${problem}` : `${key} (${source}): ${problem}`);
    this.name = 'ConfigError';
    this.key = key;
    this.problem = problem;
    this.source = source;
  }

  /** This error saying where the setting came from (unless it says so already). */
  from(source: string | undefined): ConfigError {
    return this.source !== undefined || source === undefined ? this : new ConfigError(this.key, this.problem, source);
  }
}
