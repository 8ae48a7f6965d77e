import type { Command } from 'commander';
import { registerAccessKeyCommands } from './access-key.js';
import { registerAliasCommands } from './alias.js';
import { registerConfigureCommand } from './configure.js';
import { registerDataKeyCommand } from './data-key.js';
import { registerDecryptCommand } from './decrypt.js';
import { registerDecryptFileCommand } from './decrypt-file.js';
import { registerEncryptCommand } from './encrypt.js';
import { registerEncryptFileCommand } from './encrypt-file.js';
import { registerGroupCommands } from './group.js';
import { registerKeyCommands } from './key.js';
import { registerPolicyCommands } from './policy.js';
import { registerUserCommands } from './user.js';

/** Every command that talks to a running Arca over its API, in the order `arca --help` lists them. */
export function registerClientCommands(program: Command): void {
  registerConfigureCommand(program);
  registerKeyCommands(program);
  registerAliasCommands(program);
  registerEncryptCommand(program);
  registerDecryptCommand(program);
  registerDataKeyCommand(program);
  registerEncryptFileCommand(program);
  registerDecryptFileCommand(program);
  registerUserCommands(program);
  registerAccessKeyCommands(program);
  registerGroupCommands(program);
  registerPolicyCommands(program);
}
