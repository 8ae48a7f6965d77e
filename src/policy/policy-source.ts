/** One identity policy in force for a RAM user, as the store holds it. */
export interface AttachedPolicy {
  readonly policyType: 'System' | 'Custom';
  readonly policyName: string;
  /** The policy's default version, the one in force. */
  readonly versionId: string;
  /** The default version's document, as JSON text (the evaluator compiles and caches it by its text). */
  readonly document: string;
}

/**
 * Where the authorisation point learns a RAM user's identity policies. The RAM half of Arca
 * implements it over its store; it is read on every request of a RAM user, so a detached or
 * edited policy and a removed group membership take effect on the next request, in every worker.
 */
export interface PolicySource {
  /** A RAM user's identity policies: attached to the user directly and through each of its groups. */
  policiesOfUser(userArn: string): Promise<readonly AttachedPolicy[]>;
}

/** A `PolicySource` held in memory, for tests: policies attached to users and to groups. */
export class InMemoryPolicySource implements PolicySource {
  readonly #userPolicies = new Map<string, AttachedPolicy[]>();
  readonly #groupPolicies = new Map<string, AttachedPolicy[]>();
  readonly #groupsOfUser = new Map<string, Set<string>>();

  attachToUser(userArn: string, policy: AttachedPolicy): void {
    this.#listOf(this.#userPolicies, userArn).push(policy);
  }

  attachToGroup(groupName: string, policy: AttachedPolicy): void {
    this.#listOf(this.#groupPolicies, groupName).push(policy);
  }

  detachFromUser(userArn: string, policyName: string): void {
    const list = this.#userPolicies.get(userArn);
    if (list)
      this.#userPolicies.set(
        userArn,
        list.filter((policy) => policy.policyName !== policyName),
      );
  }

  addUserToGroup(userArn: string, groupName: string): void {
    const groups = this.#groupsOfUser.get(userArn) ?? new Set<string>();
    groups.add(groupName);
    this.#groupsOfUser.set(userArn, groups);
  }

  removeUserFromGroup(userArn: string, groupName: string): void {
    this.#groupsOfUser.get(userArn)?.delete(groupName);
  }

  policiesOfUser(userArn: string): Promise<readonly AttachedPolicy[]> {
    const direct = this.#userPolicies.get(userArn) ?? [];
    const throughGroups = [...(this.#groupsOfUser.get(userArn) ?? [])].flatMap((group) => this.#groupPolicies.get(group) ?? []);
    return Promise.resolve([...direct, ...throughGroups]);
  }

  #listOf(map: Map<string, AttachedPolicy[]>, name: string): AttachedPolicy[] {
    const list = map.get(name) ?? [];
    map.set(name, list);
    return list;
  }
}
