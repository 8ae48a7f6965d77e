import { KmsError } from '../domain/errors.js';
import type { Page, PageOf } from '../domain/ports.js';
import type { AwsParams } from './aws-params.js';
import type { AwsBody } from './aws-shapes.js';

/** Where a list resumes (`Marker`) and how much it returns (`Limit`). */
export interface AwsListWindow {
  readonly offset: number;
  readonly limit: number;
}

const MARKER_PREFIX = 'arca-offset:';

/**
 * Reads `Limit` (from 1 to `max`, `defaultLimit` when absent) and `Marker`, the `NextMarker` of
 * an earlier page. A marker is opaque to the client; Arca's is the offset the next page starts at.
 */
export function listWindow(params: AwsParams, limits: { readonly defaultLimit: number; readonly max: number }): AwsListWindow {
  const limit = params.optionalInteger('Limit') ?? limits.defaultLimit;
  if (limit < 1 || limit > limits.max) throw new KmsError('InvalidInput', 'limit');
  const marker = params.optionalString('Marker');
  return { offset: marker === undefined ? 0 : offsetOf(marker), limit };
}

function offsetOf(marker: string): number {
  const text = Buffer.from(marker, 'base64').toString('utf8');
  const digits = text.startsWith(MARKER_PREFIX) ? text.slice(MARKER_PREFIX.length) : '';
  if (!/^[0-9]{1,9}$/.test(digits) || Buffer.from(text, 'utf8').toString('base64') !== marker) throw new KmsError('InvalidInput', 'marker');
  return Number(digits);
}

function markerOf(offset: number): string {
  return Buffer.from(`${MARKER_PREFIX}${offset}`, 'utf8').toString('base64');
}

/**
 * The store's page that holds the window. Clients keep `Limit` from page to page, so the window
 * is one page of that size; a window that starts inside a page (the limit changed) is read as
 * one page from the start and cut.
 */
export function pageFor(window: AwsListWindow): Page {
  if (window.offset % window.limit === 0) return { pageNumber: window.offset / window.limit + 1, pageSize: window.limit };
  return { pageNumber: 1, pageSize: window.offset + window.limit };
}

/** The window's items out of the page `pageFor` asked for. */
export function itemsOfPage<T>(window: AwsListWindow, page: PageOf<T>): readonly T[] {
  return window.offset % window.limit === 0 ? page.items : page.items.slice(window.offset);
}

/** The window of a list held whole. */
export function itemsOfList<T>(window: AwsListWindow, items: readonly T[]): readonly T[] {
  return items.slice(window.offset, window.offset + window.limit);
}

/** `Truncated`, and `NextMarker` when there is more. */
export function pagingFields(window: AwsListWindow, returned: number, totalCount: number): AwsBody {
  const next = window.offset + returned;
  return next < totalCount ? { Truncated: true, NextMarker: markerOf(next) } : { Truncated: false };
}
