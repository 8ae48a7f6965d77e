import { listAccessKeys } from '../../../operations/ram/list-access-keys.js';
import { wireAction } from '../../wire-action.js';
import { accessKeyStatus, ramDate } from '../ram-shapes.js';

// https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-listaccesskeys
export const listAccessKeysAction = wireAction({
  action: 'ListAccessKeys',
  operation: listAccessKeys,
  parse: (params) => ({ userName: params.required('UserName') }),
  respond: (records) => ({
    AccessKeys: {
      AccessKey: records.map((record) => ({
        AccessKeyId: record.accessKeyId,
        Status: accessKeyStatus(record),
        CreateDate: ramDate(record.creationDate),
      })),
    },
  }),
});
