// Keys: one server-side page of ListKeys at a time (state, spec and tag filters are ListKeys Filters),
// each key on the page described; find a key by id, alias or ARN; create a key.
import type { JSX, TargetedEvent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { count, listIn, text, type Answer } from '../api.js';
import { hrefOf, navigate } from '../router.js';
import { ErrorBox, Field, PageHeading, Select, Status, useAction, WireDate, type Session } from '../ui.js';
import { KEY_SPECS, KEY_STATES } from '../values.js';
import { CreateKeyForm } from './create-key.js';

const PAGE_SIZES = ['10', '20', '50', '100'] as const;

/** One row of the table: a key's metadata and its aliases. */
export interface KeyRow {
  readonly metadata: Answer;
  readonly aliases: readonly string[];
}

export async function describeRow(session: Session, keyId: string): Promise<KeyRow> {
  const [described, aliases] = await Promise.all([
    session.call('DescribeKey', { KeyId: keyId }),
    session.call('ListAliasesByKeyId', { KeyId: keyId, PageSize: '100' }),
  ]);
  const metadata = described.KeyMetadata;
  return {
    metadata: typeof metadata === 'object' && metadata !== null ? (metadata as Answer) : {},
    aliases: listIn(aliases, 'Aliases', 'Alias').map((alias) => text(alias, 'AliasName')),
  };
}

interface Filters {
  readonly state: string;
  readonly spec: string;
  readonly tagKey: string;
  readonly tagValue: string;
  readonly pageSize: string;
}

function filtersParam(filters: Filters): string | undefined {
  const entries = [
    ...(filters.state === '' ? [] : [{ Key: 'KeyState', Values: [filters.state] }]),
    ...(filters.spec === '' ? [] : [{ Key: 'KeySpec', Values: [filters.spec] }]),
    ...(filters.tagKey === '' ? [] : [{ Key: 'TagKey', Values: [filters.tagKey] }]),
    ...(filters.tagValue === '' ? [] : [{ Key: 'TagValue', Values: [filters.tagValue] }]),
  ];
  return entries.length === 0 ? undefined : JSON.stringify(entries);
}

interface Listing {
  readonly rows: readonly KeyRow[];
  readonly totalCount: number;
  readonly pageNumber: number;
}

export function KeysPage({ session }: { readonly session: Session }): JSX.Element {
  const [filters, setFilters] = useState<Filters>({ state: '', spec: '', tagKey: '', tagValue: '', pageSize: '10' });
  const [pageNumber, setPageNumber] = useState(1);
  const [listing, setListing] = useState<Listing | undefined>(undefined);
  const [creating, setCreating] = useState(false);
  const load = useAction();

  useEffect(() => {
    void load.run(async () => {
      const answer = await session.call('ListKeys', {
        PageNumber: String(pageNumber),
        PageSize: filters.pageSize,
        Filters: filtersParam(filters),
      });
      const ids = listIn(answer, 'Keys', 'Key').map((key) => text(key, 'KeyId'));
      const rows = await Promise.all(ids.map((keyId) => describeRow(session, keyId)));
      setListing({ rows, totalCount: count(answer, 'TotalCount'), pageNumber });
    });
  }, [session, filters, pageNumber]);

  const changeFilters = (change: Partial<Filters>): void => {
    setFilters({ ...filters, ...change });
    setPageNumber(1);
  };
  const pageCount = listing === undefined ? 1 : Math.max(1, Math.ceil(listing.totalCount / Number(filters.pageSize)));

  return (
    <section>
      <div class="title-row">
        <PageHeading>Keys</PageHeading>
        <button type="button" aria-expanded={creating} onClick={() => setCreating(!creating)}>
          Create key
        </button>
      </div>
      {creating ? <CreateKeyForm session={session} onCancel={() => setCreating(false)} /> : null}
      <FindKey session={session} />
      <div class="filters" role="group" aria-label="Filters">
        <Select
          label="State"
          value={filters.state}
          options={[['', 'Any state'], ...KEY_STATES.map((state) => [state, state] as const)]}
          onChange={(state) => changeFilters({ state })}
        />
        <Select
          label="Spec"
          value={filters.spec}
          options={[['', 'Any spec'], ...KEY_SPECS.map((spec) => [spec, spec] as const)]}
          onChange={(spec) => changeFilters({ spec })}
        />
        <Select
          label="Keys per page"
          value={filters.pageSize}
          options={PAGE_SIZES.map((size) => [size, size] as const)}
          onChange={(pageSize) => changeFilters({ pageSize })}
        />
      </div>
      <TagFilter onApply={(tagKey, tagValue) => changeFilters({ tagKey, tagValue })} />
      <ErrorBox error={load.error} />
      {listing === undefined ? <Status>{load.busy ? 'Loading keys…' : ''}</Status> : <KeyTable rows={listing.rows} />}
      <div class="pager">
        <button type="button" disabled={load.busy || pageNumber <= 1} onClick={() => setPageNumber(pageNumber - 1)}>
          Previous page
        </button>
        <Status>
          {listing === undefined ? '' : `Page ${listing.pageNumber} of ${pageCount}, ${listing.totalCount} keys`}
          {load.busy && listing !== undefined ? ' (loading…)' : ''}
        </Status>
        <button type="button" disabled={load.busy || pageNumber >= pageCount} onClick={() => setPageNumber(pageNumber + 1)}>
          Next page
        </button>
      </div>
    </section>
  );
}

/** ListKeys' TagKey and TagValue filters, applied together with the button (or Enter). */
function TagFilter({ onApply }: { readonly onApply: (tagKey: string, tagValue: string) => void }): JSX.Element {
  const [tagKey, setTagKey] = useState('');
  const [tagValue, setTagValue] = useState('');
  const submit = (event: TargetedEvent<HTMLFormElement>): void => {
    event.preventDefault();
    onApply(tagKey.trim(), tagValue.trim());
  };
  return (
    <form class="filters" aria-label="Filter by tag" onSubmit={submit}>
      <Field label="With a tag key" value={tagKey} onInput={setTagKey} />
      <Field label="With a tag value" value={tagValue} onInput={setTagValue} />
      <button type="submit">Filter by tag</button>
    </form>
  );
}

/** Search: a key id, an alias (alias/…) or an ARN goes to DescribeKey, which opens the key. */
function FindKey({ session }: { readonly session: Session }): JSX.Element {
  const [reference, setReference] = useState('');
  const find = useAction();
  const submit = (event: TargetedEvent<HTMLFormElement>): void => {
    event.preventDefault();
    void find.run(async () => {
      const row = await describeRow(session, reference.trim());
      navigate(hrefOf.key(text(row.metadata, 'KeyId')));
    });
  };
  return (
    <form class="find" role="search" onSubmit={submit}>
      <Field label="Find a key" value={reference} onInput={setReference} hint="A key id, an alias (alias/…) or an ARN." required />
      <button type="submit" disabled={find.busy}>
        Find
      </button>
      <ErrorBox error={find.error} />
    </form>
  );
}

function KeyTable({ rows }: { readonly rows: readonly KeyRow[] }): JSX.Element {
  if (rows.length === 0) return <Status>No keys match.</Status>;
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label="Keys table">
      <table>
        <caption class="visually-hidden">Keys on this page</caption>
        <thead>
          <tr>
            <th scope="col">Key id</th>
            <th scope="col">Aliases</th>
            <th scope="col">Spec</th>
            <th scope="col">Protection level</th>
            <th scope="col">State</th>
            <th scope="col">Created</th>
            <th scope="col">Description</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ metadata, aliases }) => {
            const keyId = text(metadata, 'KeyId');
            return (
              <tr key={keyId}>
                <td>
                  <a href={hrefOf.key(keyId)}>{keyId}</a>
                </td>
                <td>{aliases.join(', ')}</td>
                <td>{text(metadata, 'KeySpec')}</td>
                <td>{text(metadata, 'ProtectionLevel')}</td>
                <td>
                  <span class={`state state-${text(metadata, 'KeyState')}`}>{text(metadata, 'KeyState')}</span>
                </td>
                <td>
                  <WireDate value={text(metadata, 'CreationDate')} />
                </td>
                <td>{text(metadata, 'Description')}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
