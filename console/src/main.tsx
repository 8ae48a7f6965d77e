// The console's shell: sign-in, the navigation and the page of the location's hash.
import { render, type JSX } from 'preact';
import { useState } from 'preact/hooks';
import { ImportPage } from './pages/import.js';
import { KeyDetailPage } from './pages/key-detail.js';
import { KeysPage } from './pages/keys.js';
import { SignInPage } from './pages/sign-in.js';
import { TryItPage } from './pages/try-it.js';
import { hrefOf, useRoute, type Route } from './router.js';
import { forgetCredentials, storedCredentials, storeCredentials } from './session.js';
import type { Credentials } from './signer.js';
import { sessionFor, type Session } from './ui.js';

function App(): JSX.Element {
  const [session, setSession] = useState<Session | undefined>(() => {
    const stored = storedCredentials();
    return stored === undefined ? undefined : sessionFor(stored);
  });
  const signIn = (credentials: Credentials): void => {
    storeCredentials(credentials);
    setSession(sessionFor(credentials));
  };
  const signOut = (): void => {
    forgetCredentials();
    setSession(undefined);
  };
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Arca console</span>
        {session === undefined ? null : <Navigation session={session} onSignOut={signOut} />}
      </header>
      <main id="main">{session === undefined ? <SignInPage onSignIn={signIn} /> : <CurrentPage session={session} />}</main>
    </>
  );
}

function Navigation({ session, onSignOut }: { readonly session: Session; readonly onSignOut: () => void }): JSX.Element {
  const route = useRoute();
  const current = (page: Route['page'][]): 'page' | undefined => (page.includes(route.page) ? 'page' : undefined);
  return (
    <>
      <nav aria-label="Console">
        <a href={hrefOf.keys()} aria-current={current(['keys', 'key'])}>
          Keys
        </a>
        <a href={hrefOf.tryIt()} aria-current={current(['try'])}>
          Try it
        </a>
        <a href={hrefOf.import()} aria-current={current(['import'])}>
          Import
        </a>
      </nav>
      <div class="who">
        <span>
          Signed in as <code>{session.credentials.accessKeyId}</code>
        </span>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </div>
    </>
  );
}

function CurrentPage({ session }: { readonly session: Session }): JSX.Element {
  const route = useRoute();
  switch (route.page) {
    case 'keys':
      return <KeysPage session={session} />;
    case 'key':
      return <KeyDetailPage key={route.keyId} session={session} keyId={route.keyId} />;
    case 'try':
      return <TryItPage key={route.keyId} session={session} keyId={route.keyId} />;
    case 'import':
      return <ImportPage key={route.keyId} session={session} keyId={route.keyId} />;
  }
}

const root = document.getElementById('app');
if (root) render(<App />, root);
