import type { ArnScope } from '../domain/arn.js';
import type { Operation } from '../operations/operation.js';
import type { WireParams } from './wire-params.js';

export type WireBody = Record<string, unknown>;

/**
 * One API action on the wire: how its parameters become the operation's input, and how the
 * operation's output becomes the response body (RequestId is added by the server).
 * No crypto, storage or state logic lives here.
 */
export interface WireAction<Input, Output> {
  readonly action: string;
  readonly operation: Operation<Input, Output>;
  parse(params: WireParams): Input;
  respond(output: Output, scope: ArnScope): WireBody;
}

/** Erases the generic types for the action table; each entry stays internally consistent. */
export interface AnyWireAction {
  readonly action: string;
  run(params: WireParams, execute: <I, O>(operation: Operation<I, O>, input: I) => Promise<O>, scope: ArnScope): Promise<WireBody>;
}

export function wireAction<Input, Output>(definition: WireAction<Input, Output>): AnyWireAction {
  return {
    action: definition.action,
    run: async (params, execute, scope) => {
      const input = definition.parse(params);
      const output = await execute(definition.operation, input);
      return definition.respond(output, scope);
    },
  };
}
