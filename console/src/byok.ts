// Wrapping key material in the browser for ImportKeyMaterial: RSA-OAEP under the wrapping public
// key GetParametersForImport gave (base64 DER SubjectPublicKeyInfo). The material never leaves the
// page unwrapped.

export const WRAPPING_ALGORITHMS = {
  RSAES_OAEP_SHA_256: 'SHA-256',
  RSAES_OAEP_SHA_1: 'SHA-1',
} as const;
export type WrappingAlgorithm = keyof typeof WRAPPING_ALGORITHMS;

/** The material a key spec takes, in bytes. */
export const MATERIAL_BYTES: Readonly<Record<string, number>> = { Aliyun_AES_256: 32, Aliyun_SM4: 16 };

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** EncryptedKeyMaterial: base64 of RSA-OAEP(material) under `publicKeyBase64`. */
export async function wrapKeyMaterial(
  publicKeyBase64: string,
  algorithm: WrappingAlgorithm,
  material: Uint8Array<ArrayBuffer>,
): Promise<string> {
  const publicKey = await crypto.subtle.importKey(
    'spki',
    fromBase64(publicKeyBase64),
    { name: 'RSA-OAEP', hash: WRAPPING_ALGORITHMS[algorithm] },
    false,
    ['encrypt'],
  );
  return toBase64(new Uint8Array(await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, publicKey, material)));
}
