import { authorize } from './authorization.js';
import { defineOperation } from './operation.js';

/** One server serves one region: the one its Arns name. */
export const describeRegions = defineOperation('DescribeRegions', async (context, _input: void): Promise<string[]> => {
  authorize(context.caller, 'DescribeRegions', '*');
  return Promise.resolve([context.keys.scope.region]);
});
