// Try it: Encrypt a text, Decrypt a blob, GenerateDataKey, each with an optional encryption
// context, as an SDK would call them.
import type { JSX, TargetedEvent } from 'preact';
import { useState } from 'preact/hooks';
import { text } from '../api.js';
import { encryptionContextParam, ErrorBox, Field, PageHeading, Select, Status, useAction, type Session } from '../ui.js';

export function TryItPage({ session, keyId }: { readonly session: Session; readonly keyId: string }): JSX.Element {
  return (
    <section>
      <PageHeading>Try it</PageHeading>
      <p>Calls go to this server with your access key, exactly as an SDK would send them.</p>
      <div class="columns">
        <EncryptForm session={session} keyId={keyId} />
        <DecryptForm session={session} />
        <DataKeyForm session={session} keyId={keyId} />
      </div>
    </section>
  );
}

function EncryptForm({ session, keyId: initialKeyId }: { readonly session: Session; readonly keyId: string }): JSX.Element {
  const [keyId, setKeyId] = useState(initialKeyId);
  const [plaintext, setPlaintext] = useState('');
  const [context, setContext] = useState('');
  const [blob, setBlob] = useState('');
  const encrypt = useAction();
  const submit = (event: TargetedEvent<HTMLFormElement>): void => {
    event.preventDefault();
    setBlob('');
    void encrypt.run(async () => {
      const answer = await session.call('Encrypt', {
        KeyId: keyId.trim(),
        Plaintext: plaintext,
        EncryptionContext: encryptionContextParam(context),
      });
      setBlob(text(answer, 'CiphertextBlob'));
    });
  };
  return (
    <form class="panel" aria-labelledby="encrypt-heading" onSubmit={submit}>
      <h2 id="encrypt-heading">Encrypt</h2>
      <Field label="Key to encrypt with" value={keyId} onInput={setKeyId} hint="A key id or an alias (alias/…)." required />
      <Field label="Plaintext" value={plaintext} onInput={setPlaintext} multiline required hint="Up to 6 KB of text." />
      <Field
        label="Encryption context for encrypting"
        value={context}
        onInput={setContext}
        hint='Optional JSON, such as {"purpose":"backup"}.'
      />
      <ErrorBox error={encrypt.error} />
      <button type="submit" disabled={encrypt.busy}>
        Encrypt
      </button>
      {blob === '' ? null : <Field label="Ciphertext blob" value={blob} onInput={() => undefined} multiline readOnly />}
    </form>
  );
}

function DecryptForm({ session }: { readonly session: Session }): JSX.Element {
  const [blob, setBlob] = useState('');
  const [context, setContext] = useState('');
  const [plaintext, setPlaintext] = useState<{ text: string; keyId: string } | undefined>(undefined);
  const decrypt = useAction();
  const submit = (event: TargetedEvent<HTMLFormElement>): void => {
    event.preventDefault();
    setPlaintext(undefined);
    void decrypt.run(async () => {
      const answer = await session.call('Decrypt', { CiphertextBlob: blob.trim(), EncryptionContext: encryptionContextParam(context) });
      setPlaintext({ text: text(answer, 'Plaintext'), keyId: text(answer, 'KeyId') });
    });
  };
  return (
    <form class="panel" aria-labelledby="decrypt-heading" onSubmit={submit}>
      <h2 id="decrypt-heading">Decrypt</h2>
      <Field label="Ciphertext blob to decrypt" value={blob} onInput={setBlob} multiline required />
      <Field
        label="Encryption context for decrypting"
        value={context}
        onInput={setContext}
        hint="The same context it was encrypted with."
      />
      <ErrorBox error={decrypt.error} />
      <button type="submit" disabled={decrypt.busy}>
        Decrypt
      </button>
      {plaintext === undefined ? null : (
        <>
          <Status>Decrypted with key {plaintext.keyId}.</Status>
          <Field label="Decrypted plaintext" value={plaintext.text} onInput={() => undefined} multiline readOnly />
        </>
      )}
    </form>
  );
}

function DataKeyForm({ session, keyId: initialKeyId }: { readonly session: Session; readonly keyId: string }): JSX.Element {
  const [keyId, setKeyId] = useState(initialKeyId);
  const [keySpec, setKeySpec] = useState('AES_256');
  const [context, setContext] = useState('');
  const [dataKey, setDataKey] = useState<{ plaintext: string; blob: string } | undefined>(undefined);
  const generate = useAction();
  const submit = (event: TargetedEvent<HTMLFormElement>): void => {
    event.preventDefault();
    setDataKey(undefined);
    void generate.run(async () => {
      const answer = await session.call('GenerateDataKey', {
        KeyId: keyId.trim(),
        KeySpec: keySpec,
        EncryptionContext: encryptionContextParam(context),
      });
      setDataKey({ plaintext: text(answer, 'Plaintext'), blob: text(answer, 'CiphertextBlob') });
    });
  };
  return (
    <form class="panel" aria-labelledby="data-key-heading" onSubmit={submit}>
      <h2 id="data-key-heading">Generate a data key</h2>
      <Field label="Key to protect the data key" value={keyId} onInput={setKeyId} required />
      <Select
        label="Data key spec"
        value={keySpec}
        options={[
          ['AES_256', 'AES_256 (32 bytes)'],
          ['AES_128', 'AES_128 (16 bytes)'],
        ]}
        onChange={setKeySpec}
      />
      <Field label="Encryption context for the data key" value={context} onInput={setContext} />
      <ErrorBox error={generate.error} />
      <button type="submit" disabled={generate.busy}>
        Generate data key
      </button>
      {dataKey === undefined ? null : (
        <>
          <Field label="Data key (base64), keep it secret" value={dataKey.plaintext} onInput={() => undefined} readOnly />
          <Field label="Encrypted data key" value={dataKey.blob} onInput={() => undefined} multiline readOnly />
        </>
      )}
    </form>
  );
}
