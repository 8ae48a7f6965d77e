// Pages by the location's hash (#/keys, #/keys/<id>, #/try, #/import), so the server serves one
// page and a reload keeps the place.
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { readonly page: 'keys' }
  | { readonly page: 'key'; readonly keyId: string }
  | { readonly page: 'try'; readonly keyId: string }
  | { readonly page: 'import'; readonly keyId: string };

export function routeOf(hash: string): Route {
  const [page = '', id = ''] = hash.replace(/^#\/?/, '').split('/');
  const keyId = safeDecode(id);
  if (page === 'keys' && keyId !== '') return { page: 'key', keyId };
  if (page === 'try') return { page: 'try', keyId };
  if (page === 'import') return { page: 'import', keyId };
  return { page: 'keys' };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return '';
  }
}

export const hrefOf = {
  keys: (): string => '#/keys',
  key: (keyId: string): string => `#/keys/${encodeURIComponent(keyId)}`,
  tryIt: (keyId = ''): string => (keyId === '' ? '#/try' : `#/try/${encodeURIComponent(keyId)}`),
  import: (keyId = ''): string => (keyId === '' ? '#/import' : `#/import/${encodeURIComponent(keyId)}`),
};

export function navigate(href: string): void {
  location.hash = href;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => routeOf(location.hash));
  useEffect(() => {
    const onChange = (): void => setRoute(routeOf(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
