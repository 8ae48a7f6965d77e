// The web console (console/, docs/adr/0037): static files built into dist/console by
// `npm run build`, served at /console/ beside the API. The console holds no privilege of its own:
// the browser signs every API call with the operator's access key, like any SDK.
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

export const CONSOLE_PATH = '/console/';

// The same place from src/api/ and from dist/api/: the release's built console.
const CONSOLE_DIRECTORY = fileURLToPath(new URL('../../dist/console/', import.meta.url));

/** The types of the files a console build holds; any other file in the directory is not served. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface ConsoleFile {
  readonly contentType: string;
  readonly body: Buffer;
}

/** The console's files by name (`index.html`, `console.js`, …), read once at start. */
export type ConsoleFiles = ReadonlyMap<string, ConsoleFile>;

/**
 * No script but the console's own file, no inline script or style, no request to another origin
 * (connect-src 'self': the API on the same port), no framing, no form posted anywhere.
 */
export const CONSOLE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONSOLE_CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  // Small files read from memory: revalidating costs nothing, and an upgrade is seen at once.
  'cache-control': 'no-cache',
};

/**
 * The built console in `directory` (the release's dist/console by default): its files of a known
 * type, or undefined when there is no build (`index.html` missing).
 */
export async function loadConsoleFiles(directory: string = CONSOLE_DIRECTORY): Promise<ConsoleFiles | undefined> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return undefined;
  }
  const files = new Map<string, ConsoleFile>();
  for (const name of names) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (contentType !== undefined) files.set(name, { contentType, body: await readFile(join(directory, name)) });
  }
  return files.has('index.html') ? files : undefined;
}

/**
 * GET /console/ (the page) and GET /console/<file> for each file of the build; /console without
 * the slash is redirected, so the page's relative links resolve. Only the names read at start
 * are routes: any other path under /console/ is the API's unknown path, never a file lookup.
 */
export function registerConsole(app: FastifyInstance, files: ConsoleFiles): void {
  app.get('/console', (_request, reply) => {
    void reply.code(308).header('location', CONSOLE_PATH).send();
  });
  for (const [name, file] of files) {
    const path = name === 'index.html' ? CONSOLE_PATH : `${CONSOLE_PATH}${name}`;
    app.get(path, (_request, reply) => sendFile(reply, file));
  }
}

function sendFile(reply: FastifyReply, file: ConsoleFile): void {
  void reply.code(200).headers(SECURITY_HEADERS).type(file.contentType).send(file.body);
}
