import { KmsError } from '../../domain/errors.js';
import type { WireParams } from '../wire-params.js';

/** RAM's MaxItems: 1 to 1000, 100 when absent (ListUsers, ListPolicies). */
export function maxItemsOf(params: WireParams): number {
  const value = params.optionalInteger('MaxItems') ?? 100;
  if (value < 1 || value > 1000) throw new KmsError('InvalidInput', 'MaxItems');
  return value;
}

/** An optional text parameter, '' when absent. */
export function textOf(params: WireParams, name: string): string {
  return params.optional(name) ?? '';
}

/** An optional text parameter that, when present, replaces a value (UpdateUser's New* parameters). */
export function replacementOf(params: WireParams, name: string): string | undefined {
  return params.has(name) ? (params.optional(name) ?? '') : undefined;
}
