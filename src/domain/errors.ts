/**
 * The closed catalog of errors Arca answers with. Every refusal the API gives is one of these
 * entries; nothing else reaches a client. `docs/errors.md` lists the same entries, and a test keeps
 * the two equal.
 *
 * `kind` separates the caller's mistakes (`user`) from Arca's own (`internal`): internal errors
 * answer with a generic message and the detail goes to the log with the request id.
 */
export const ErrorCatalog = {
  MissingParameter: { httpStatus: 400, kind: 'user', message: 'The parameter "{0}" is needed but not provided.' },
  InvalidParameter: { httpStatus: 400, kind: 'user', message: 'The specified parameter "{0}" is not valid.' },
  InvalidCiphertext: {
    // Alibaba documents no dedicated code for a blob that fails authentication; Arca answers
    // with InvalidParameter on the CiphertextBlob, one message for every cause.
    httpStatus: 400,
    kind: 'user',
    code: 'InvalidParameter',
    message: 'The specified parameter "CiphertextBlob" is not valid.',
  },
  IncompleteSignature: { httpStatus: 400, kind: 'user', message: 'The request signature does not conform to Alibaba Cloud standards. {0}' },
  SignatureDoesNotMatch: { httpStatus: 400, kind: 'user', message: 'Specified signature is not matched with our calculation.' },
  InvalidTimeStampExpired: {
    httpStatus: 400,
    kind: 'user',
    code: 'InvalidTimeStamp.Expired',
    message: 'Specified time stamp or date value is expired.',
  },
  IllegalTimestamp: { httpStatus: 400, kind: 'user', message: 'The input parameter "Timestamp" is not a valid UTC time of the form yyyy-MM-ddTHH:mm:ssZ.' },
  SignatureNonceUsed: { httpStatus: 400, kind: 'user', message: 'Specified signature nonce was used already.' },
  InvalidAccessKeyIdNotFound: {
    httpStatus: 404,
    kind: 'user',
    code: 'InvalidAccessKeyId.NotFound',
    message: 'Specified access key is not found.',
  },
  InvalidActionNotFound: {
    httpStatus: 404,
    kind: 'user',
    code: 'InvalidAction.NotFound',
    message: 'Specified api is not found, please check your url and method.',
  },
  UnsupportedHTTPMethod: { httpStatus: 403, kind: 'user', message: 'This http method is not supported.' },
  RequestTooLarge: { httpStatus: 413, kind: 'user', code: 'InvalidParameter.RequestTooLarge', message: 'The request is larger than the server accepts.' },
  AliasAlreadyExists: { httpStatus: 400, kind: 'user', message: 'AliasName Already Exists.' },
  ForbiddenKeyNotFound: { httpStatus: 404, kind: 'user', code: 'Forbidden.KeyNotFound', message: 'The specified Key is not found.' },
  ForbiddenKeyVersionNotFound: {
    httpStatus: 404,
    kind: 'user',
    code: 'Forbidden.KeyVersionNotFound',
    message: 'The specified Key version is not found.',
  },
  ForbiddenAliasNotFound: { httpStatus: 404, kind: 'user', code: 'Forbidden.AliasNotFound', message: 'The specified Alias is not found.' },
  RejectedDisabled: {
    httpStatus: 409,
    kind: 'user',
    code: 'Rejected.Disabled',
    message: 'The request was rejected because the key state is Disabled.',
  },
  RejectedPendingDeletion: {
    httpStatus: 409,
    kind: 'user',
    code: 'Rejected.PendingDeletion',
    message: 'The request was rejected because the key state is PendingDeletion.',
  },
  RejectedPendingImport: {
    httpStatus: 409,
    kind: 'user',
    code: 'Rejected.PendingImport',
    message: 'The request was rejected because the key state is PendingImport.',
  },
  RejectedStateModifiedFailed: {
    httpStatus: 409,
    kind: 'user',
    code: 'Rejected.StateModifiedFailed',
    message: 'Keystate modified failed.',
  },
  RejectedDeletionProtected: {
    // Alibaba documents the refusal but not its code; Arca uses the state-change code with a
    // message that names the cause.
    httpStatus: 409,
    kind: 'user',
    code: 'Rejected.StateModifiedFailed',
    message: 'The key is protected from deletion.',
  },
  RejectedConcurrentModification: {
    httpStatus: 409,
    kind: 'user',
    code: 'Rejected.StateModifiedFailed',
    message: 'The key was modified by another request; retry.',
  },
  ForbiddenNoPermission: {
    httpStatus: 403,
    kind: 'user',
    code: 'Forbidden.NoPermission',
    message: 'This operation is forbidden by permission system.',
  },
  InvalidImportToken: {
    // Garbled, not made by this server, or made for another key: one answer for all three.
    httpStatus: 400,
    kind: 'user',
    message: 'The import token is invalid.',
  },
  ExpiredImportToken: { httpStatus: 400, kind: 'user', message: 'The import token is expired.' },
  InvalidKeyMaterial: {
    // One answer whatever the cause (does not unwrap, wrong size, not the material the key had):
    // telling them apart would be a padding oracle on the wrapping key.
    httpStatus: 400,
    kind: 'user',
    message: 'The key material is invalid.',
  },
  UnsupportedOrigin: { httpStatus: 400, kind: 'user', code: 'Unsupported.Origin', message: 'This key origin is not valid for this api.' },
  UnsupportedProtectionLevel: {
    httpStatus: 400,
    kind: 'user',
    code: 'Unsupported.ProtectionLevel',
    message: 'The protection level {0} is not available on this server: it was started without a PKCS#11 token (--pkcs11-module, --pkcs11-token-label).',
  },
  UnsupportedKeySpecAtProtectionLevel: {
    // Alibaba documents no code for this; Arca uses the protection-level code with a message
    // that says why.
    httpStatus: 400,
    kind: 'user',
    code: 'Unsupported.ProtectionLevel',
    message: 'The KeySpec {0} is not available at the protection level {1}: the PKCS#11 token offers no mechanism Arca can use for it.',
  },
  UnsupportedOriginAtProtectionLevel: {
    httpStatus: 400,
    kind: 'user',
    code: 'Unsupported.ProtectionLevel',
    message: 'Origin {0} is not available at the protection level {1}: the token cannot unwrap imported key material.',
  },
  UnsupportedWrappingAtProtectionLevel: {
    // The token unwraps imported material itself, and only with what the token can do.
    httpStatus: 400,
    kind: 'user',
    code: 'Unsupported.ProtectionLevel',
    message: 'WrappingKeySpec {0} with WrappingAlgorithm {1} is not available at the protection level {2}: supported is WrappingKeySpec {3} with WrappingAlgorithm {4}.',
  },
  DryRunOperation: {
    // Alibaba: a DryRun that would have succeeded still fails, with this code.
    httpStatus: 412,
    kind: 'user',
    code: 'DryRunOperationError',
    message: 'The request would have succeeded, but the DryRun parameter was set.',
  },
  LimitExceeded: { httpStatus: 400, kind: 'user', code: 'Rejected.LimitExceeded', message: 'The {0} limit was exceeded.' },
  RejectedThrottling: {
    // Alibaba's secrets documentation uses 429 with this code; the 3.x SDKs raise a ThrottlingError
    // for any Code containing "Throttling" and back off.
    httpStatus: 429,
    kind: 'user',
    code: 'Rejected.Throttling',
    message: 'Request was denied due to request throttling.',
  },
  InternalFailure: { httpStatus: 500, kind: 'internal', message: 'Internal Failure.' },
  ServiceUnavailableTemporary: { httpStatus: 503, kind: 'internal', message: 'Service Unavailable Temporary.' },
} as const satisfies Record<string, CatalogEntry>;

interface CatalogEntry {
  readonly httpStatus: number;
  readonly kind: 'user' | 'internal';
  /** The wire `Code`; the entry's name when absent. */
  readonly code?: string;
  /** `{0}`, `{1}` … are replaced by the error's arguments. */
  readonly message: string;
}

export type ErrorName = keyof typeof ErrorCatalog;

export function wireCodeOf(name: ErrorName): string {
  const entry: CatalogEntry = ErrorCatalog[name];
  return entry.code ?? name;
}

function formatMessage(template: string, args: readonly string[]): string {
  return template.replace(/\{(\d+)\}/g, (_, index: string) => args[Number(index)] ?? '').trim();
}

/** A refusal from the catalog. Operations throw it; the transport turns it into a response. */
export class KmsError extends Error {
  readonly errorName: ErrorName;
  readonly code: string;
  readonly httpStatus: number;
  /** What the message was formatted with: enough to raise the same error in another process. */
  readonly args: readonly string[];

  constructor(errorName: ErrorName, ...args: string[]) {
    const entry = ErrorCatalog[errorName];
    super(formatMessage(entry.message, args));
    this.name = 'KmsError';
    this.errorName = errorName;
    this.args = args;
    this.code = wireCodeOf(errorName);
    this.httpStatus = entry.httpStatus;
  }
}

/** Precondition helper: throws `InvalidParameter` naming `parameter` unless `condition` holds. */
export function needsValid(condition: boolean, parameter: string): asserts condition {
  if (!condition) throw new KmsError('InvalidParameter', parameter);
}
