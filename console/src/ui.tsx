// Shared pieces of the pages: a labelled field, the error box, the busy/error state of a call.
import type { ComponentChildren, JSX, PartialInputHTMLAttributes, TargetedEvent } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, callApi, type Answer, type Params } from './api.js';
import type { Credentials } from './signer.js';

/** What every page gets: the signed-in key and a way to call the API with it. */
export interface Session {
  readonly credentials: Credentials;
  call(action: string, params?: Params): Promise<Answer>;
}

export function sessionFor(credentials: Credentials): Session {
  return { credentials, call: (action, params) => callApi(credentials, action, params) };
}

let fieldCount = 0;
function useFieldId(): string {
  const id = useRef('');
  if (id.current === '') id.current = `field-${++fieldCount}`;
  return id.current;
}

interface FieldProps {
  readonly label: string;
  readonly value: string;
  readonly onInput: (value: string) => void;
  readonly type?: 'text' | 'password' | 'number' | 'datetime-local';
  readonly hint?: string;
  readonly required?: boolean;
  readonly multiline?: boolean;
  readonly autoComplete?: string;
  readonly placeholder?: string;
  readonly readOnly?: boolean;
  readonly min?: number;
  readonly max?: number;
}

/** A text field with its visible label (and a hint tied to it with aria-describedby). */
export function Field(props: FieldProps): JSX.Element {
  const id = useFieldId();
  const hintId = props.hint === undefined ? undefined : `${id}-hint`;
  const common = {
    id,
    value: props.value,
    required: props.required,
    readOnly: props.readOnly,
    placeholder: props.placeholder,
    'aria-describedby': hintId,
    onInput: (event: TargetedEvent<HTMLInputElement | HTMLTextAreaElement>) => props.onInput(event.currentTarget.value),
  };
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.multiline ? (
        <textarea {...common} rows={4} spellcheck={false} />
      ) : (
        inputOf(props.type ?? 'text', { ...common, autoComplete: props.autoComplete ?? 'off' }, props)
      )}
      {props.hint === undefined ? null : (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      )}
    </div>
  );
}

type InputCommon = Omit<PartialInputHTMLAttributes<HTMLInputElement>, 'type' | 'role'>;

// One branch per type: preact's input attributes are a union discriminated by the literal type.
function inputOf(type: NonNullable<FieldProps['type']>, common: InputCommon, props: FieldProps): JSX.Element {
  switch (type) {
    case 'password':
      return <input {...common} type="password" />;
    case 'number':
      return <input {...common} type="number" min={props.min} max={props.max} />;
    case 'datetime-local':
      return <input {...common} type="datetime-local" />;
    case 'text':
      return <input {...common} type="text" />;
  }
}

interface SelectProps {
  readonly label: string;
  readonly value: string;
  readonly options: ReadonlyArray<readonly [value: string, label: string]>;
  readonly onChange: (value: string) => void;
}

export function Select(props: SelectProps): JSX.Element {
  const id = useFieldId();
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select id={id} value={props.value} onChange={(event) => props.onChange(event.currentTarget.value)}>
        {props.options.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The API's refusal as it gave it (Code and Message), and in plain words when a permission is missing. */
export function ErrorBox({ error }: { readonly error: unknown }): JSX.Element | null {
  if (error === undefined || error === null) return null;
  if (!(error instanceof ApiError)) {
    return (
      <div class="error" role="alert">
        <p>{error instanceof Error ? error.message : 'Something went wrong.'}</p>
      </div>
    );
  }
  return (
    <div class="error" role="alert">
      {error.isMissingPermission ? (
        <p>
          <strong>Permission missing.</strong> This access key may not call {error.action}. An administrator can allow it with a policy
          granting <code>kms:{error.action}</code>.
        </p>
      ) : null}
      <p>
        <strong>{error.code}</strong>: {error.message}
      </p>
      {error.requestId === undefined ? null : <p class="hint">RequestId {error.requestId}</p>}
    </div>
  );
}

/** A status line read out by screen readers when it changes. */
export function Status({ children }: { readonly children: ComponentChildren }): JSX.Element {
  return (
    <p class="status" role="status">
      {children}
    </p>
  );
}

export interface Action<T> {
  readonly busy: boolean;
  readonly error: unknown;
  readonly run: (work: () => Promise<T>) => Promise<T | undefined>;
  readonly clear: () => void;
}

/** Runs one piece of work at a time, keeping its error to show. */
export function useAction<T = void>(): Action<T> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );
  const run = useCallback(async (work: () => Promise<T>) => {
    setBusy(true);
    setError(undefined);
    try {
      return await work();
    } catch (thrown) {
      if (mounted.current) setError(thrown);
      return undefined;
    } finally {
      if (mounted.current) setBusy(false);
    }
  }, []);
  return { busy, error, run, clear: () => setError(undefined) };
}

/** The page's heading, focused when the page opens so a screen reader announces where it is. */
export function PageHeading({ children }: { readonly children: ComponentChildren }): JSX.Element {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <h1 tabIndex={-1} ref={heading}>
      {children}
    </h1>
  );
}

/** A wire date (`2026-12-04T21:00:00Z`) as the operator's locale writes it, the wire form kept as title. */
export function WireDate({ value }: { readonly value: string }): JSX.Element {
  if (value === '') return <span>—</span>;
  const date = new Date(value);
  return <time dateTime={value}>{Number.isNaN(date.getTime()) ? value : date.toLocaleString()}</time>;
}

/** `{"a":"1"}` or empty → the EncryptionContext parameter; throws a plain Error for anything else. */
export function encryptionContextParam(text: string): string | undefined {
  if (text.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('The encryption context must be a JSON object of strings, such as {"purpose":"backup"}.');
  }
  const isObjectOfStrings =
    typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && Object.values(parsed).every((v) => typeof v === 'string');
  if (!isObjectOfStrings) throw new Error('The encryption context must be a JSON object of strings, such as {"purpose":"backup"}.');
  return JSON.stringify(parsed);
}
