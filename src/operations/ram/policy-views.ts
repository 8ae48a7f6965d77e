import { KmsError } from '../../domain/errors.js';
import type { PolicyRef, PolicyType, PolicyVersion } from '../../domain/identity.js';
import type { IdentityRepository } from './identity-repository.js';
import { systemPolicyNamed } from './system-policies.js';

/** A system or custom policy as the RAM actions show it. */
export interface PolicyView {
  readonly policyType: PolicyType;
  readonly policyName: string;
  readonly description: string;
  readonly defaultVersion: string;
  readonly createDate: number;
  readonly updateDate: number;
}

export interface DescribedPolicy {
  readonly policy: PolicyView;
  readonly defaultVersion: PolicyVersion;
  readonly attachmentCount: number;
}

/** The policy `ref` names, with its default version; PolicyNotFound. */
export async function describePolicy(identities: IdentityRepository, ref: PolicyRef): Promise<DescribedPolicy> {
  const versions = await policyVersions(identities, ref);
  const policy = await policyView(identities, ref);
  const defaultVersion = versions.find((version) => version.versionId === policy.defaultVersion);
  if (!defaultVersion) throw new KmsError('PolicyNotFound');
  return { policy, defaultVersion, attachmentCount: await identities.countAttachments(ref) };
}

export async function policyView(identities: IdentityRepository, ref: PolicyRef): Promise<PolicyView> {
  if (ref.policyType === 'System') {
    const system = systemPolicyNamed(ref.policyName);
    if (!system) throw new KmsError('PolicyNotFound');
    const { createDate } = system.version;
    return {
      policyType: 'System',
      policyName: system.policyName,
      description: system.description,
      defaultVersion: 'v1',
      createDate,
      updateDate: createDate,
    };
  }
  const custom = await identities.getPolicy(ref.policyName);
  if (!custom) throw new KmsError('PolicyNotFound');
  return { policyType: 'Custom', ...custom };
}

/** The policy's versions in the order they were added; PolicyNotFound. */
export async function policyVersions(identities: IdentityRepository, ref: PolicyRef): Promise<readonly PolicyVersion[]> {
  if (ref.policyType === 'System') {
    const system = systemPolicyNamed(ref.policyName);
    if (!system) throw new KmsError('PolicyNotFound');
    return [system.version];
  }
  const versions = await identities.listPolicyVersions(ref.policyName);
  if (versions.length === 0) throw new KmsError('PolicyNotFound');
  return versions;
}
