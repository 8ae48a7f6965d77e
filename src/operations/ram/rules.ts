import { KmsError } from '../../domain/errors.js';
import { PolicyType } from '../../domain/identity.js';
import { parsePolicyDocument, PolicyDocumentError } from '../../policy/document.js';

// RAM's rules for names and texts (RAM API reference, 2015-05-01: CreateUser, CreateGroup,
// CreatePolicy; the RAM error center, doc-detail/28754). A value that breaks one is refused with
// InvalidInput naming its field.

const USER_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const GROUP_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const POLICY_NAME = /^[A-Za-z0-9-]{1,128}$/;
const DISPLAY_NAME = /^[\p{L}\p{N}@._-]{1,128}$/u;
const MOBILE_PHONE = /^[0-9]{1,4}-[0-9]{1,20}$/;
const VERSION_ID = /^v[1-9][0-9]{0,8}$/;
const MAX_COMMENTS = 128;
const MAX_EMAIL = 128;
const MAX_POLICY_DESCRIPTION = 1024;

function requireMatch(value: string, pattern: RegExp, field: string): void {
  if (!pattern.test(value)) throw new KmsError('InvalidInput', field);
}

function requireAtMost(value: string, length: number, field: string): void {
  if ([...value].length > length) throw new KmsError('InvalidInput', field);
}

export function requireUserName(value: string, field = 'userName'): void {
  requireMatch(value, USER_NAME, field);
}

export function requireGroupName(value: string): void {
  requireMatch(value, GROUP_NAME, 'groupName');
}

export function requirePolicyName(value: string): void {
  requireMatch(value, POLICY_NAME, 'policyName');
}

export function requireVersionId(value: string): void {
  requireMatch(value, VERSION_ID, 'versionId');
}

/** The optional texts of a user, as CreateUser and UpdateUser take them ('' = not given). */
export interface UserTexts {
  readonly displayName: string;
  readonly email: string;
  readonly mobilePhone: string;
  readonly comments: string;
}

export function requireUserTexts(texts: Partial<UserTexts>, fields: Record<keyof UserTexts, string>): void {
  if (texts.displayName) requireMatch(texts.displayName, DISPLAY_NAME, fields.displayName);
  if (texts.mobilePhone) requireMatch(texts.mobilePhone, MOBILE_PHONE, fields.mobilePhone);
  if (texts.email) requireAtMost(texts.email, MAX_EMAIL, fields.email);
  if (texts.comments) requireAtMost(texts.comments, MAX_COMMENTS, fields.comments);
}

export function requireComments(value: string): void {
  requireAtMost(value, MAX_COMMENTS, 'comments');
}

export function requirePolicyDescription(value: string): void {
  requireAtMost(value, MAX_POLICY_DESCRIPTION, 'description');
}

/** PolicyType is `System` or `Custom`, exactly. */
export function policyTypeOf(value: string): PolicyType {
  if (value === PolicyType.System || value === PolicyType.Custom) return value;
  throw new KmsError('InvalidInput', 'policyType');
}

/** A policy document RAM's grammar accepts, or MalformedPolicyDocument naming what is wrong. */
export function requirePolicyDocument(text: string): void {
  try {
    parsePolicyDocument(text);
  } catch (error) {
    if (error instanceof PolicyDocumentError) throw new KmsError('MalformedPolicyDocument', error.message);
    throw error;
  }
}
