import type { RamUser } from '../../domain/identity.js';
import { defineOperation, resource } from '../operation.js';

export interface ListInput {
  /** Where the previous page ended (its `marker`); the first page when absent. */
  readonly marker?: string;
  readonly maxItems: number;
}

export interface ListedPage<T> {
  readonly items: readonly T[];
  /** Set when more follow: the marker of the next page. */
  readonly marker?: string;
}

export const listUsers = defineOperation({
  action: 'ram:ListUsers',
  resources: () => ({ users: resource.user('*') }),
  async run(context, input: ListInput): Promise<ListedPage<RamUser>> {
    // One more than asked for says whether another page follows.
    const users = await context.identities.listUsers(input.marker, input.maxItems + 1);
    const items = users.slice(0, input.maxItems);
    const last = items[items.length - 1];
    return users.length > input.maxItems && last ? { items, marker: last.userName } : { items };
  },
});
