import {
  parseAddressRange,
  parseConditionBoolean,
  parseConditionDate,
  parseConditionNumber,
  parseIpAddress,
  type AddressRange,
  type ConditionClause,
  type ConditionOperator,
} from './document.js';
import { wildcardMatcher } from './wildcard.js';

/**
 * The condition keys a request carries. `valuesOf` takes a key in lower case (condition key
 * names compare without regard to case, as in RAM and IAM) and answers undefined when the
 * request does not carry the key at all.
 */
export interface ConditionValues {
  valuesOf(lowerCaseKey: string): readonly string[] | undefined;
}

/** A condition clause made ready to test against a request. */
export type CompiledCondition = (values: ConditionValues) => boolean;

/** How one request value compares with one policy value; undefined when the policy value cannot be read. */
type ValueTest = (requestValue: string) => boolean;

/**
 * Each operator is a positive test, or the negation of one. The decision table (ADR 25):
 * - key absent from the request: a positive operator is false, a negated one is true;
 * - key present: a positive operator holds when any request value matches any policy value; a
 *   negated operator holds when the positive one does not (no request value matches any policy
 *   value). A request value the operator cannot read (a word under Numeric*, a bad address under
 *   IpAddress) matches nothing.
 */
const OPERATORS: Readonly<Record<ConditionOperator, { readonly negated: boolean; readonly test: (policyValue: string) => ValueTest }>> = {
  StringEquals: { negated: false, test: (policy) => (value) => value === policy },
  StringNotEquals: { negated: true, test: (policy) => (value) => value === policy },
  StringEqualsIgnoreCase: { negated: false, test: equalsIgnoringCase },
  StringNotEqualsIgnoreCase: { negated: true, test: equalsIgnoringCase },
  StringLike: { negated: false, test: (policy) => wildcardMatcher(policy, { ignoreCase: false }) },
  StringNotLike: { negated: true, test: (policy) => wildcardMatcher(policy, { ignoreCase: false }) },
  NumericEquals: { negated: false, test: numeric((value, policy) => value === policy) },
  NumericNotEquals: { negated: true, test: numeric((value, policy) => value === policy) },
  NumericLessThan: { negated: false, test: numeric((value, policy) => value < policy) },
  NumericLessThanEquals: { negated: false, test: numeric((value, policy) => value <= policy) },
  NumericGreaterThan: { negated: false, test: numeric((value, policy) => value > policy) },
  NumericGreaterThanEquals: { negated: false, test: numeric((value, policy) => value >= policy) },
  DateEquals: { negated: false, test: date((value, policy) => value === policy) },
  DateNotEquals: { negated: true, test: date((value, policy) => value === policy) },
  DateLessThan: { negated: false, test: date((value, policy) => value < policy) },
  DateLessThanEquals: { negated: false, test: date((value, policy) => value <= policy) },
  DateGreaterThan: { negated: false, test: date((value, policy) => value > policy) },
  DateGreaterThanEquals: { negated: false, test: date((value, policy) => value >= policy) },
  Bool: { negated: false, test: boolean },
  IpAddress: { negated: false, test: inRange },
  NotIpAddress: { negated: true, test: inRange },
};

/** Whether `operator` is one that holds when the key is absent (a negated operator). */
export function isNegatedOperator(operator: ConditionOperator): boolean {
  return OPERATORS[operator].negated;
}

export function compileCondition(clause: ConditionClause): CompiledCondition {
  const { negated, test } = OPERATORS[clause.operator];
  const tests = clause.values.map(test);
  const key = clause.key.toLowerCase();
  return (values) => {
    const requestValues = values.valuesOf(key);
    if (requestValues === undefined) return negated;
    const matched = requestValues.some((value) => tests.some((matches) => matches(value)));
    return negated ? !matched : matched;
  };
}

function equalsIgnoringCase(policy: string): ValueTest {
  const lower = policy.toLowerCase();
  return (value) => value.toLowerCase() === lower;
}

function numeric(compare: (value: number, policy: number) => boolean): (policy: string) => ValueTest {
  return (policyText) => {
    // The document was validated on write: every Numeric* value reads as a number.
    const policy = parseConditionNumber(policyText) ?? Number.NaN;
    return (valueText) => {
      const value = parseConditionNumber(valueText);
      return value !== undefined && compare(value, policy);
    };
  };
}

function date(compare: (value: number, policy: number) => boolean): (policy: string) => ValueTest {
  return (policyText) => {
    const policy = parseConditionDate(policyText) ?? Number.NaN;
    return (valueText) => {
      const value = parseConditionDate(valueText);
      return value !== undefined && compare(value, policy);
    };
  };
}

function boolean(policyText: string): ValueTest {
  const policy = parseConditionBoolean(policyText);
  return (valueText) => {
    const value = parseConditionBoolean(valueText);
    return value !== undefined && value === policy;
  };
}

function inRange(policyText: string): ValueTest {
  const range = parseAddressRange(policyText);
  return (valueText) => {
    const address = parseIpAddress(valueText);
    return range !== undefined && address !== undefined && addressInRange(address, range);
  };
}

function addressInRange(address: { readonly family: 4 | 6; readonly bits: bigint }, range: AddressRange): boolean {
  if (address.family !== range.family) return false;
  const width = BigInt(range.family === 4 ? 32 : 128);
  const shift = width - BigInt(range.prefixLength);
  return address.bits >> shift === range.bits >> shift;
}
