// One key: metadata, versions (the primary marked), life cycle, deletion protection, rotation
// policy, description, aliases and tags. Every change is one API call, then the key is read again.
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { listIn, text, type Answer } from '../api.js';
import { hrefOf } from '../router.js';
import { ErrorBox, Field, PageHeading, Status, useAction, WireDate, type Session } from '../ui.js';
import { PENDING_WINDOW_DAYS } from '../values.js';
import { aliasName } from './create-key.js';
import { describeRow, type KeyRow } from './keys.js';

interface KeyDetail extends KeyRow {
  readonly versions: readonly Answer[];
  readonly tags: readonly Answer[];
}

async function loadDetail(session: Session, keyId: string): Promise<KeyDetail> {
  const [row, versions, tags] = await Promise.all([
    describeRow(session, keyId),
    session.call('ListKeyVersions', { KeyId: keyId, PageSize: '100' }),
    session.call('ListResourceTags', { KeyId: keyId }),
  ]);
  return { ...row, versions: listIn(versions, 'KeyVersions', 'KeyVersion'), tags: listIn(tags, 'Tags', 'Tag') };
}

export function KeyDetailPage({ session, keyId }: { readonly session: Session; readonly keyId: string }): JSX.Element {
  const [detail, setDetail] = useState<KeyDetail | undefined>(undefined);
  const [done, setDone] = useState('');
  const load = useAction();
  const change = useAction();
  const reload = (): Promise<unknown> => load.run(async () => setDetail(await loadDetail(session, keyId)));
  useEffect(() => {
    void reload();
  }, [session, keyId]);

  /** Runs one change, says what happened, and reads the key again. */
  const apply = (what: string, action: string, params: Record<string, string | undefined>): Promise<unknown> =>
    change.run(async () => {
      setDone('');
      await session.call(action, { KeyId: keyId, ...params });
      await reload();
      setDone(what);
    });

  return (
    <section>
      <p>
        <a href={hrefOf.keys()}>← All keys</a>
      </p>
      <PageHeading>Key {keyId}</PageHeading>
      <ErrorBox error={load.error} />
      <ErrorBox error={change.error} />
      <Status>{done}</Status>
      {detail === undefined ? (
        <Status>{load.busy ? 'Loading the key…' : ''}</Status>
      ) : (
        <Detail detail={detail} busy={change.busy} apply={apply} />
      )}
    </section>
  );
}

type Apply = (what: string, action: string, params: Record<string, string | undefined>) => Promise<unknown>;

function Detail({ detail, busy, apply }: { readonly detail: KeyDetail; readonly busy: boolean; readonly apply: Apply }): JSX.Element {
  const m = detail.metadata;
  const keyId = text(m, 'KeyId');
  const state = text(m, 'KeyState');
  return (
    <>
      <div class="panel">
        <h2>Metadata</h2>
        <dl class="metadata">
          <dt>State</dt>
          <dd>
            <span class={`state state-${state}`}>{state}</span>
          </dd>
          <dt>ARN</dt>
          <dd>
            <code>{text(m, 'Arn')}</code>
          </dd>
          <dt>Spec</dt>
          <dd>{text(m, 'KeySpec')}</dd>
          <dt>Usage</dt>
          <dd>{text(m, 'KeyUsage')}</dd>
          <dt>Protection level</dt>
          <dd>{text(m, 'ProtectionLevel')}</dd>
          <dt>Origin</dt>
          <dd>{text(m, 'Origin')}</dd>
          <dt>Created</dt>
          <dd>
            <WireDate value={text(m, 'CreationDate')} />
          </dd>
          <dt>Creator</dt>
          <dd>{text(m, 'Creator')}</dd>
          <dt>Last rotation</dt>
          <dd>
            <WireDate value={text(m, 'LastRotationDate')} />
          </dd>
          {text(m, 'DeleteDate') === '' ? null : (
            <>
              <dt>Deletion date</dt>
              <dd>
                <WireDate value={text(m, 'DeleteDate')} />
              </dd>
            </>
          )}
          {text(m, 'Origin') === 'EXTERNAL' ? (
            <>
              <dt>Material expires</dt>
              <dd>{text(m, 'MaterialExpireTime') === '' ? 'never' : <WireDate value={text(m, 'MaterialExpireTime')} />}</dd>
            </>
          ) : null}
        </dl>
        {text(m, 'Origin') === 'EXTERNAL' ? (
          <p>
            <a href={hrefOf.import(keyId)}>Import key material for this key</a>
          </p>
        ) : null}
        <p>
          <a href={hrefOf.tryIt(keyId)}>Try this key</a>
        </p>
      </div>
      <LifeCycle keyId={keyId} state={state} origin={text(m, 'Origin')} busy={busy} apply={apply} />
      <Versions versions={detail.versions} primary={text(m, 'PrimaryKeyVersion')} />
      <Description metadata={m} busy={busy} apply={apply} />
      <DeletionProtection metadata={m} busy={busy} apply={apply} />
      <RotationPolicy metadata={m} busy={busy} apply={apply} />
      <Aliases aliases={detail.aliases} busy={busy} apply={apply} />
      <Tags tags={detail.tags} busy={busy} apply={apply} />
    </>
  );
}

interface LifeCycleProps {
  readonly keyId: string;
  readonly state: string;
  readonly origin: string;
  readonly busy: boolean;
  readonly apply: Apply;
}

function LifeCycle({ keyId, state, origin, busy, apply }: LifeCycleProps): JSX.Element {
  const [pendingDays, setPendingDays] = useState(String(PENDING_WINDOW_DAYS.default));
  const [confirming, setConfirming] = useState(false);
  const confirmButton = useRef<HTMLButtonElement>(null);
  // The confirmation takes the focus once, when it opens (not on every render: the pending
  // window stays editable while it is open).
  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
  }, [confirming]);
  const schedule = async (): Promise<void> => {
    setConfirming(false);
    await apply(`Key ${keyId} is scheduled for deletion in ${pendingDays} days.`, 'ScheduleKeyDeletion', {
      PendingWindowInDays: pendingDays,
    });
  };
  return (
    <div class="panel">
      <h2>Life cycle</h2>
      <div class="buttons">
        {origin === 'EXTERNAL' ? null : (
          <button type="button" disabled={busy} onClick={() => void apply('A new primary version was made.', 'CreateKeyVersion', {})}>
            Rotate
          </button>
        )}
        {state === 'Disabled' ? (
          <button type="button" disabled={busy} onClick={() => void apply('The key is enabled.', 'EnableKey', {})}>
            Enable
          </button>
        ) : null}
        {state === 'Enabled' ? (
          <button type="button" disabled={busy} onClick={() => void apply('The key is disabled.', 'DisableKey', {})}>
            Disable
          </button>
        ) : null}
        {state === 'PendingDeletion' ? (
          <button type="button" disabled={busy} onClick={() => void apply('The deletion is cancelled.', 'CancelKeyDeletion', {})}>
            Cancel deletion
          </button>
        ) : null}
      </div>
      {state === 'PendingDeletion' ? null : (
        <div class="deletion">
          <Field
            label="Pending window (days)"
            type="number"
            min={PENDING_WINDOW_DAYS.min}
            max={PENDING_WINDOW_DAYS.max}
            value={pendingDays}
            onInput={setPendingDays}
            hint={`From ${PENDING_WINDOW_DAYS.min} to ${PENDING_WINDOW_DAYS.max} days; the deletion can be cancelled until then.`}
          />
          <button type="button" class="danger" disabled={busy} aria-expanded={confirming} onClick={() => setConfirming(true)}>
            Schedule deletion
          </button>
        </div>
      )}
      {confirming ? (
        <div class="confirm" role="alertdialog" aria-labelledby="confirm-deletion-text" aria-modal="false">
          <p id="confirm-deletion-text">
            Delete key <strong>{keyId}</strong> after {pendingDays} days? Everything encrypted under it can no longer be decrypted once it
            is deleted.
          </p>
          <div class="buttons">
            <button type="button" class="danger" onClick={() => void schedule()} ref={confirmButton}>
              Delete key {keyId}
            </button>
            <button type="button" class="secondary" onClick={() => setConfirming(false)}>
              Keep the key
            </button>
          </div>
        </div>
      ) : null}
    </div>
  );
}

function Versions({ versions, primary }: { readonly versions: readonly Answer[]; readonly primary: string }): JSX.Element {
  return (
    <div class="panel">
      <h2>Versions</h2>
      <div class="table-scroll" tabIndex={0} role="region" aria-label="Versions table">
        <table>
          <caption class="visually-hidden">Key versions</caption>
          <thead>
            <tr>
              <th scope="col">Version id</th>
              <th scope="col">Created</th>
              <th scope="col">Primary</th>
            </tr>
          </thead>
          <tbody>
            {versions.map((version) => {
              const id = text(version, 'KeyVersionId');
              return (
                <tr key={id} class={id === primary ? 'primary' : undefined}>
                  <td>
                    <code>{id}</code>
                  </td>
                  <td>
                    <WireDate value={text(version, 'CreationDate')} />
                  </td>
                  <td>{id === primary ? <strong>Primary</strong> : ''}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}

interface SectionProps {
  readonly metadata: Answer;
  readonly busy: boolean;
  readonly apply: Apply;
}

function Description({ metadata, busy, apply }: SectionProps): JSX.Element {
  const [description, setDescription] = useState(text(metadata, 'Description'));
  return (
    <form
      class="panel"
      aria-labelledby="description-heading"
      onSubmit={(event) => {
        event.preventDefault();
        void apply('The description is saved.', 'UpdateKeyDescription', { Description: description });
      }}
    >
      <h2 id="description-heading">Description</h2>
      <Field label="Key description" value={description} onInput={setDescription} multiline />
      <button type="submit" disabled={busy}>
        Save description
      </button>
    </form>
  );
}

function DeletionProtection({ metadata, busy, apply }: SectionProps): JSX.Element {
  const enabled = text(metadata, 'DeletionProtection') === 'Enabled';
  const [reason, setReason] = useState(text(metadata, 'DeletionProtectionDescription'));
  return (
    <div class="panel">
      <h2>Deletion protection</h2>
      <p>
        {enabled
          ? `On: the key cannot be scheduled for deletion. ${text(metadata, 'DeletionProtectionDescription')}`
          : 'Off: the key can be scheduled for deletion.'}
      </p>
      {enabled ? (
        <button
          type="button"
          disabled={busy}
          onClick={() => void apply('Deletion protection is off.', 'SetDeletionProtection', { EnableDeletionProtection: 'false' })}
        >
          Turn off deletion protection
        </button>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void apply('Deletion protection is on.', 'SetDeletionProtection', {
              EnableDeletionProtection: 'true',
              DeletionProtectionDescription: reason,
            });
          }}
        >
          <Field label="Why it is protected" value={reason} onInput={setReason} />
          <button type="submit" disabled={busy}>
            Turn on deletion protection
          </button>
        </form>
      )}
    </div>
  );
}

function RotationPolicy({ metadata, busy, apply }: SectionProps): JSX.Element {
  const automatic = text(metadata, 'AutomaticRotation');
  const [enabled, setEnabled] = useState(automatic === 'Enabled');
  const [interval, setInterval] = useState(text(metadata, 'RotationInterval'));
  if (text(metadata, 'Origin') === 'EXTERNAL') {
    return (
      <div class="panel">
        <h2>Rotation policy</h2>
        <p>A key with imported material is not rotated.</p>
      </div>
    );
  }
  return (
    <form
      class="panel"
      aria-labelledby="rotation-heading"
      onSubmit={(event) => {
        event.preventDefault();
        void apply('The rotation policy is saved.', 'UpdateRotationPolicy', {
          EnableAutomaticRotation: enabled ? 'true' : 'false',
          RotationInterval: enabled ? interval : undefined,
        });
      }}
    >
      <h2 id="rotation-heading">Rotation policy</h2>
      <p>
        Automatic rotation: {automatic}
        {text(metadata, 'NextRotationDate') === '' ? null : (
          <>
            , next on <WireDate value={text(metadata, 'NextRotationDate')} />
          </>
        )}
      </p>
      <div class="field checkbox">
        <input id="rotation-enabled" type="checkbox" checked={enabled} onChange={(event) => setEnabled(event.currentTarget.checked)} />
        <label for="rotation-enabled">Rotate automatically</label>
      </div>
      <Field label="Rotation interval" value={interval} onInput={setInterval} hint="Such as 30d or 720h." />
      <button type="submit" disabled={busy}>
        Save rotation policy
      </button>
    </form>
  );
}

function Aliases({
  aliases,
  busy,
  apply,
}: {
  readonly aliases: readonly string[];
  readonly busy: boolean;
  readonly apply: Apply;
}): JSX.Element {
  const [alias, setAlias] = useState('');
  return (
    <div class="panel">
      <h2>Aliases</h2>
      {aliases.length === 0 ? <p>No alias.</p> : null}
      <ul class="chips">
        {aliases.map((name) => (
          <li key={name}>
            <code>{name}</code>{' '}
            <button
              type="button"
              class="secondary"
              disabled={busy}
              aria-label={`Delete alias ${name}`}
              onClick={() => void apply(`The alias ${name} is deleted.`, 'DeleteAlias', { AliasName: name, KeyId: undefined })}
            >
              Delete
            </button>
          </li>
        ))}
      </ul>
      <form
        class="inline"
        onSubmit={(event) => {
          event.preventDefault();
          const name = aliasName(alias);
          void apply(`The alias ${name} is added.`, 'CreateAlias', { AliasName: name }).then(() => setAlias(''));
        }}
      >
        <Field label="New alias" value={alias} onInput={setAlias} placeholder="alias/…" required />
        <button type="submit" disabled={busy}>
          Add alias
        </button>
      </form>
    </div>
  );
}

function Tags({ tags, busy, apply }: { readonly tags: readonly Answer[]; readonly busy: boolean; readonly apply: Apply }): JSX.Element {
  const [tagKey, setTagKey] = useState('');
  const [tagValue, setTagValue] = useState('');
  return (
    <div class="panel">
      <h2>Tags</h2>
      {tags.length === 0 ? <p>No tag.</p> : null}
      <ul class="chips">
        {tags.map((tag) => {
          const name = text(tag, 'TagKey');
          return (
            <li key={name}>
              <code>
                {name}={text(tag, 'TagValue')}
              </code>{' '}
              <button
                type="button"
                class="secondary"
                disabled={busy}
                aria-label={`Remove tag ${name}`}
                onClick={() => void apply(`The tag ${name} is removed.`, 'UntagResource', { TagKeys: JSON.stringify([name]) })}
              >
                Remove
              </button>
            </li>
          );
        })}
      </ul>
      <form
        class="inline"
        onSubmit={(event) => {
          event.preventDefault();
          void apply(`The tag ${tagKey} is set.`, 'TagResource', { Tags: JSON.stringify([{ TagKey: tagKey, TagValue: tagValue }]) }).then(
            () => {
              setTagKey('');
              setTagValue('');
            },
          );
        }}
      >
        <Field label="Tag key" value={tagKey} onInput={setTagKey} required />
        <Field label="Tag value" value={tagValue} onInput={setTagValue} />
        <button type="submit" disabled={busy}>
          Add tag
        </button>
      </form>
    </div>
  );
}
