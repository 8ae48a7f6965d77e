/**
 * RAM policy documents as Alibaba's RAM defines them (`{"Version":"1","Statement":[…]}`), read
 * and validated strictly: whatever is not in RAM's grammar is refused with a message that names
 * it, never ignored. The same reader reads key policies, whose statements also carry a
 * `Principal` (`{"RAM": […]}`). Pure: no I/O, no wire.
 *
 * The grammar (RAM "Policy structure and syntax" and "Policy elements"; KMS "Key policy"):
 * - top level: `Version` (only `"1"`) and `Statement` (a non-empty array), nothing else;
 * - a statement: `Effect` (`Allow` | `Deny`), exactly one of `Action` / `NotAction`, `Resource`,
 *   optional `Condition`, optional `Sid`; in a key policy also `Principal`, which an identity
 *   policy may not have. RAM has no `NotResource`: it is refused as an unknown element;
 * - `Action`, `Resource` and the values of a condition are a string or a non-empty array;
 * - an action is `*` or `<ram-code>:<action-name>`; a resource is `*` or an Arn
 *   `acs:<service>:<region>:<account>:<relative-id>`; both may hold `*` and `?` wildcards;
 * - `Condition` maps an operator of RAM's list to a map of condition keys to values, and each
 *   value must be one the operator can compare (a number, a date, a boolean, an address).
 */

/** RAM's limit on the text of a custom policy (RAM limits page: characters a custom policy can contain). */
export const POLICY_DOCUMENT_MAX_LENGTH = 6144;
/** KMS's limit on a key policy: 32,768 bytes (KMS "Configure a key policy"). */
export const KEY_POLICY_MAX_BYTES = 32_768;

export type Effect = 'Allow' | 'Deny';

/** RAM's condition operators (RAM "Conditional operators"); RAM documents no IfExists forms. */
export const CONDITION_OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'Bool',
  'IpAddress',
  'NotIpAddress',
] as const;

export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

/** One key under one operator: true when the request's value matches any of `values`. */
export interface ConditionClause {
  readonly operator: ConditionOperator;
  /** The condition key as written (`acs:SourceIp`, `kms:tag/team`). */
  readonly key: string;
  /** The values as written, each as a string (numbers and booleans in their JSON text). */
  readonly values: readonly string[];
}

/** Which actions a statement covers: those matching `patterns`, or (`NotAction`) all others. */
export interface ActionMatch {
  readonly negated: boolean;
  readonly patterns: readonly string[];
}

export interface PolicyStatement {
  readonly sid: string | undefined;
  readonly effect: Effect;
  readonly actions: ActionMatch;
  readonly resources: readonly string[];
  /** A key policy's `Principal.RAM` list; undefined in an identity policy. */
  readonly principals: readonly string[] | undefined;
  /** Every clause must hold for the statement to apply (an empty list always holds). */
  readonly conditions: readonly ConditionClause[];
}

export interface PolicyDocument {
  readonly version: '1';
  readonly statements: readonly PolicyStatement[];
}

const MAX_FIELD_LENGTH = 200;

/**
 * A document that RAM's grammar refuses. `field` names the offending element as a path
 * (`Statement[1].Condition.StringEqual`), and the message says what is wrong with it; neither
 * ever holds more of the document than the element's name.
 */
export class PolicyDocumentError extends Error {
  readonly field: string;

  constructor(field: string, problem: string) {
    // A path holds names from the document (an unknown element's, a condition key's): bounded,
    // so that a refusal never echoes a large part of what was sent.
    const bounded = field.length > MAX_FIELD_LENGTH ? `${field.slice(0, MAX_FIELD_LENGTH)}…` : field;
    super(`${bounded}: ${problem}`);
    this.name = 'PolicyDocumentError';
    this.field = bounded;
  }
}

/** Reads an identity policy (a RAM user's or group's): a statement may not name a Principal. */
export function parsePolicyDocument(text: string): PolicyDocument {
  if (text.length > POLICY_DOCUMENT_MAX_LENGTH) {
    throw new PolicyDocumentError('PolicyDocument', `is longer than ${POLICY_DOCUMENT_MAX_LENGTH} characters`);
  }
  return readDocument(text, 'identity');
}

/** Reads a key policy: every statement names its principals in `Principal.RAM`. */
export function parseKeyPolicyDocument(text: string): PolicyDocument {
  if (Buffer.byteLength(text, 'utf8') > KEY_POLICY_MAX_BYTES) {
    throw new PolicyDocumentError('Policy', `is longer than ${KEY_POLICY_MAX_BYTES} bytes`);
  }
  return readDocument(text, 'key');
}

type DocumentKind = 'identity' | 'key';
type JsonObject = Readonly<Record<string, unknown>>;

const TOP_LEVEL_ELEMENTS = ['Version', 'Statement'];
const STATEMENT_ELEMENTS = ['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'Condition'];
const KEY_STATEMENT_ELEMENTS = [...STATEMENT_ELEMENTS, 'Principal'];

function readDocument(text: string, kind: DocumentKind): PolicyDocument {
  const root = parseJson(text);
  const document = asObject(root, 'the document');
  refuseUnknownElements(document, TOP_LEVEL_ELEMENTS, '');
  if (!('Version' in document)) throw new PolicyDocumentError('Version', 'is required');
  if (document.Version !== '1') throw new PolicyDocumentError('Version', 'must be "1"');
  if (!('Statement' in document)) throw new PolicyDocumentError('Statement', 'is required');
  const statements = document.Statement;
  if (!Array.isArray(statements)) throw new PolicyDocumentError('Statement', 'must be an array of statements');
  if (statements.length === 0) throw new PolicyDocumentError('Statement', 'must hold at least one statement');
  return { version: '1', statements: statements.map((statement, index) => readStatement(statement, `Statement[${index}]`, kind)) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new PolicyDocumentError('PolicyDocument', 'is not valid JSON');
  }
}

function asObject(value: unknown, field: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PolicyDocumentError(field, 'must be a JSON object');
  }
  return value as JsonObject;
}

function refuseUnknownElements(object: JsonObject, known: readonly string[], path: string): void {
  for (const name of Object.keys(object)) {
    if (!known.includes(name)) throw new PolicyDocumentError(`${path}${name}`, 'is not an element RAM knows');
  }
}

function readStatement(value: unknown, path: string, kind: DocumentKind): PolicyStatement {
  const statement = asObject(value, path);
  refuseUnknownElements(statement, kind === 'key' ? KEY_STATEMENT_ELEMENTS : STATEMENT_ELEMENTS, `${path}.`);
  return {
    sid: readSid(statement, path),
    effect: readEffect(statement, path),
    actions: readActions(statement, path),
    resources: readResources(statement, path),
    principals: kind === 'key' ? readPrincipals(statement, path) : undefined,
    conditions: 'Condition' in statement ? readConditions(statement.Condition, `${path}.Condition`) : [],
  };
}

function readSid(statement: JsonObject, path: string): string | undefined {
  if (!('Sid' in statement)) return undefined;
  if (typeof statement.Sid !== 'string') throw new PolicyDocumentError(`${path}.Sid`, 'must be a string');
  return statement.Sid;
}

function readEffect(statement: JsonObject, path: string): Effect {
  if (!('Effect' in statement)) throw new PolicyDocumentError(`${path}.Effect`, 'is required');
  const effect = statement.Effect;
  if (effect !== 'Allow' && effect !== 'Deny') throw new PolicyDocumentError(`${path}.Effect`, 'must be "Allow" or "Deny"');
  return effect;
}

// `<ram-code>:<action-name>`, with wildcards in either part (`kms:*`, `kms:Describe*`, `*:List*`).
const ACTION_PATTERN = /^(?:\*|[A-Za-z0-9*?-]+:[A-Za-z0-9*?_-]+)$/;

function readActions(statement: JsonObject, path: string): ActionMatch {
  const hasAction = 'Action' in statement;
  const hasNotAction = 'NotAction' in statement;
  if (hasAction && hasNotAction) throw new PolicyDocumentError(`${path}.NotAction`, 'cannot stand beside Action in one statement');
  if (!hasAction && !hasNotAction) throw new PolicyDocumentError(`${path}.Action`, 'is required (or NotAction)');
  const element = hasAction ? 'Action' : 'NotAction';
  const patterns = readStringList(statement[element], `${path}.${element}`);
  patterns.forEach((pattern, index) => {
    if (!ACTION_PATTERN.test(pattern)) {
      throw new PolicyDocumentError(`${path}.${element}[${index}]`, 'is not an action of the form <ram-code>:<action-name>');
    }
  });
  return { negated: !hasAction, patterns };
}

function readResources(statement: JsonObject, path: string): readonly string[] {
  if (!('Resource' in statement)) throw new PolicyDocumentError(`${path}.Resource`, 'is required');
  const resources = readStringList(statement.Resource, `${path}.Resource`);
  resources.forEach((resource, index) => {
    if (!isResourcePattern(resource)) {
      throw new PolicyDocumentError(
        `${path}.Resource[${index}]`,
        'is not an Arn of the form acs:<service>:<region>:<account>:<relative-id>',
      );
    }
  });
  return resources;
}

/** `*`, or `acs:<service>:<region>:<account>:<relative-id>` (the relative id may hold colons). */
function isResourcePattern(resource: string): boolean {
  if (resource === '*') return true;
  const parts = resource.split(':');
  if (parts.length < 5 || parts[0] !== 'acs') return false;
  const [, service = '', region = '', account = ''] = parts;
  const relativeId = parts.slice(4).join(':');
  return /^[a-z0-9*?-]+$/i.test(service) && /^[a-z0-9*?-]*$/i.test(region) && /^[A-Za-z0-9*?_-]*$/.test(account) && relativeId.length > 0;
}

// A RAM principal of a key policy: the account (`acs:ram::<account>:*`, as the default key policy
// writes it), or one RAM user or role of an account.
const PRINCIPAL_PATTERN = /^acs:ram::[A-Za-z0-9_-]+:(?:\*|user\/[A-Za-z0-9._@-]+|role\/[A-Za-z0-9._@-]+)$/;

function readPrincipals(statement: JsonObject, path: string): readonly string[] {
  if (!('Principal' in statement)) throw new PolicyDocumentError(`${path}.Principal`, 'is required in a key policy');
  const principal = asObject(statement.Principal, `${path}.Principal`);
  refuseUnknownElements(principal, ['RAM'], `${path}.Principal.`);
  if (!('RAM' in principal)) throw new PolicyDocumentError(`${path}.Principal.RAM`, 'is required');
  const principals = readStringList(principal.RAM, `${path}.Principal.RAM`);
  principals.forEach((entry, index) => {
    if (!PRINCIPAL_PATTERN.test(entry)) {
      throw new PolicyDocumentError(
        `${path}.Principal.RAM[${index}]`,
        'is not a RAM principal (acs:ram::<account>:*, acs:ram::<account>:user/<name> or acs:ram::<account>:role/<name>)',
      );
    }
  });
  return principals;
}

function readStringList(value: unknown, path: string): readonly string[] {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) throw new PolicyDocumentError(path, 'must be a string or an array of strings');
  if (value.length === 0) throw new PolicyDocumentError(path, 'must not be an empty array');
  return value.map((entry, index) => {
    if (typeof entry !== 'string') throw new PolicyDocumentError(`${path}[${index}]`, 'must be a string');
    return entry;
  });
}

// `<prefix>:<name>`: `acs:SourceIp`, `kms:tag/team`, `kms:EncryptionContext:purpose`.
const CONDITION_KEY_PATTERN = /^[A-Za-z0-9-]+:[^\s]+$/;

function readConditions(value: unknown, path: string): readonly ConditionClause[] {
  const block = asObject(value, path);
  const clauses: ConditionClause[] = [];
  for (const [operatorName, keys] of Object.entries(block)) {
    const operatorPath = `${path}.${operatorName}`;
    if (!isConditionOperator(operatorName)) throw new PolicyDocumentError(operatorPath, 'is not a condition operator RAM knows');
    const keyMap = asObject(keys, operatorPath);
    if (Object.keys(keyMap).length === 0) throw new PolicyDocumentError(operatorPath, 'must name at least one condition key');
    for (const [key, values] of Object.entries(keyMap)) {
      const keyPath = `${operatorPath}.${key}`;
      if (!CONDITION_KEY_PATTERN.test(key)) throw new PolicyDocumentError(keyPath, 'is not a condition key of the form <prefix>:<name>');
      const list = readConditionValues(values, keyPath);
      list.forEach((entry, index) => checkConditionValue(operatorName, entry, `${keyPath}[${index}]`));
      clauses.push({ operator: operatorName, key, values: list });
    }
  }
  return clauses;
}

function isConditionOperator(name: string): name is ConditionOperator {
  return (CONDITION_OPERATORS as readonly string[]).includes(name);
}

function readConditionValues(value: unknown, path: string): readonly string[] {
  const entries = Array.isArray(value) ? value : [value];
  if (entries.length === 0) throw new PolicyDocumentError(path, 'must not be an empty array');
  return entries.map((entry: unknown, index) => {
    if (typeof entry === 'string') return entry;
    if (typeof entry === 'number' && Number.isFinite(entry)) return String(entry);
    if (typeof entry === 'boolean') return String(entry);
    throw new PolicyDocumentError(Array.isArray(value) ? `${path}[${index}]` : path, 'must be a string, a number or a boolean');
  });
}

function checkConditionValue(operator: ConditionOperator, value: string, path: string): void {
  if (operator.startsWith('Numeric') && parseConditionNumber(value) === undefined) {
    throw new PolicyDocumentError(path, `is not a number, which ${operator} compares`);
  }
  if (operator.startsWith('Date') && parseConditionDate(value) === undefined) {
    throw new PolicyDocumentError(path, `is not a date (ISO 8601), which ${operator} compares`);
  }
  if (operator === 'Bool' && parseConditionBoolean(value) === undefined) {
    throw new PolicyDocumentError(path, 'is not true or false, which Bool compares');
  }
  if ((operator === 'IpAddress' || operator === 'NotIpAddress') && parseAddressRange(value) === undefined) {
    throw new PolicyDocumentError(path, `is not an IP address or CIDR block, which ${operator} compares`);
  }
}

/** A decimal number as a condition writes it; undefined when it is not one. */
export function parseConditionNumber(value: string): number | undefined {
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(value.trim())) return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

// ISO 8601 as RAM's examples write it: `2019-08-12T17:00:00+08:00`, `2019-08-12T09:00:00Z`, a
// bare date, or fractional seconds.
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** Milliseconds since the epoch of an ISO 8601 date; undefined when it is not one. */
export function parseConditionDate(value: string): number | undefined {
  if (!ISO_DATE.test(value)) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}

export function parseConditionBoolean(value: string): boolean | undefined {
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  return undefined;
}

/** An IPv4 or IPv6 address range: the address's bits and how many of them must match. */
export interface AddressRange {
  readonly family: 4 | 6;
  readonly bits: bigint;
  readonly prefixLength: number;
}

/** `203.0.113.5`, `116.62.0.0/24`, `2001:db8::/32`; undefined when the text is neither. */
export function parseAddressRange(text: string): AddressRange | undefined {
  const slash = text.indexOf('/');
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const address = parseIpAddress(addressText);
  if (!address) return undefined;
  const width = address.family === 4 ? 32 : 128;
  if (slash === -1) return { ...address, prefixLength: width };
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefixLength = Number(prefixText);
  if (prefixLength > width) return undefined;
  return { ...address, prefixLength };
}

/** An IPv4 or IPv6 address as bits (an IPv4-mapped IPv6 address is read as its IPv4 address). */
export function parseIpAddress(text: string): { readonly family: 4 | 6; readonly bits: bigint } | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 4, bits: v4 };
  const v6 = parseIpv6(text);
  if (v6 === undefined) return undefined;
  const mappedPrefix = 0xffffn << 32n;
  if (v6 >> 32n === 0xffffn) return { family: 4, bits: v6 - mappedPrefix };
  return { family: 6, bits: v6 };
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let bits = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    bits = (bits << 8n) | BigInt(octet);
  }
  return bits;
}

function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] === '' ? [] : (halves[0] ?? '').split(':');
  const tail = halves.length === 2 ? (halves[1] === '' ? [] : (halves[1] ?? '').split(':')) : [];
  const groups = [...head, ...tail];
  // An embedded IPv4 address (`::ffff:203.0.113.5`) stands for the last two groups.
  const last = groups[groups.length - 1];
  let trailing: bigint[] = [];
  if (last !== undefined && last.includes('.')) {
    if (halves.length === 2 && tail.length === 0) return undefined;
    const v4 = parseIpv4(last);
    if (v4 === undefined) return undefined;
    trailing = [v4 >> 16n, v4 & 0xffffn];
    if (tail.length > 0) tail.pop();
    else head.pop();
  }
  const words = [...head, ...tail];
  if (!words.every((word) => /^[0-9A-Fa-f]{1,4}$/.test(word))) return undefined;
  const present = words.length + trailing.length;
  if (halves.length === 1 ? present !== 8 : present > 7) return undefined;
  const zeros: bigint[] = Array.from({ length: 8 - present }, () => 0n);
  const all = [
    ...head.map((word) => BigInt(`0x${word}`)),
    ...(halves.length === 2 ? zeros : []),
    ...tail.map((word) => BigInt(`0x${word}`)),
    ...trailing,
  ];
  return all.reduce((bits, word) => (bits << 16n) | word, 0n);
}
