// One signed call to the API on this page's own origin. The secret never leaves the page: only the
// signature made with it is sent.
import { signCall, type Credentials } from './signer.js';

/** A refusal as the API answers it (Code, Message, RequestId), or a network failure. */
export class ApiError extends Error {
  constructor(
    readonly action: string,
    readonly code: string,
    message: string,
    readonly httpStatus: number,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /**
   * The caller may not run the action: its RAM policies or the key's policy do not allow it
   * (Forbidden.RAM, 403), or it is neither the administrator nor a RAM user (Forbidden.NoPermission).
   */
  get isMissingPermission(): boolean {
    return this.code === 'Forbidden.RAM' || this.code === 'Forbidden.NoPermission';
  }
}

export type Params = Readonly<Record<string, string | undefined>>;
export type Answer = Readonly<Record<string, unknown>>;

/** Calls `action`; parameters that are undefined or empty are left out. Throws ApiError. */
export async function callApi(credentials: Credentials, action: string, params: Params = {}): Promise<Answer> {
  const pairs = Object.entries(params).flatMap(([name, value]) => (value === undefined || value === '' ? [] : [[name, value] as const]));
  const signed = await signCall(credentials, location.host, action, pairs);
  let response: Response;
  try {
    response = await fetch(signed.target, { method: 'POST', headers: signed.headers, credentials: 'omit', cache: 'no-store' });
  } catch {
    throw new ApiError(action, 'NetworkError', 'The server could not be reached.', 0);
  }
  const body = await readJson(response);
  if (!response.ok) {
    const code = typeof body.Code === 'string' ? body.Code : `HTTP ${response.status}`;
    const message = typeof body.Message === 'string' ? body.Message : response.statusText;
    const requestId = typeof body.RequestId === 'string' ? body.RequestId : (response.headers.get('x-acs-request-id') ?? undefined);
    throw new ApiError(action, code, message, response.status, requestId);
  }
  return body;
}

async function readJson(response: Response): Promise<Answer> {
  try {
    const parsed: unknown = await response.json();
    return typeof parsed === 'object' && parsed !== null ? (parsed as Answer) : {};
  } catch {
    return {};
  }
}

/** `{"Keys":{"Key":[…]}}` → the inner list (Alibaba's double wrapper), objects only. */
export function listIn(answer: Answer, outer: string, inner: string): Answer[] {
  const wrapper = answer[outer];
  const list = typeof wrapper === 'object' && wrapper !== null ? (wrapper as Answer)[inner] : undefined;
  return Array.isArray(list) ? list.filter((item): item is Answer => typeof item === 'object' && item !== null) : [];
}

export function text(answer: Answer, name: string): string {
  const value = answer[name];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

export function count(answer: Answer, name: string): number {
  const value = answer[name];
  return typeof value === 'number' ? value : 0;
}
