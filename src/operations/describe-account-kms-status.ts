import { authorize } from './authorization.js';
import { defineOperation } from './operation.js';

export const describeAccountKmsStatus = defineOperation(
  'DescribeAccountKmsStatus',
  async (context, _input: void): Promise<'Enabled'> => {
    authorize(context.caller, 'DescribeAccountKmsStatus', '*');
    return Promise.resolve('Enabled');
  },
);
