import { describeService } from '../../operations/describe-service.js';
import { wireAction } from '../wire-action.js';

export const describeServiceAction = wireAction({
  action: 'DescribeService',
  operation: describeService,
  parse: () => undefined,
  respond: (service) => ({
    ProtectionLevels: { ProtectionLevel: service.protectionLevels.map((type) => ({ Type: type })) },
    KeySpecs: {
      KeySpec: service.keySpecs.map((spec) => ({
        Name: spec.name,
        SupportedProtectionLevels: { SupportedProtectionLevel: spec.supportedProtectionLevels },
        Usages: { Usage: spec.usages },
      })),
    },
  }),
});
