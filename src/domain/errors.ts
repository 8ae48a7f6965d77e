/**
 * The closed catalog of the ways a request can fail, in Arca's own terms. Every refusal is one
 * of these kinds; each front end maps every kind to its wire (the Alibaba front end to a Code, an
 * HTTP status and a message) in one exhaustive table, so no kind can go unanswered and nothing
 * outside the catalog reaches a client.
 *
 * `fault` separates the caller's mistakes (`caller`) from Arca's own (`server`): a server fault
 * answers with a generic message and the detail goes to the log with the request id.
 *
 * `field` names the input concerned, for the kinds that have one: an operation's input field in
 * camelCase (`plaintext`, `numberOfBytes`), or, for a refusal raised by a front end while it reads
 * its wire, that wire's own parameter name. Front ends translate operation fields to their
 * parameter names.
 */
export const ErrorKinds = {
  MissingInput: { fault: 'caller', field: true, message: 'A required input is missing.' },
  InvalidInput: { fault: 'caller', field: true, message: 'An input is not valid.' },
  /** One answer for every ciphertext that does not open: which check failed is never said. */
  InvalidCiphertext: { fault: 'caller', field: false, message: 'The ciphertext is not valid.' },
  IncompleteSignature: { fault: 'caller', field: false, message: 'The request signature is incomplete.' },
  SignatureMismatch: { fault: 'caller', field: false, message: 'The request signature does not match.' },
  RequestExpired: { fault: 'caller', field: false, message: 'The request timestamp is outside the accepted window.' },
  MalformedTimestamp: { fault: 'caller', field: false, message: 'The request timestamp cannot be read.' },
  NonceReused: { fault: 'caller', field: false, message: 'The request nonce was used already.' },
  UnknownAccessKey: { fault: 'caller', field: false, message: 'The access key is unknown or not enabled.' },
  UnknownAction: { fault: 'caller', field: false, message: 'The action does not exist.' },
  /** An action of the API that this server does not implement; args: the action. */
  ActionNotSupported: { fault: 'caller', field: false, message: 'The action {0} is not supported by this server.' },
  MethodNotAllowed: { fault: 'caller', field: false, message: 'The HTTP method is not supported.' },
  RequestTooLarge: { fault: 'caller', field: false, message: 'The request is larger than the server accepts.' },
  RequestTimeout: { fault: 'caller', field: false, message: 'The request did not arrive within the time the server allows.' },
  Throttled: { fault: 'caller', field: false, message: 'The access key sent more requests than its rate allows.' },
  AccessDenied: { fault: 'caller', field: false, message: 'The caller may not run this action on this resource.' },
  /** A key policy that does not read as one; args: which element is wrong and how. */
  InvalidKeyPolicy: { fault: 'caller', field: false, message: 'The key policy is not valid: {0}' },
  /** An access policy did not allow the request (explicitly or implicitly); args: the RAM action. Which statement decided is never said. */
  DeniedByPolicy: { fault: 'caller', field: false, message: 'The caller is not allowed to run {0}.' },
  AliasExists: { fault: 'caller', field: false, message: 'The alias exists already.' },
  KeyNotFound: { fault: 'caller', field: false, message: 'The key is not found.' },
  KeyVersionNotFound: { fault: 'caller', field: false, message: 'The key version is not found.' },
  AliasNotFound: { fault: 'caller', field: false, message: 'The alias is not found.' },
  KeyDisabled: { fault: 'caller', field: false, message: 'The key is disabled.' },
  KeyPendingDeletion: { fault: 'caller', field: false, message: 'The key is pending deletion.' },
  KeyPendingImport: { fault: 'caller', field: false, message: 'The key has no key material.' },
  StateChangeRefused: { fault: 'caller', field: false, message: 'The key state does not allow this change.' },
  DeletionProtected: { fault: 'caller', field: false, message: 'The key is protected from deletion.' },
  ConcurrentModification: { fault: 'caller', field: false, message: 'The key was modified by another request; retry.' },
  InvalidImportToken: { fault: 'caller', field: false, message: 'The import token is invalid.' },
  ExpiredImportToken: { fault: 'caller', field: false, message: 'The import token is expired.' },
  /** One answer whatever the cause: telling them apart would be a padding oracle. */
  InvalidKeyMaterial: { fault: 'caller', field: false, message: 'The key material is invalid.' },
  UnsupportedOrigin: { fault: 'caller', field: false, message: 'The key origin does not allow this action.' },
  /** args: the protection level. */
  ProtectionLevelUnavailable: { fault: 'caller', field: false, message: 'The protection level {0} is not available on this server.' },
  /** args: key spec, protection level. */
  KeySpecUnsupportedAtProtectionLevel: {
    fault: 'caller',
    field: false,
    message: 'The key spec {0} is not available at the protection level {1}.',
  },
  /** args: origin, protection level. */
  OriginUnsupportedAtProtectionLevel: {
    fault: 'caller',
    field: false,
    message: 'The origin {0} is not available at the protection level {1}.',
  },
  /** args: wrapping key spec, wrapping algorithm, protection level, supported spec, supported algorithm. */
  WrappingUnsupportedAtProtectionLevel: {
    fault: 'caller',
    field: false,
    message: 'The wrapping {0} with {1} is not available at the protection level {2}: supported is {3} with {4}.',
  },
  /** A dry run that would have succeeded still fails, with this kind. */
  DryRun: { fault: 'caller', field: false, message: 'The request would have succeeded, but it was a dry run.' },
  /** args: what the limit is on. */
  LimitExceeded: { fault: 'caller', field: false, message: 'The {0} limit was exceeded.' },
  // RAM identities (docs/adr/0027).
  UserExists: { fault: 'caller', field: false, message: 'The RAM user exists already.' },
  UserNotFound: { fault: 'caller', field: false, message: 'The RAM user does not exist.' },
  UserHasAccessKeys: { fault: 'caller', field: false, message: 'The RAM user still has access keys.' },
  UserHasPolicies: { fault: 'caller', field: false, message: 'The RAM user still has policies attached.' },
  UserInGroups: { fault: 'caller', field: false, message: 'The RAM user still belongs to groups.' },
  AccessKeyLimitExceeded: { fault: 'caller', field: false, message: 'The RAM user has as many access keys as it may.' },
  UserAccessKeyNotFound: { fault: 'caller', field: false, message: 'The RAM user has no such access key.' },
  GroupExists: { fault: 'caller', field: false, message: 'The RAM group exists already.' },
  GroupNotFound: { fault: 'caller', field: false, message: 'The RAM group does not exist.' },
  MembershipExists: { fault: 'caller', field: false, message: 'The RAM user belongs to the group already.' },
  MembershipNotFound: { fault: 'caller', field: false, message: 'The RAM user does not belong to the group.' },
  PolicyExists: { fault: 'caller', field: false, message: 'The policy exists already.' },
  PolicyNotFound: { fault: 'caller', field: false, message: 'The policy does not exist.' },
  PolicyVersionNotFound: { fault: 'caller', field: false, message: 'The policy version does not exist.' },
  PolicyVersionLimitExceeded: { fault: 'caller', field: false, message: 'The policy has as many versions as it may.' },
  DefaultPolicyVersionUndeletable: { fault: 'caller', field: false, message: 'The default version of a policy cannot be deleted.' },
  PolicyHasVersions: { fault: 'caller', field: false, message: 'The policy still has versions besides its default.' },
  PolicyAttachedToUsers: { fault: 'caller', field: false, message: 'The policy is still attached to users.' },
  PolicyAttachedToGroups: { fault: 'caller', field: false, message: 'The policy is still attached to groups.' },
  UserPolicyAttached: { fault: 'caller', field: false, message: 'The policy is attached to the user already.' },
  GroupPolicyAttached: { fault: 'caller', field: false, message: 'The policy is attached to the group already.' },
  UserPolicyNotAttached: { fault: 'caller', field: false, message: 'The policy is not attached to the user.' },
  GroupPolicyNotAttached: { fault: 'caller', field: false, message: 'The policy is not attached to the group.' },
  /** args: what is wrong, naming the element (never more of the document than its name). */
  MalformedPolicyDocument: { fault: 'caller', field: false, message: 'The policy document is malformed: {0}' },
  Internal: { fault: 'server', field: false, message: 'Internal failure.' },
  Unavailable: { fault: 'server', field: false, message: 'The service is temporarily unavailable.' },
} as const satisfies Record<string, ErrorKindEntry>;

interface ErrorKindEntry {
  readonly fault: 'caller' | 'server';
  /** Whether the first argument names the input concerned. */
  readonly field: boolean;
  /** A neutral description for logs; `{0}`, `{1}` … are replaced by the error's arguments. */
  readonly message: string;
}

export type ErrorKind = keyof typeof ErrorKinds;

export const ERROR_KINDS: readonly ErrorKind[] = Object.keys(ErrorKinds) as ErrorKind[];

export function isErrorKind(name: string): name is ErrorKind {
  return Object.hasOwn(ErrorKinds, name);
}

function formatMessage(template: string, args: readonly string[]): string {
  return template.replace(/\{(\d+)\}/g, (_, index: string) => args[Number(index)] ?? '').trim();
}

/** A refusal from the catalog. Operations throw it; each front end turns it into its response. */
export class KmsError extends Error {
  readonly kind: ErrorKind;
  /** What the error was raised with: enough to raise the same error in another process. */
  readonly args: readonly string[];
  /** The input concerned (see the catalog's comment), for the kinds that name one. */
  readonly field: string | undefined;

  constructor(kind: ErrorKind, ...args: string[]) {
    const entry: ErrorKindEntry = ErrorKinds[kind];
    const field = entry.field ? args[0] : undefined;
    super(field === undefined ? formatMessage(entry.message, args) : `${entry.message} (${field})`);
    this.name = 'KmsError';
    this.kind = kind;
    this.args = args;
    this.field = field;
  }

  get fault(): 'caller' | 'server' {
    return ErrorKinds[this.kind].fault;
  }
}
