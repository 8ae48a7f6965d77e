import { KmsError } from '../../../domain/errors.js';
import { updateAccessKey } from '../../../operations/ram/update-access-key.js';
import { wireAction } from '../../wire-action.js';

// https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-updateaccesskey
export const updateAccessKeyAction = wireAction({
  action: 'UpdateAccessKey',
  operation: updateAccessKey,
  parse: (params) => {
    const status = params.required('Status');
    if (status !== 'Active' && status !== 'Inactive') throw new KmsError('InvalidInput', 'Status');
    return { userName: params.required('UserName'), accessKeyId: params.required('UserAccessKeyId'), active: status === 'Active' };
  },
  respond: () => ({}),
});
