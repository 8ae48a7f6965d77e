// Sign-in: the access key is checked by one signed call; it stays in this tab (sessionStorage).
import type { JSX, TargetedEvent } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, callApi } from '../api.js';
import type { Credentials } from '../signer.js';
import { ErrorBox, Field, PageHeading, useAction } from '../ui.js';

/** A call every access key may make that needs no resource: its answer proves the signature. */
const CHECK_ACTION = 'DescribeAccountKmsStatus';

export function SignInPage({ onSignIn }: { readonly onSignIn: (credentials: Credentials) => void }): JSX.Element {
  const [accessKeyId, setAccessKeyId] = useState('');
  const [accessKeySecret, setAccessKeySecret] = useState('');
  const action = useAction();
  const submit = (event: TargetedEvent<HTMLFormElement>): void => {
    event.preventDefault();
    const credentials = { accessKeyId: accessKeyId.trim(), accessKeySecret };
    void action.run(async () => {
      try {
        await callApi(credentials, CHECK_ACTION);
      } catch (error) {
        // A key that may not make this call still signed it correctly: it is signed in, and each
        // page says what it may not do.
        if (!(error instanceof ApiError && error.isMissingPermission)) throw error;
      }
      onSignIn(credentials);
    });
  };
  return (
    <section class="sign-in">
      <PageHeading>Sign in</PageHeading>
      <p>
        Sign in with an access key. The console signs each request in this browser; the secret is kept in this tab only and is never sent to
        the server.
      </p>
      <form onSubmit={submit}>
        <Field label="AccessKey ID" value={accessKeyId} onInput={setAccessKeyId} required autoComplete="username" />
        <Field
          label="AccessKey Secret"
          type="password"
          value={accessKeySecret}
          onInput={setAccessKeySecret}
          required
          autoComplete="current-password"
        />
        <ErrorBox error={action.error} />
        <button type="submit" disabled={action.busy}>
          Sign in
        </button>
      </form>
    </section>
  );
}
