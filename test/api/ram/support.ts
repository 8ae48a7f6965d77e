import type { CallOptions, InjectApi, InjectResponse, ParamValue } from '../../support/inject-api.js';

export const RAM_VERSION = '2015-05-01';

/** Calls a RAM action (Version 2015-05-01), signed with the administrator's key unless told. */
export function ramCaller(api: InjectApi) {
  return (action: string, params: Readonly<Record<string, ParamValue>> = {}, options: CallOptions = {}): Promise<InjectResponse> =>
    api.call(action, params, { ...options, version: RAM_VERSION });
}

/** A response's Code and status, for refusals. */
export function refusal(response: InjectResponse): { status: number; code: unknown } {
  return { status: response.statusCode, code: response.json?.Code };
}

export const ISO_SECOND = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
