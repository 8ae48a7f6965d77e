import type { PolicyVersion } from '../../domain/identity.js';

/** A policy Arca provides, as RAM's system policies: readable and attachable, never changed by callers. */
export interface SystemPolicy {
  readonly policyName: string;
  readonly description: string;
  readonly version: PolicyVersion;
}

/** When Arca's system policies were written, as their CreateDate and UpdateDate. */
const SYSTEM_POLICY_DATE = Date.UTC(2026, 0, 1);

function systemPolicy(policyName: string, description: string, statement: object): SystemPolicy {
  const document = JSON.stringify({ Version: '1', Statement: [statement] });
  return { policyName, description, version: { versionId: 'v1', document, createDate: SYSTEM_POLICY_DATE } };
}

/**
 * The system policies Arca knows, with the documents Alibaba publishes for them (KMS "System
 * policies", alibabacloud.com/help/en/kms/key-management-service/security-and-compliance/kms-1;
 * RAM's own AliyunRAMFullAccess). AliyunKMSReadOnlyAccess and AliyunKMSCryptoUserAccess are not
 * here: their published documents could not be checked word for word, and a system policy that
 * grants more or less than Alibaba's would mislead exactly the callers who rely on its name.
 */
const SYSTEM_POLICIES: readonly SystemPolicy[] = [
  systemPolicy('AliyunKMSFullAccess', 'Provides full access to Key Management Service(KMS) via Management Console.', {
    Action: 'kms:*',
    Resource: '*',
    Effect: 'Allow',
  }),
  systemPolicy('AliyunRAMFullAccess', 'Provides full access to Resource Access Management(RAM) via Management Console.', {
    Action: 'ram:*',
    Resource: '*',
    Effect: 'Allow',
  }),
];

const BY_NAME: ReadonlyMap<string, SystemPolicy> = new Map(SYSTEM_POLICIES.map((policy) => [policy.policyName, policy]));

export function systemPolicyNamed(policyName: string): SystemPolicy | undefined {
  return BY_NAME.get(policyName);
}

/** Every system policy, ordered by name. */
export function systemPolicies(): readonly SystemPolicy[] {
  return [...SYSTEM_POLICIES].sort((a, b) => (a.policyName < b.policyName ? -1 : 1));
}
