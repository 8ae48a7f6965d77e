import { KeySpec, KeyUsage, ProtectionLevel } from '../domain/key-spec.js';
import { authorize } from './authorization.js';
import { defineOperation } from './operation.js';

export interface ServiceDescription {
  readonly protectionLevels: readonly ProtectionLevel[];
  readonly keySpecs: ReadonlyArray<{
    readonly name: KeySpec;
    readonly supportedProtectionLevels: readonly ProtectionLevel[];
    readonly usages: readonly KeyUsage[];
  }>;
}

/** What this server can do: the protection levels it has adapters for, and the key specs. */
export const describeService = defineOperation('DescribeService', async (context, _input: void): Promise<ServiceDescription> => {
  authorize(context.caller, 'DescribeService', '*');
  const protectionLevels = Object.values(ProtectionLevel).filter((level) => context.keys.hasProtector(level));
  return Promise.resolve({
    protectionLevels,
    keySpecs: Object.values(KeySpec).map((name) => ({
      name,
      supportedProtectionLevels: protectionLevels.filter((level) => context.keys.protectorFor(level).supportsKeySpec(name)),
      usages: [KeyUsage.EncryptDecrypt],
    })),
  });
});
