import { listResourceTags } from '../../operations/list-resource-tags.js';
import { wireAction } from '../wire-action.js';

export const listResourceTagsAction = wireAction({
  action: 'ListResourceTags',
  operation: listResourceTags,
  parse: (params) => ({ key: params.keyReference('KeyId') }),
  respond: (output) => ({
    Tags: { Tag: output.tags.map((tag) => ({ KeyId: output.keyId, TagKey: tag.tagKey, TagValue: tag.tagValue })) },
  }),
});
