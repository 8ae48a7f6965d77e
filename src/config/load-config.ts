import { readFileSync } from 'node:fs';
import { parse, TomlError } from 'smol-toml';
import { configFromSettings, settingsFromDocument, type ArcaConfig } from './arca-config.js';
import { ConfigError } from './config-error.js';
import { ALL_SETTINGS, settingByKey } from './settings.js';

/** Where `arca server` takes its settings from; later layers win: file < environment < flags. */
export interface ConfigSources {
  /** `--config <file>`: a TOML file of settings (never secrets). */
  readonly configFile?: string;
  /** Only the variables of settings (ARCA_LOG_LEVEL) are read here; secrets are read at start. */
  readonly environment: Readonly<Record<string, string | undefined>>;
  /** Flag values as typed, by setting key (`'pkcs11.module'`); absent when the flag was not given. */
  readonly flags: ReadonlyMap<string, string>;
}

/** One layer's settings and, for the messages, where each came from. */
interface Layer {
  readonly values: ReadonlyMap<string, unknown>;
  readonly sourceOf: (key: string) => string;
}

/**
 * The validated configuration, or a ConfigError naming the key at fault and where it was set.
 * Each layer's values are converted to the file's form first (a flag's `"8080"` becomes 8080), so
 * one validator, `configFromSettings`, checks them all.
 */
export function loadConfig(sources: ConfigSources): ArcaConfig {
  const layers = [
    ...(sources.configFile === undefined ? [] : [fileLayer(sources.configFile)]),
    environmentLayer(sources.environment),
    flagLayer(sources.flags),
  ];
  const merged = new Map<string, unknown>();
  const sourceByKey = new Map<string, string>();
  for (const layer of layers) {
    for (const [key, value] of layer.values) {
      merged.set(key, value);
      sourceByKey.set(key, layer.sourceOf(key));
    }
  }
  try {
    return configFromSettings(merged);
  } catch (error) {
    if (error instanceof ConfigError) throw error.from(sourceByKey.get(error.key));
    throw error;
  }
}

/** How many settings a configuration file sets (read and checked as a start reads it). */
export function countSettingsIn(path: string): number {
  return readConfigFile(path).size;
}

function fileLayer(path: string): Layer {
  const values = readConfigFile(path);
  return { values, sourceOf: () => path };
}

function readConfigFile(path: string): Map<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError('--config', `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    // Only the first line of smol-toml's message: the rest quotes the file, which may hold a
    // secret someone put there by mistake.
    if (error instanceof TomlError) {
      const reason = error.message.split('\n')[0] ?? 'invalid TOML';
      throw new ConfigError('--config', `${path} is not valid TOML at line ${error.line}, column ${error.column}: ${reason}`);
    }
    throw error;
  }
  try {
    return settingsFromDocument(document);
  } catch (error) {
    if (error instanceof ConfigError) throw error.from(path);
    throw error;
  }
}

function environmentLayer(environment: Readonly<Record<string, string | undefined>>): Layer {
  const values = new Map<string, unknown>();
  const variables = new Map<string, string>();
  for (const setting of ALL_SETTINGS) {
    const variable = setting.environmentVariable;
    const text = variable === undefined ? undefined : environment[variable];
    if (variable === undefined || text === undefined || text === '') continue;
    values.set(setting.key, setting.fromText(text));
    variables.set(setting.key, variable);
  }
  return { values, sourceOf: (key) => variables.get(key) ?? 'the environment' };
}

function flagLayer(flags: ReadonlyMap<string, string>): Layer {
  const values = new Map<string, unknown>();
  for (const [key, text] of flags) {
    const setting = settingByKey(key);
    // A key no flag has (a caller's mistake) is passed on as is, and refused as unknown.
    values.set(key, setting === undefined ? text : setting.fromText(text));
  }
  const flagOf = (key: string): string => settingByKey(key)?.flag.split(' ')[0] ?? key;
  return { values, sourceOf: flagOf };
}
