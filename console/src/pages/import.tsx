// The BYOK wizard for an EXTERNAL key: 1. the wrapping public key and import token
// (GetParametersForImport), 2. the key file wrapped here in the browser (RSA-OAEP, WebCrypto),
// 3. ImportKeyMaterial with the material's expiry.
import type { JSX, TargetedEvent } from 'preact';
import { useState } from 'preact/hooks';
import { text } from '../api.js';
import { MATERIAL_BYTES, WRAPPING_ALGORITHMS, wrapKeyMaterial, type WrappingAlgorithm } from '../byok.js';
import { hrefOf } from '../router.js';
import { ErrorBox, Field, PageHeading, Select, Status, useAction, WireDate, type Session } from '../ui.js';
import { describeRow } from './keys.js';

interface ImportParameters {
  readonly keyId: string;
  readonly keySpec: string;
  readonly algorithm: WrappingAlgorithm;
  readonly publicKey: string;
  readonly importToken: string;
  readonly tokenExpireTime: string;
}

export function ImportPage({ session, keyId: initialKeyId }: { readonly session: Session; readonly keyId: string }): JSX.Element {
  const [parameters, setParameters] = useState<ImportParameters | undefined>(undefined);
  const [wrapped, setWrapped] = useState<string | undefined>(undefined);
  const [imported, setImported] = useState(false);
  return (
    <section>
      <PageHeading>Import key material (BYOK)</PageHeading>
      <p>For a key created with Origin EXTERNAL. The key file is wrapped in this browser; only the wrapped material is sent.</p>
      <ol class="steps">
        <li>
          <ParametersStep
            session={session}
            initialKeyId={initialKeyId}
            onParameters={(given) => {
              setParameters(given);
              setWrapped(undefined);
              setImported(false);
            }}
          />
        </li>
        <li>
          {parameters === undefined ? (
            <h2 class="pending">2. Wrap the key file</h2>
          ) : (
            <WrapStep parameters={parameters} onWrapped={setWrapped} />
          )}
        </li>
        <li>
          {parameters === undefined || wrapped === undefined ? (
            <h2 class="pending">3. Import</h2>
          ) : (
            <ImportStep session={session} parameters={parameters} wrapped={wrapped} onImported={() => setImported(true)} />
          )}
        </li>
      </ol>
      {imported && parameters !== undefined ? (
        <p>
          <a href={hrefOf.key(parameters.keyId)}>Open key {parameters.keyId}</a>
        </p>
      ) : null}
    </section>
  );
}

function ParametersStep(props: {
  readonly session: Session;
  readonly initialKeyId: string;
  readonly onParameters: (parameters: ImportParameters) => void;
}): JSX.Element {
  const [keyId, setKeyId] = useState(props.initialKeyId);
  const [algorithm, setAlgorithm] = useState<WrappingAlgorithm>('RSAES_OAEP_SHA_256');
  const [got, setGot] = useState<ImportParameters | undefined>(undefined);
  const get = useAction();
  const submit = (event: TargetedEvent<HTMLFormElement>): void => {
    event.preventDefault();
    void get.run(async () => {
      const row = await describeRow(props.session, keyId.trim());
      if (text(row.metadata, 'Origin') !== 'EXTERNAL')
        throw new Error(`Key ${text(row.metadata, 'KeyId')} was not created with Origin EXTERNAL; its material cannot be imported.`);
      const answer = await props.session.call('GetParametersForImport', {
        KeyId: text(row.metadata, 'KeyId'),
        WrappingKeySpec: 'RSA_2048',
        WrappingAlgorithm: algorithm,
      });
      const parameters: ImportParameters = {
        keyId: text(row.metadata, 'KeyId'),
        keySpec: text(row.metadata, 'KeySpec'),
        algorithm,
        publicKey: text(answer, 'PublicKey'),
        importToken: text(answer, 'ImportToken'),
        tokenExpireTime: text(answer, 'TokenExpireTime'),
      };
      setGot(parameters);
      props.onParameters(parameters);
    });
  };
  return (
    <form class="panel" aria-labelledby="step-1" onSubmit={submit}>
      <h2 id="step-1">1. Get the wrapping key</h2>
      <Field label="External key" value={keyId} onInput={setKeyId} hint="The key id or alias of a key with Origin EXTERNAL." required />
      <Select
        label="Wrapping algorithm"
        value={algorithm}
        options={Object.keys(WRAPPING_ALGORITHMS).map((name) => [name, `${name} (RSA_2048)`] as const)}
        onChange={(value) => setAlgorithm(value as WrappingAlgorithm)}
      />
      <ErrorBox error={get.error} />
      <button type="submit" disabled={get.busy}>
        Get wrapping key
      </button>
      {got === undefined ? null : (
        <Status>
          Wrapping key and import token received for {got.keyId} ({got.keySpec}); the token expires <WireDate value={got.tokenExpireTime} />
          .
        </Status>
      )}
    </form>
  );
}

function WrapStep({
  parameters,
  onWrapped,
}: {
  readonly parameters: ImportParameters;
  readonly onWrapped: (wrapped: string) => void;
}): JSX.Element {
  const [file, setFile] = useState<File | undefined>(undefined);
  const [done, setDone] = useState('');
  const wrap = useAction();
  const expected = MATERIAL_BYTES[parameters.keySpec];
  const submit = (event: TargetedEvent<HTMLFormElement>): void => {
    event.preventDefault();
    setDone('');
    void wrap.run(async () => {
      if (file === undefined) throw new Error('Choose the key file first.');
      const material = new Uint8Array(await file.arrayBuffer());
      try {
        if (expected !== undefined && material.length !== expected) {
          throw new Error(`A ${parameters.keySpec} key takes exactly ${expected} bytes of material; ${file.name} has ${material.length}.`);
        }
        const wrapped = await wrapKeyMaterial(parameters.publicKey, parameters.algorithm, material);
        setDone(`${file.name} is wrapped with ${parameters.algorithm}.`);
        onWrapped(wrapped);
      } finally {
        material.fill(0);
      }
    });
  };
  return (
    <form class="panel" aria-labelledby="step-2" onSubmit={submit}>
      <h2 id="step-2">2. Wrap the key file</h2>
      <div class="field">
        <label for="key-file">Key material file</label>
        <input id="key-file" type="file" aria-describedby="key-file-hint" onChange={(event) => setFile(event.currentTarget.files?.[0])} />
        <p class="hint" id="key-file-hint">
          The raw key: {expected ?? 'the key spec’s'} bytes, such as the output of <code>openssl rand -out key.bin {expected ?? 32}</code>.
        </p>
      </div>
      <ErrorBox error={wrap.error} />
      <button type="submit" disabled={wrap.busy}>
        Wrap key material
      </button>
      <Status>{done}</Status>
    </form>
  );
}

function ImportStep(props: {
  readonly session: Session;
  readonly parameters: ImportParameters;
  readonly wrapped: string;
  readonly onImported: () => void;
}): JSX.Element {
  const [expires, setExpires] = useState(false);
  const [expiry, setExpiry] = useState('');
  const [done, setDone] = useState('');
  const importMaterial = useAction();
  const submit = (event: TargetedEvent<HTMLFormElement>): void => {
    event.preventDefault();
    setDone('');
    void importMaterial.run(async () => {
      const expireUnix = expires ? Math.floor(new Date(expiry).getTime() / 1000) : 0;
      if (Number.isNaN(expireUnix)) throw new Error('Give the date and time the material expires.');
      await props.session.call('ImportKeyMaterial', {
        KeyId: props.parameters.keyId,
        EncryptedKeyMaterial: props.wrapped,
        ImportToken: props.parameters.importToken,
        KeyMaterialExpireUnix: String(expireUnix),
      });
      setDone(`The key material is imported into ${props.parameters.keyId}.`);
      props.onImported();
    });
  };
  return (
    <form class="panel" aria-labelledby="step-3" onSubmit={submit}>
      <h2 id="step-3">3. Import</h2>
      <div class="field checkbox">
        <input id="material-expires" type="checkbox" checked={expires} onChange={(event) => setExpires(event.currentTarget.checked)} />
        <label for="material-expires">The material expires</label>
      </div>
      {expires ? (
        <Field
          label="Material expiry"
          type="datetime-local"
          value={expiry}
          onInput={setExpiry}
          required
          hint="Local time; after it the key goes back to PendingImport."
        />
      ) : null}
      <ErrorBox error={importMaterial.error} />
      <button type="submit" disabled={importMaterial.busy}>
        Import
      </button>
      <Status>{done}</Status>
    </form>
  );
}
