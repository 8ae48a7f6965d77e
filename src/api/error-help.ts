// The `Recommend` link of an error body, and the document it points to by default. docs/errors.md
// ("Recommend") says why it is this link.
import { readFile } from 'node:fs/promises';

/** Where the server serves the error catalog of its own release (docs/errors.md). */
export const ERRORS_DOCUMENT_PATH = '/docs/errors.md';

// The same place from src/api/ and from dist/api/: the release's docs folder.
const ERRORS_DOCUMENT_FILE = new URL('../../docs/errors.md', import.meta.url);

/**
 * The troubleshooting link for an error `code`: the help URL (`--error-help-url`, else this
 * server's own ERRORS_DOCUMENT_PATH) with the Code as its `q` parameter, as Alibaba's
 * troubleshooting links carry it.
 */
export function recommendFor(code: string, errorHelpUrl: string | undefined): string {
  if (errorHelpUrl === undefined) return `${ERRORS_DOCUMENT_PATH}?q=${encodeURIComponent(code)}`;
  const url = new URL(errorHelpUrl);
  url.searchParams.set('q', code);
  return url.href;
}

let errorsDocument: Promise<Buffer | undefined> | undefined;

/** The text of the release's docs/errors.md, read once; undefined when the release ships without it. */
export function readErrorsDocument(): Promise<Buffer | undefined> {
  errorsDocument ??= readFile(ERRORS_DOCUMENT_FILE).catch(() => undefined);
  return errorsDocument;
}
