import { createAccessKey } from '../../../operations/ram/create-access-key.js';
import { wireAction } from '../../wire-action.js';
import { accessKeyStatus, ramDate } from '../ram-shapes.js';

// https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-createaccesskey
// UserName is required here: Arca's administrator has no access keys to manage through RAM.
export const createAccessKeyAction = wireAction({
  action: 'CreateAccessKey',
  operation: createAccessKey,
  parse: (params) => ({ userName: params.required('UserName') }),
  respond: ({ record, credentials }) => ({
    AccessKey: {
      AccessKeyId: credentials.accessKeyId,
      AccessKeySecret: credentials.accessKeySecret,
      Status: accessKeyStatus(record),
      CreateDate: ramDate(record.creationDate),
    },
  }),
});
