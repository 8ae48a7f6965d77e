import { defineOperation, resource } from './operation.js';

/** One server serves one region: the one its Arns name. */
export const describeRegions = defineOperation({
  action: 'DescribeRegions',
  resources: (_input: void) => ({ service: resource.service() }),
  run: (context): Promise<string[]> => Promise.resolve([context.keys.scope.region]),
});
