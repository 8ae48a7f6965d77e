import { describeRegions } from '../../operations/describe-regions.js';
import { wireAction } from '../wire-action.js';

export const describeRegionsAction = wireAction({
  action: 'DescribeRegions',
  operation: describeRegions,
  parse: () => undefined,
  respond: (regions) => ({ Regions: { Region: regions.map((regionId) => ({ RegionId: regionId })) } }),
});
