import { KmsError, type ErrorKind } from '../domain/errors.js';

/** How Alibaba's API answers one kind of error. */
export interface AlibabaError {
  readonly httpStatus: number;
  /** The wire `Code`. */
  readonly code: string;
  /** `{0}`, `{1}` … are replaced by the error's arguments; for the kinds with a field, `{0}` is its parameter name. */
  readonly message: string;
}

/**
 * Every error kind as the Alibaba front end answers it: one exhaustive table, so a kind added to
 * the catalog does not compile until it has an answer here. `docs/errors.md` lists the same rows
 * and a test keeps the two equal.
 */
export const ALIBABA_ERRORS: Readonly<Record<ErrorKind, AlibabaError>> = {
  MissingInput: { httpStatus: 400, code: 'MissingParameter', message: 'The parameter "{0}" is needed but not provided.' },
  InvalidInput: { httpStatus: 400, code: 'InvalidParameter', message: 'The specified parameter "{0}" is not valid.' },
  // Alibaba documents no dedicated code for a blob that fails authentication; Arca answers with
  // InvalidParameter on the CiphertextBlob, one message for every cause.
  InvalidCiphertext: { httpStatus: 400, code: 'InvalidParameter', message: 'The specified parameter "CiphertextBlob" is not valid.' },
  IncompleteSignature: {
    httpStatus: 400,
    code: 'IncompleteSignature',
    message: 'The request signature does not conform to Alibaba Cloud standards. {0}',
  },
  SignatureMismatch: {
    httpStatus: 400,
    code: 'SignatureDoesNotMatch',
    message: 'Specified signature is not matched with our calculation.',
  },
  RequestExpired: { httpStatus: 400, code: 'InvalidTimeStamp.Expired', message: 'Specified time stamp or date value is expired.' },
  MalformedTimestamp: {
    httpStatus: 400,
    code: 'IllegalTimestamp',
    message: 'The input parameter "Timestamp" is not a valid UTC time of the form yyyy-MM-ddTHH:mm:ssZ.',
  },
  NonceReused: { httpStatus: 400, code: 'SignatureNonceUsed', message: 'Specified signature nonce was used already.' },
  UnknownAccessKey: { httpStatus: 404, code: 'InvalidAccessKeyId.NotFound', message: 'Specified access key is not found.' },
  UnknownAction: {
    httpStatus: 404,
    code: 'InvalidAction.NotFound',
    message: 'Specified api is not found, please check your url and method.',
  },
  // Alibaba's KMS documents 400 UnsupportedOperation, "This action is not supported."; Arca adds
  // the action's name, so the refusal does not read like the typo InvalidAction.NotFound is for.
  // Only names from the unsupported list ever reach this message, never arbitrary input.
  ActionNotSupported: {
    httpStatus: 400,
    code: 'UnsupportedOperation',
    message: 'This action is not supported: {0} is an action of the KMS API 2016-01-20 that this server does not implement.',
  },
  MethodNotAllowed: { httpStatus: 403, code: 'UnsupportedHTTPMethod', message: 'This http method is not supported.' },
  RequestTooLarge: { httpStatus: 413, code: 'InvalidParameter.RequestTooLarge', message: 'The request is larger than the server accepts.' },
  // Alibaba documents no code for it; Arca uses the HTTP status's name.
  RequestTimeout: { httpStatus: 408, code: 'RequestTimeout', message: 'The request did not arrive within the time the server allows.' },
  // Alibaba's secrets documentation uses 429 with this code; the 3.x SDKs raise a ThrottlingError
  // for any Code containing "Throttling" and back off.
  Throttled: { httpStatus: 429, code: 'Rejected.Throttling', message: 'Request was denied due to request throttling.' },
  AccessDenied: { httpStatus: 403, code: 'Forbidden.NoPermission', message: 'This operation is forbidden by permission system.' },
  // The message says which element of the document is wrong (PolicyDocumentError's message: the
  // element's path, at most 200 characters of it, and the problem), never more of the document.
  InvalidKeyPolicy: { httpStatus: 400, code: 'InvalidParameter', message: 'The specified parameter "Policy" is not valid: {0}.' },
  // What Alibaba's gateway answers when RAM denies a request; the message names the RAM action
  // (`kms:Encrypt`), never the statement or policy that decided.
  DeniedByPolicy: {
    httpStatus: 403,
    code: 'Forbidden.RAM',
    message: 'User not authorized to operate on the specified resource, or this API does not support RAM: {0} is not allowed.',
  },
  AliasExists: { httpStatus: 400, code: 'AliasAlreadyExists', message: 'AliasName Already Exists.' },
  KeyNotFound: { httpStatus: 404, code: 'Forbidden.KeyNotFound', message: 'The specified Key is not found.' },
  KeyVersionNotFound: { httpStatus: 404, code: 'Forbidden.KeyVersionNotFound', message: 'The specified Key version is not found.' },
  AliasNotFound: { httpStatus: 404, code: 'Forbidden.AliasNotFound', message: 'The specified Alias is not found.' },
  KeyDisabled: { httpStatus: 409, code: 'Rejected.Disabled', message: 'The request was rejected because the key state is Disabled.' },
  KeyPendingDeletion: {
    httpStatus: 409,
    code: 'Rejected.PendingDeletion',
    message: 'The request was rejected because the key state is PendingDeletion.',
  },
  KeyPendingImport: {
    httpStatus: 409,
    code: 'Rejected.PendingImport',
    message: 'The request was rejected because the key state is PendingImport.',
  },
  StateChangeRefused: { httpStatus: 409, code: 'Rejected.StateModifiedFailed', message: 'Keystate modified failed.' },
  // Alibaba documents the refusal but not its code; Arca uses the state-change code with a
  // message that names the cause.
  DeletionProtected: { httpStatus: 409, code: 'Rejected.StateModifiedFailed', message: 'The key is protected from deletion.' },
  ConcurrentModification: {
    httpStatus: 409,
    code: 'Rejected.StateModifiedFailed',
    message: 'The key was modified by another request; retry.',
  },
  // Garbled, not made by this server, or made for another key: one answer for all three.
  InvalidImportToken: { httpStatus: 400, code: 'InvalidImportToken', message: 'The import token is invalid.' },
  ExpiredImportToken: { httpStatus: 400, code: 'ExpiredImportToken', message: 'The import token is expired.' },
  InvalidKeyMaterial: { httpStatus: 400, code: 'InvalidKeyMaterial', message: 'The key material is invalid.' },
  UnsupportedOrigin: { httpStatus: 400, code: 'Unsupported.Origin', message: 'This key origin is not valid for this api.' },
  ProtectionLevelUnavailable: {
    httpStatus: 400,
    code: 'Unsupported.ProtectionLevel',
    message:
      'The protection level {0} is not available on this server: it was started without a PKCS#11 token (--pkcs11-module, --pkcs11-token-label).',
  },
  // Alibaba documents no code for the three below; Arca uses the protection-level code with a
  // message that says why.
  KeySpecUnsupportedAtProtectionLevel: {
    httpStatus: 400,
    code: 'Unsupported.ProtectionLevel',
    message: 'The KeySpec {0} is not available at the protection level {1}: the PKCS#11 token offers no mechanism Arca can use for it.',
  },
  OriginUnsupportedAtProtectionLevel: {
    httpStatus: 400,
    code: 'Unsupported.ProtectionLevel',
    message: 'Origin {0} is not available at the protection level {1}: the token cannot unwrap imported key material.',
  },
  WrappingUnsupportedAtProtectionLevel: {
    httpStatus: 400,
    code: 'Unsupported.ProtectionLevel',
    message:
      'WrappingKeySpec {0} with WrappingAlgorithm {1} is not available at the protection level {2}: supported is WrappingKeySpec {3} with WrappingAlgorithm {4}.',
  },
  // Alibaba: a DryRun that would have succeeded still fails, with this code.
  DryRun: { httpStatus: 412, code: 'DryRunOperationError', message: 'The request would have succeeded, but the DryRun parameter was set.' },
  LimitExceeded: { httpStatus: 400, code: 'Rejected.LimitExceeded', message: 'The {0} limit was exceeded.' },
  // RAM's codes (API 2015-05-01), as its per-action error tables list them: DeleteUser
  // (doc-detail/28683), the RAM error center (doc-detail/28754), and the policy tables that
  // Resource Management shares with RAM (api-resourcemanager-2020-03-31-deletepolicy-rg,
  // -deletepolicyversion-rg). Where Alibaba's page was not found, the code follows RAM's
  // pattern and docs/errors.md says so.
  UserExists: { httpStatus: 409, code: 'EntityAlreadyExists.User', message: 'The user already exists.' },
  UserNotFound: { httpStatus: 404, code: 'EntityNotExist.User', message: 'The user does not exist.' },
  UserHasAccessKeys: {
    httpStatus: 409,
    code: 'DeleteConflict.User.AccessKey',
    message: 'The user CAN NOT has any access key while deleting the user.',
  },
  UserHasPolicies: {
    httpStatus: 409,
    code: 'DeleteConflict.User.Policy',
    message: 'The user CAN NOT has any attached policy while deleting the user.',
  },
  UserInGroups: {
    httpStatus: 409,
    code: 'DeleteConflict.User.Group',
    message: 'The user CAN NOT be in any group while deleting the user.',
  },
  AccessKeyLimitExceeded: {
    httpStatus: 409,
    code: 'LimitExceeded.User.AccessKey',
    message: 'The count of access keys of this user exceeds the limit of 2.',
  },
  UserAccessKeyNotFound: { httpStatus: 404, code: 'EntityNotExist.User.AccessKey', message: 'The access key does not exist.' },
  GroupExists: { httpStatus: 409, code: 'EntityAlreadyExists.Group', message: 'The group already exists.' },
  GroupNotFound: { httpStatus: 404, code: 'EntityNotExist.Group', message: 'The group does not exist.' },
  MembershipExists: { httpStatus: 409, code: 'EntityAlreadyExists.User.Group', message: 'The user has already belonged to the group.' },
  MembershipNotFound: { httpStatus: 404, code: 'EntityNotExist.User.Group', message: 'The user does not belong to the group.' },
  PolicyExists: { httpStatus: 409, code: 'EntityAlreadyExists.Policy', message: 'The policy already exists.' },
  PolicyNotFound: { httpStatus: 404, code: 'EntityNotExist.Policy', message: 'The policy does not exist.' },
  PolicyVersionNotFound: { httpStatus: 404, code: 'EntityNotExist.Policy.Version', message: 'The policy version does not exist.' },
  PolicyVersionLimitExceeded: {
    httpStatus: 409,
    code: 'LimitExceeded.Policy.Version',
    message: 'The count of versions of this policy exceeds the limit of 5.',
  },
  DefaultPolicyVersionUndeletable: {
    httpStatus: 409,
    code: 'DeleteConflict.Policy.Version.Default',
    message: 'You cannot delete the default policy version.',
  },
  PolicyHasVersions: {
    httpStatus: 409,
    code: 'DeleteConflict.Policy.Version',
    message: 'The policy cannot have any versions besides the default when you delete it.',
  },
  PolicyAttachedToUsers: {
    httpStatus: 409,
    code: 'DeleteConflict.Policy.User',
    message: 'Before deleting the policy, it may not be attached to any user.',
  },
  PolicyAttachedToGroups: {
    httpStatus: 409,
    code: 'DeleteConflict.Policy.Group',
    message: 'The policy cannot be attached to any group when you delete it.',
  },
  UserPolicyAttached: {
    httpStatus: 409,
    code: 'EntityAlreadyExists.User.Policy',
    message: 'The policy has already been attached to the user.',
  },
  GroupPolicyAttached: {
    httpStatus: 409,
    code: 'EntityAlreadyExists.Group.Policy',
    message: 'The policy has already been attached to the group.',
  },
  UserPolicyNotAttached: { httpStatus: 404, code: 'EntityNotExist.User.Policy', message: 'The policy is not attached to the user.' },
  GroupPolicyNotAttached: { httpStatus: 404, code: 'EntityNotExist.Group.Policy', message: 'The policy is not attached to the group.' },
  MalformedPolicyDocument: { httpStatus: 400, code: 'MalformedPolicyDocument', message: 'The policy document is malformed: {0}' },
  Internal: { httpStatus: 500, code: 'InternalFailure', message: 'Internal Failure.' },
  Unavailable: { httpStatus: 503, code: 'ServiceUnavailableTemporary', message: 'Service Unavailable Temporary.' },
};

/**
 * The Alibaba parameter behind each operation input field that an error can name. A field raised
 * by the front end itself is already a parameter name and is not listed.
 */
export const FIELD_PARAMETERS: Readonly<Record<string, string>> = {
  keyId: 'KeyId',
  keySpec: 'KeySpec',
  keyUsage: 'KeyUsage',
  origin: 'Origin',
  protectionLevel: 'ProtectionLevel',
  description: 'Description',
  rotationInterval: 'RotationInterval',
  tags: 'Tags',
  tagKeys: 'TagKeys',
  aliasName: 'AliasName',
  plaintext: 'Plaintext',
  numberOfBytes: 'NumberOfBytes',
  encryptionContext: 'EncryptionContext',
  pendingWindowInDays: 'PendingWindowInDays',
  deletionProtectionDescription: 'DeletionProtectionDescription',
  keyVersionId: 'KeyVersionId',
  wrappingKeySpec: 'WrappingKeySpec',
  wrappingAlgorithm: 'WrappingAlgorithm',
  keyMaterialExpireUnix: 'KeyMaterialExpireUnix',
  publicKeyBlob: 'PublicKeyBlob',
  wrappingKeySpecOfPublicKey: 'WrappingKeySpec',
  passwordLength: 'PasswordLength',
  ciphertextBlob: 'CiphertextBlob',
  excludeCharacters: 'ExcludeCharacters',
  pageNumber: 'PageNumber',
  pageSize: 'PageSize',
  filters: 'Filters',
  // The RAM API's (2015-05-01).
  userName: 'UserName',
  newUserName: 'NewUserName',
  displayName: 'DisplayName',
  email: 'Email',
  mobilePhone: 'MobilePhone',
  comments: 'Comments',
  newDisplayName: 'NewDisplayName',
  newEmail: 'NewEmail',
  newMobilePhone: 'NewMobilePhone',
  newComments: 'NewComments',
  groupName: 'GroupName',
  policyName: 'PolicyName',
  policyType: 'PolicyType',
  versionId: 'VersionId',
  policy: 'Policy',
};

export function parameterOf(field: string): string {
  return FIELD_PARAMETERS[field] ?? field;
}

/** The code, status and message an error gets on Alibaba's wire. */
export function alibabaErrorOf(error: KmsError): AlibabaError {
  const entry = ALIBABA_ERRORS[error.kind];
  const args = error.field === undefined ? error.args : [parameterOf(error.field), ...error.args.slice(1)];
  return { httpStatus: entry.httpStatus, code: entry.code, message: formatMessage(entry.message, args) };
}

function formatMessage(template: string, args: readonly string[]): string {
  return template.replace(/\{(\d+)\}/g, (_, index: string) => args[Number(index)] ?? '').trim();
}
