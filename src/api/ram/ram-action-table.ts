import type { AnyWireAction } from '../wire-action.js';
import { addUserToGroupAction } from './actions/add-user-to-group.js';
import { attachPolicyToGroupAction } from './actions/attach-policy-to-group.js';
import { attachPolicyToUserAction } from './actions/attach-policy-to-user.js';
import { createAccessKeyAction } from './actions/create-access-key.js';
import { createGroupAction } from './actions/create-group.js';
import { createPolicyAction } from './actions/create-policy.js';
import { createPolicyVersionAction } from './actions/create-policy-version.js';
import { createUserAction } from './actions/create-user.js';
import { deleteAccessKeyAction } from './actions/delete-access-key.js';
import { deletePolicyAction } from './actions/delete-policy.js';
import { deletePolicyVersionAction } from './actions/delete-policy-version.js';
import { deleteUserAction } from './actions/delete-user.js';
import { detachPolicyFromGroupAction } from './actions/detach-policy-from-group.js';
import { detachPolicyFromUserAction } from './actions/detach-policy-from-user.js';
import { getPolicyAction } from './actions/get-policy.js';
import { getUserAction } from './actions/get-user.js';
import { listAccessKeysAction } from './actions/list-access-keys.js';
import { listGroupsForUserAction } from './actions/list-groups-for-user.js';
import { listPoliciesAction } from './actions/list-policies.js';
import { listPoliciesForUserAction } from './actions/list-policies-for-user.js';
import { listPolicyVersionsAction } from './actions/list-policy-versions.js';
import { listUsersAction } from './actions/list-users.js';
import { removeUserFromGroupAction } from './actions/remove-user-from-group.js';
import { updateAccessKeyAction } from './actions/update-access-key.js';
import { updateUserAction } from './actions/update-user.js';

/** The RAM API's version: a request naming it is a RAM action (docs/adr/0027). */
export const RAM_API_VERSION = '2015-05-01';

/**
 * Every RAM action the endpoint answers, listed by hand; any other action name with RAM's
 * version does not exist here. Each runs as `ram:<Action>` through the same runner as the KMS
 * actions, so it is authorised and audited like them.
 */
const RAM_ACTIONS: readonly AnyWireAction[] = [
  createUserAction,
  getUserAction,
  updateUserAction,
  listUsersAction,
  deleteUserAction,
  createAccessKeyAction,
  updateAccessKeyAction,
  listAccessKeysAction,
  deleteAccessKeyAction,
  createPolicyAction,
  getPolicyAction,
  listPoliciesAction,
  deletePolicyAction,
  createPolicyVersionAction,
  listPolicyVersionsAction,
  deletePolicyVersionAction,
  attachPolicyToUserAction,
  detachPolicyFromUserAction,
  listPoliciesForUserAction,
  createGroupAction,
  addUserToGroupAction,
  removeUserFromGroupAction,
  attachPolicyToGroupAction,
  detachPolicyFromGroupAction,
  listGroupsForUserAction,
];

export const RAM_ACTION_TABLE: ReadonlyMap<string, AnyWireAction> = new Map(RAM_ACTIONS.map((entry) => [entry.action, entry]));
