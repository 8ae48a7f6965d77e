import { KeySpec, KeyUsage, ProtectionLevel } from '../domain/key-spec.js';
import { defineOperation, resource } from './operation.js';

export interface ServiceDescription {
  readonly protectionLevels: readonly ProtectionLevel[];
  readonly keySpecs: ReadonlyArray<{
    readonly name: KeySpec;
    readonly supportedProtectionLevels: readonly ProtectionLevel[];
    readonly usages: readonly KeyUsage[];
  }>;
}

/** What this server can do: the protection levels it has adapters for, and the key specs. */
export const describeService = defineOperation({
  action: 'DescribeService',
  resources: (_input: void) => ({ service: resource.service() }),
  run: (context): Promise<ServiceDescription> => {
    const protectionLevels = Object.values(ProtectionLevel).filter((level) => context.keys.hasProtector(level));
    return Promise.resolve({
      protectionLevels,
      keySpecs: Object.values(KeySpec).map((name) => ({
        name,
        supportedProtectionLevels: protectionLevels.filter((level) => context.keys.protectorFor(level).supportsKeySpec(name)),
        usages: [KeyUsage.EncryptDecrypt],
      })),
    });
  },
});
