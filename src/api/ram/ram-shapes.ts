import type { GroupMembership, RamGroup, RamUser } from '../../domain/identity.js';
import type { AccessKeyRecord } from '../../domain/ports.js';
import type { PolicyView } from '../../operations/ram/policy-views.js';
import type { WireBody } from '../wire-action.js';

/** RAM's dates: ISO 8601 in UTC to the second (`2015-01-23T12:33:18Z`). */
export function ramDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `Active` / `Inactive`, as RAM names an access key's status. */
export function accessKeyStatus(record: AccessKeyRecord): string {
  return record.enabled ? 'Active' : 'Inactive';
}

/** A user as CreateUser, UpdateUser, GetUser and ListUsers return it. */
export function userBody(user: RamUser): WireBody {
  return {
    UserId: user.userId,
    UserName: user.userName,
    DisplayName: user.displayName,
    Email: user.email,
    MobilePhone: user.mobilePhone,
    Comments: user.comments,
    CreateDate: ramDate(user.createDate),
    UpdateDate: ramDate(user.updateDate),
  };
}

export function groupBody(group: RamGroup): WireBody {
  return { GroupId: group.groupId, GroupName: group.groupName, Comments: group.comments, CreateDate: ramDate(group.createDate) };
}

export function membershipBody({ group, joinDate }: GroupMembership): WireBody {
  return { GroupId: group.groupId, GroupName: group.groupName, Comments: group.comments, JoinDate: ramDate(joinDate) };
}

export function policyBody(policy: PolicyView): WireBody {
  return {
    PolicyName: policy.policyName,
    PolicyType: policy.policyType,
    Description: policy.description,
    DefaultVersion: policy.defaultVersion,
    CreateDate: ramDate(policy.createDate),
    UpdateDate: ramDate(policy.updateDate),
  };
}

/** A list page's paging fields: `IsTruncated`, and `Marker` when more follow. */
export function pagingBody(marker: string | undefined): WireBody {
  return marker === undefined ? { IsTruncated: false } : { IsTruncated: true, Marker: marker };
}
