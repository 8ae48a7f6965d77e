import { KmsError } from '../domain/errors.js';
import type { Clock } from '../domain/ports.js';
import type { Execute } from '../api/wire-action.js';
import type { Call } from '../pipeline/runner.js';
import type { AwsScope } from './aws-arn.js';
import type { AwsParams } from './aws-params.js';
import type { AwsBody } from './aws-shapes.js';

/** What an AWS action has to work with: the runner's execute, the AWS scope, the clock. */
export interface AwsActionContext {
  /** Resolves, authorises, runs and audits one operation (the runner's `Call.execute`). */
  readonly execute: Execute;
  /** The key the last operation resolved for a role (`Call.resolvedKey`). */
  readonly resolvedKey: Call['resolvedKey'];
  readonly scope: AwsScope;
  readonly clock: Clock;
}

/**
 * One operation of the AWS KMS API (`X-Amz-Target: TrentService.<name>`): reads the JSON body,
 * runs one of Arca's operations through the runner, and shapes AWS's answer. No crypto, storage
 * or state logic lives here. `actions` are the RAM actions (`kms:<Action>`) it runs, the first
 * being the one that names the request in the audit trail until the operation runs.
 */
export interface AwsAction {
  readonly name: string;
  readonly actions: readonly [string, ...string[]];
  run(params: AwsParams, context: AwsActionContext): Promise<AwsBody>;
}

export function awsAction(definition: AwsAction): AwsAction {
  return definition;
}

/** The answer of an operation AWS gives no output for. */
export const noOutput = (): AwsBody => ({});

/** The id of the key the last operation resolved as its `key` (what a KeyId output names). */
export function resolvedKeyId(context: AwsActionContext): string {
  const resolved = context.resolvedKey('key');
  // Every operation that answers with a KeyId declares a key resource: its absence is a bug.
  if (resolved === undefined) throw new KmsError('Internal');
  return resolved.keyId;
}
