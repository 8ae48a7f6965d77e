/**
 * How a request names a key, once its front end has read the wire: by id, by alias, or by a
 * name that belongs to another region or account and so never names a key here.
 */
export type KeyReference =
  | { readonly kind: 'keyId'; readonly keyId: string }
  | { readonly kind: 'alias'; readonly aliasName: string }
  | { readonly kind: 'foreign' };

export function keyIdReference(keyId: string): KeyReference {
  return { kind: 'keyId', keyId };
}
