// The "Create key" form: CreateKey, then CreateAlias when an alias is given, then the new key.
import type { JSX, TargetedEvent } from 'preact';
import { useState } from 'preact/hooks';
import { text } from '../api.js';
import { hrefOf, navigate } from '../router.js';
import { ErrorBox, Field, Select, useAction, type Session } from '../ui.js';
import { KEY_SPECS } from '../values.js';

/** `env=prod, team=payments` → CreateKey's Tags; throws on an entry without `=`. */
export function tagsParam(textValue: string): string | undefined {
  const entries = textValue
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) return undefined;
  return JSON.stringify(
    entries.map((entry) => {
      const equals = entry.indexOf('=');
      if (equals <= 0) throw new Error(`The tag "${entry}" is not written key=value.`);
      return { TagKey: entry.slice(0, equals).trim(), TagValue: entry.slice(equals + 1).trim() };
    }),
  );
}

export function CreateKeyForm({ session, onCancel }: { readonly session: Session; readonly onCancel: () => void }): JSX.Element {
  const [description, setDescription] = useState('');
  const [keySpec, setKeySpec] = useState<string>(KEY_SPECS[0]);
  const [protectionLevel, setProtectionLevel] = useState('SOFTWARE');
  const [origin, setOrigin] = useState('Aliyun_KMS');
  const [rotationInterval, setRotationInterval] = useState('');
  const [tags, setTags] = useState('');
  const [alias, setAlias] = useState('');
  const create = useAction();

  const submit = (event: TargetedEvent<HTMLFormElement>): void => {
    event.preventDefault();
    void create.run(async () => {
      const rotating = rotationInterval.trim() !== '';
      const answer = await session.call('CreateKey', {
        Description: description,
        KeySpec: keySpec,
        ProtectionLevel: protectionLevel,
        Origin: origin,
        EnableAutomaticRotation: rotating ? 'true' : undefined,
        RotationInterval: rotating ? rotationInterval.trim() : undefined,
        Tags: tagsParam(tags),
      });
      const metadata = answer.KeyMetadata as Record<string, unknown> | undefined;
      const keyId = metadata === undefined ? '' : text(metadata, 'KeyId');
      if (alias.trim() !== '') await session.call('CreateAlias', { KeyId: keyId, AliasName: aliasName(alias) });
      navigate(origin === 'EXTERNAL' ? hrefOf.import(keyId) : hrefOf.key(keyId));
    });
  };

  return (
    <form class="panel" aria-label="Create key" onSubmit={submit}>
      <h2>Create key</h2>
      <Field label="Description" value={description} onInput={setDescription} multiline />
      <div class="row">
        <Select label="Key spec" value={keySpec} options={KEY_SPECS.map((spec) => [spec, spec] as const)} onChange={setKeySpec} />
        <Select
          label="Protection level"
          value={protectionLevel}
          options={[
            ['SOFTWARE', 'SOFTWARE'],
            ['HSM', 'HSM'],
          ]}
          onChange={setProtectionLevel}
        />
        <Select
          label="Origin"
          value={origin}
          options={[
            ['Aliyun_KMS', 'Aliyun_KMS (Arca makes the material)'],
            ['EXTERNAL', 'EXTERNAL (bring your own key)'],
          ]}
          onChange={setOrigin}
        />
      </div>
      <Field
        label="Rotation interval"
        value={rotationInterval}
        onInput={setRotationInterval}
        hint="Empty for no automatic rotation; otherwise a duration such as 30d or 720h."
      />
      <Field label="Tags" value={tags} onInput={setTags} hint="key=value pairs separated by commas, such as env=prod, team=payments." />
      <Field label="Alias" value={alias} onInput={setAlias} hint="Optional, such as alias/payments (alias/ is added when left out)." />
      <ErrorBox error={create.error} />
      <div class="buttons">
        <button type="submit" disabled={create.busy}>
          Create
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function aliasName(value: string): string {
  const trimmed = value.trim();
  return trimmed.startsWith('alias/') ? trimmed : `alias/${trimmed}`;
}
