import { defineOperation, resource } from './operation.js';

export const describeAccountKmsStatus = defineOperation({
  action: 'DescribeAccountKmsStatus',
  resources: (_input: void) => ({ service: resource.service() }),
  run: (): Promise<'Enabled'> => Promise.resolve('Enabled'),
});
