import { headerValues, type SignedRequest } from './signed-request.js';

/**
 * The access key a request says it was signed with, read before any parsing that can refuse it:
 * the `Credential=` of an ACS3 Authorization header, else signature 1.0's `AccessKeyId`
 * parameter. A request refused as malformed (IncompleteSignature) is then still logged with the
 * key it named. Nothing here is trusted: the value only labels the refusal.
 */
export function claimedAccessKeyId(request: SignedRequest, parameters: ReadonlyMap<string, string>): string | undefined {
  const claimed = credentialOfAuthorization(request) ?? parameters.get('AccessKeyId');
  return claimed === '' ? undefined : claimed;
}

function credentialOfAuthorization(request: SignedRequest): string | undefined {
  const authorization = headerValues(request, 'authorization')[0];
  if (authorization === undefined) return undefined;
  return /Credential=([^,\s]*)/.exec(authorization)?.[1];
}
