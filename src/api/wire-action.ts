import type { ArnScope } from '../domain/arn.js';
import { KmsError } from '../domain/errors.js';
import type { Operation, ResourceSpecs } from '../operations/operation.js';
import type { WireParams } from './wire-params.js';

export type WireBody = Record<string, unknown>;

/** Runs one operation through the pipeline (the runner's `Call.execute`). */
export type Execute = <I, O, R extends ResourceSpecs>(operation: Operation<I, O, R>, input: I) => Promise<O>;

/**
 * One API action on the wire: how its parameters become the operation's input, and how the
 * operation's output becomes the response body (RequestId is added by the server).
 * No crypto, storage or state logic lives here.
 */
export interface WireAction<Input, Output, R extends ResourceSpecs> {
  readonly action: string;
  readonly operation: Operation<Input, Output, R>;
  /**
   * Whether the action takes `DryRun`, as Alibaba documents it for Encrypt, Decrypt, the data-key
   * actions, ReEncrypt and ExportDataKey (its `parse` then reads it). Any other action refuses
   * `DryRun=true` with InvalidParameter rather than do for real what the caller meant to try.
   */
  readonly takesDryRun?: true;
  parse(params: WireParams): Input;
  respond(output: Output, scope: ArnScope): WireBody;
}

/** Erases the generic types for the action table; each entry stays internally consistent. */
export interface AnyWireAction {
  readonly action: string;
  /** The operation's action name, which the action table test compares with `action`. */
  readonly operationAction: string;
  readonly takesDryRun: boolean;
  run(params: WireParams, execute: Execute, scope: ArnScope): Promise<WireBody>;
}

export function wireAction<Input, Output, R extends ResourceSpecs>(definition: WireAction<Input, Output, R>): AnyWireAction {
  return {
    action: definition.action,
    operationAction: definition.operation.action,
    takesDryRun: definition.takesDryRun === true,
    run: async (params, execute, scope) => {
      if (definition.takesDryRun !== true && params.dryRun()) throw new KmsError('InvalidInput', 'DryRun');
      const input = definition.parse(params);
      const output = await execute(definition.operation, input);
      return definition.respond(output, scope);
    },
  };
}
