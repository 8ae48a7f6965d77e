import { KmsError, type ErrorKind } from '../domain/errors.js';

/** How the AWS KMS front end answers one kind of error. */
export interface AwsError {
  /** The `__type` of the body: the exception name the SDK throws. */
  readonly type: string;
  readonly httpStatus: number;
  /**
   * `{0}`, `{1}` … are replaced by the error's arguments; for the kinds with a field, `{0}` is the
   * field, named as AWS's own validation messages name members (`plaintext`, `numberOfBytes`).
   * An empty message is left out of the body, as AWS leaves it out for a ciphertext that does not open.
   */
  readonly message: string;
}

const VALIDATION = 'ValidationException';
const INVALID_STATE = 'KMSInvalidStateException';
const UNSUPPORTED = 'UnsupportedOperationException';
const INVALID_SIGNATURE = 'InvalidSignatureException';

/**
 * Every error kind as AWS KMS names it: one exhaustive table, so a kind added to the catalog does
 * not compile until it has an AWS answer too. Client errors are 400, as real AWS answers them
 * whatever status its model declares (`docs/errors.md`, AWS KMS API); the SDK picks the exception
 * class by `__type` alone. `docs/errors.md` lists the same rows and a test keeps them equal.
 */
export const AWS_ERRORS: Readonly<Record<ErrorKind, AwsError>> = {
  MissingInput: {
    type: VALIDATION,
    httpStatus: 400,
    message: "1 validation error detected: Value null at '{0}' failed to satisfy constraint: Member must not be null",
  },
  InvalidInput: { type: VALIDATION, httpStatus: 400, message: "1 validation error detected: Value at '{0}' failed to satisfy constraint" },
  // AWS answers every ciphertext that does not open, a wrong context included, with no message.
  InvalidCiphertext: { type: 'InvalidCiphertextException', httpStatus: 400, message: '' },
  IncorrectKey: {
    type: 'IncorrectKeyException',
    httpStatus: 400,
    message: 'The key ID in the request does not identify a CMK that can perform this operation.',
  },
  IncompleteSignature: { type: 'IncompleteSignatureException', httpStatus: 400, message: 'The request signature is incomplete. {0}' },
  SignatureMismatch: {
    type: INVALID_SIGNATURE,
    httpStatus: 400,
    message:
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
  },
  // "Signature expired" is what the SDK looks for: it then corrects its clock from the Date header and retries.
  RequestExpired: {
    type: INVALID_SIGNATURE,
    httpStatus: 400,
    message: 'Signature expired: the X-Amz-Date is more than 15 minutes from the server time (± 15 min.)',
  },
  MalformedTimestamp: {
    type: 'IncompleteSignatureException',
    httpStatus: 400,
    message: "X-Amz-Date must be in the ISO-8601 basic format 'yyyyMMdd'T'HHmmss'Z'.",
  },
  NonceReused: {
    type: INVALID_SIGNATURE,
    httpStatus: 400,
    message: 'The request signature was used already: a request is accepted once; sign it again.',
  },
  UnknownAccessKey: {
    type: 'UnrecognizedClientException',
    httpStatus: 400,
    message: 'The security token included in the request is invalid.',
  },
  UnknownAction: { type: 'UnknownOperationException', httpStatus: 400, message: '' },
  ActionNotSupported: { type: UNSUPPORTED, httpStatus: 400, message: '{0} is not supported by this server.' },
  MethodNotAllowed: { type: 'UnknownOperationException', httpStatus: 400, message: 'The AWS KMS API takes POST requests only.' },
  RequestTooLarge: { type: 'RequestEntityTooLargeException', httpStatus: 413, message: 'The request is larger than the server accepts.' },
  RequestTimeout: {
    type: 'RequestTimeoutException',
    httpStatus: 408,
    message: 'The request did not arrive within the time the server allows.',
  },
  Throttled: { type: 'ThrottlingException', httpStatus: 400, message: 'Rate exceeded' },
  AccessDenied: {
    type: 'AccessDeniedException',
    httpStatus: 400,
    message: 'The caller is not authorized to perform this operation on this resource.',
  },
  AliasExists: { type: 'AlreadyExistsException', httpStatus: 400, message: 'An alias with that name already exists.' },
  KeyNotFound: { type: 'NotFoundException', httpStatus: 400, message: 'The key does not exist.' },
  KeyVersionNotFound: { type: 'NotFoundException', httpStatus: 400, message: 'The key material does not exist.' },
  AliasNotFound: { type: 'NotFoundException', httpStatus: 400, message: 'The alias is not found.' },
  KeyDisabled: { type: 'DisabledException', httpStatus: 400, message: 'The key is disabled.' },
  KeyPendingDeletion: { type: INVALID_STATE, httpStatus: 400, message: 'The key is pending deletion.' },
  KeyPendingImport: { type: INVALID_STATE, httpStatus: 400, message: 'The key is pending import.' },
  StateChangeRefused: { type: INVALID_STATE, httpStatus: 400, message: 'The key state does not allow this operation.' },
  DeletionProtected: {
    type: INVALID_STATE,
    httpStatus: 400,
    message: 'The key is protected from deletion (SetDeletionProtection, Alibaba KMS API).',
  },
  ConcurrentModification: { type: 'ConflictException', httpStatus: 400, message: 'The key was modified by another request; retry.' },
  InvalidImportToken: { type: 'InvalidImportTokenException', httpStatus: 400, message: 'The import token is invalid.' },
  ExpiredImportToken: { type: 'ExpiredImportTokenException', httpStatus: 400, message: 'The import token is expired.' },
  InvalidKeyMaterial: { type: 'IncorrectKeyMaterialException', httpStatus: 400, message: 'The key material is invalid.' },
  UnsupportedOrigin: { type: UNSUPPORTED, httpStatus: 400, message: 'The origin of the key is not valid for this operation.' },
  ProtectionLevelUnavailable: { type: UNSUPPORTED, httpStatus: 400, message: 'The protection level {0} is not available on this server.' },
  KeySpecUnsupportedAtProtectionLevel: {
    type: UNSUPPORTED,
    httpStatus: 400,
    message: 'The key spec {0} is not available at the protection level {1}.',
  },
  OriginUnsupportedAtProtectionLevel: {
    type: UNSUPPORTED,
    httpStatus: 400,
    message: 'The origin {0} is not available at the protection level {1}.',
  },
  WrappingUnsupportedAtProtectionLevel: {
    type: UNSUPPORTED,
    httpStatus: 400,
    message: 'The wrapping {0} with {1} is not available at the protection level {2}: supported is {3} with {4}.',
  },
  DryRun: { type: 'DryRunOperationException', httpStatus: 400, message: 'The request would have succeeded, but the DryRun option is set.' },
  // The SDK retries LimitExceededException as a throttling error, as it does against AWS.
  LimitExceeded: { type: 'LimitExceededException', httpStatus: 400, message: 'The {0} limit was exceeded.' },
  // Policy refusals. The RAM API's kinds never reach this front end (RAM actions are Alibaba RPC
  // only); they have AWS's nearest exception so the table stays exhaustive.
  InvalidKeyPolicy: { type: 'MalformedPolicyDocumentException', httpStatus: 400, message: 'The key policy is not valid: {0}' },
  DeniedByPolicy: { type: 'AccessDeniedException', httpStatus: 400, message: 'User is not authorized to perform {0} on this resource.' },
  UserExists: { type: 'AlreadyExistsException', httpStatus: 400, message: 'The RAM user exists already.' },
  UserNotFound: { type: 'NotFoundException', httpStatus: 400, message: 'The RAM user does not exist.' },
  UserHasAccessKeys: { type: 'KMSInvalidStateException', httpStatus: 400, message: 'The RAM user still has access keys.' },
  UserHasPolicies: { type: 'KMSInvalidStateException', httpStatus: 400, message: 'The RAM user still has policies attached.' },
  UserInGroups: { type: 'KMSInvalidStateException', httpStatus: 400, message: 'The RAM user still belongs to groups.' },
  AccessKeyLimitExceeded: { type: 'LimitExceededException', httpStatus: 400, message: 'The RAM user has as many access keys as it may.' },
  UserAccessKeyNotFound: { type: 'NotFoundException', httpStatus: 400, message: 'The RAM user has no such access key.' },
  GroupExists: { type: 'AlreadyExistsException', httpStatus: 400, message: 'The RAM group exists already.' },
  GroupNotFound: { type: 'NotFoundException', httpStatus: 400, message: 'The RAM group does not exist.' },
  MembershipExists: { type: 'AlreadyExistsException', httpStatus: 400, message: 'The RAM user belongs to the group already.' },
  MembershipNotFound: { type: 'NotFoundException', httpStatus: 400, message: 'The RAM user does not belong to the group.' },
  PolicyExists: { type: 'AlreadyExistsException', httpStatus: 400, message: 'The policy exists already.' },
  PolicyNotFound: { type: 'NotFoundException', httpStatus: 400, message: 'The policy does not exist.' },
  PolicyVersionNotFound: { type: 'NotFoundException', httpStatus: 400, message: 'The policy version does not exist.' },
  PolicyVersionLimitExceeded: { type: 'LimitExceededException', httpStatus: 400, message: 'The policy has as many versions as it may.' },
  DefaultPolicyVersionUndeletable: {
    type: 'KMSInvalidStateException',
    httpStatus: 400,
    message: 'The default version of a policy cannot be deleted.',
  },
  PolicyHasVersions: { type: 'KMSInvalidStateException', httpStatus: 400, message: 'The policy still has versions besides its default.' },
  PolicyAttachedToUsers: { type: 'KMSInvalidStateException', httpStatus: 400, message: 'The policy is still attached to users.' },
  PolicyAttachedToGroups: { type: 'KMSInvalidStateException', httpStatus: 400, message: 'The policy is still attached to groups.' },
  UserPolicyAttached: { type: 'AlreadyExistsException', httpStatus: 400, message: 'The policy is attached to the user already.' },
  GroupPolicyAttached: { type: 'AlreadyExistsException', httpStatus: 400, message: 'The policy is attached to the group already.' },
  UserPolicyNotAttached: { type: 'NotFoundException', httpStatus: 400, message: 'The policy is not attached to the user.' },
  GroupPolicyNotAttached: { type: 'NotFoundException', httpStatus: 400, message: 'The policy is not attached to the group.' },
  MalformedPolicyDocument: { type: 'MalformedPolicyDocumentException', httpStatus: 400, message: 'The policy document is malformed: {0}' },
  Internal: { type: 'KMSInternalException', httpStatus: 500, message: 'Internal failure.' },
  Unavailable: { type: 'ServiceUnavailableException', httpStatus: 503, message: 'The service is temporarily unavailable.' },
};

/**
 * Invalid input that AWS answers with an exception of its own rather than ValidationException,
 * by the field concerned: a bad paging marker, bad tags, a body that is not JSON.
 */
const FIELD_TYPES: Readonly<Record<string, string>> = {
  marker: 'InvalidMarkerException',
  tags: 'TagException',
  tagKeys: 'TagException',
  body: 'SerializationException',
  aliasName: 'InvalidAliasNameException',
  keyUsage: 'InvalidKeyUsageException',
  encryptionAlgorithm: 'InvalidKeyUsageException',
};

export interface AwsAnswer {
  readonly httpStatus: number;
  readonly body: { readonly __type: string; readonly message?: string };
}

/** The status and body AWS gives for `error`; a server fault says no more than the table's message. */
export function awsErrorOf(error: KmsError): AwsAnswer {
  const entry = AWS_ERRORS[error.kind];
  const type = (error.kind === 'InvalidInput' && error.field !== undefined && FIELD_TYPES[error.field]) || entry.type;
  const message = error.fault === 'server' ? entry.message : formatMessage(entry.message, error.args);
  return { httpStatus: entry.httpStatus, body: { __type: type, ...(message === '' ? {} : { message }) } };
}

function formatMessage(template: string, args: readonly string[]): string {
  return template.replace(/\{(\d+)\}/g, (_, index: string) => args[Number(index)] ?? '').trim();
}

/** The exception name an error is answered with, for the audit event's result. */
export const awsCodeOf = (error: KmsError): string => awsErrorOf(error).body.__type;
