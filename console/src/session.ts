// The operator's access key, for this tab only: sessionStorage (gone when the tab closes, never
// sent anywhere, never in localStorage or a cookie). Sign out removes it.
import type { Credentials } from './signer.js';

const STORAGE_KEY = 'arca-console-access-key';

export function storedCredentials(): Credentials | undefined {
  try {
    const parsed: unknown = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null');
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { accessKeyId, accessKeySecret } = parsed as Record<string, unknown>;
    return typeof accessKeyId === 'string' && typeof accessKeySecret === 'string' ? { accessKeyId, accessKeySecret } : undefined;
  } catch {
    return undefined;
  }
}

export function storeCredentials(credentials: Credentials): void {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(credentials));
}

export function forgetCredentials(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}
