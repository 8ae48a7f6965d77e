import { describeService } from '../../operations/describe-service.js';
import { wireAction } from '../wire-action.js';
import { wireKeySpec, wireKeyUsage, wireProtectionLevel } from '../wire-values.js';

export const describeServiceAction = wireAction({
  action: 'DescribeService',
  operation: describeService,
  parse: () => undefined,
  respond: (service) => ({
    ProtectionLevels: { ProtectionLevel: service.protectionLevels.map((type) => ({ Type: wireProtectionLevel(type) })) },
    KeySpecs: {
      KeySpec: service.keySpecs.map((spec) => ({
        Name: wireKeySpec(spec.name),
        SupportedProtectionLevels: { SupportedProtectionLevel: spec.supportedProtectionLevels.map(wireProtectionLevel) },
        Usages: { Usage: spec.usages.map(wireKeyUsage) },
      })),
    },
  }),
});
