import { configFromSettings, configToDocument, settingsFromDocument, type ArcaConfig } from '../config/arca-config.js';
import { ConfigError } from '../config/config-error.js';

// What the primary hands each worker through its environment: the whole validated configuration,
// in the form of a configuration file (JSON in one variable), which the worker validates again
// with the same validator. Secrets are not in it: the worker inherits the primary's environment.

export const WORKER_CONFIG_VARIABLE = 'ARCA_WORKER_CONFIG';
export const WORKER_INDEX_VARIABLE = 'ARCA_WORKER_INDEX';

export function encodeWorkerConfig(config: ArcaConfig): string {
  return JSON.stringify(configToDocument(config));
}

export function decodeWorkerConfig(text: string | undefined): ArcaConfig {
  if (text === undefined) throw new Error(`${WORKER_CONFIG_VARIABLE} is not set: this file is started by arca server --workers N`);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new ConfigError(WORKER_CONFIG_VARIABLE, 'is not JSON');
  }
  return configFromSettings(settingsFromDocument(document));
}
