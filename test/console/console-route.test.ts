// The web console's static files at /console/ (src/api/console-route.ts): only the files of the
// build, with a strict Content-Security-Policy; nothing at all with --no-console.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { CONSOLE_CONTENT_SECURITY_POLICY, loadConsoleFiles, type ConsoleFiles } from '../../src/api/console-route.js';
import { createInjectApi } from '../support/inject-api.js';

const directory = mkdtempSync(join(tmpdir(), 'arca-console-'));
after(() => rmSync(directory, { recursive: true, force: true }));

function buildDirectory(name: string, files: Record<string, string>): string {
  const path = join(directory, name);
  mkdirSync(path);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(path, file), text);
  return path;
}

async function built(): Promise<ConsoleFiles> {
  const files = await loadConsoleFiles(
    buildDirectory(`build-${Math.random().toString(16).slice(2)}`, {
      'index.html': '<!doctype html><title>Arca console</title>',
      'console.js': 'export {};',
      'console.css': 'body{}',
      'notes.txt': 'not part of a build',
    }),
  );
  assert.ok(files);
  return files;
}

describe('loadConsoleFiles', () => {
  it('reads the files of known types and leaves the others out', async () => {
    const files = await built();
    assert.deepEqual([...files.keys()].sort(), ['console.css', 'console.js', 'index.html']);
    assert.equal(files.get('console.js')?.contentType, 'text/javascript; charset=utf-8');
  });

  it('gives nothing for a directory without index.html, or none at all', async () => {
    assert.equal(await loadConsoleFiles(buildDirectory('no-page', { 'console.js': 'export {};' })), undefined);
    assert.equal(await loadConsoleFiles(join(directory, 'missing')), undefined);
  });
});

describe('GET /console/', () => {
  it('serves the page and its files with the security headers', async () => {
    const api = await createInjectApi({ console: await built() });
    after(() => api.close());
    const page = await api.app.inject({ method: 'GET', url: '/console/' });
    assert.equal(page.statusCode, 200);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(page.body, '<!doctype html><title>Arca console</title>');
    assert.equal(page.headers['content-security-policy'], CONSOLE_CONTENT_SECURITY_POLICY);
    assert.match(CONSOLE_CONTENT_SECURITY_POLICY, /default-src 'none'/);
    assert.match(CONSOLE_CONTENT_SECURITY_POLICY, /script-src 'self';/);
    assert.match(CONSOLE_CONTENT_SECURITY_POLICY, /connect-src 'self';/);
    assert.doesNotMatch(CONSOLE_CONTENT_SECURITY_POLICY, /unsafe-inline|unsafe-eval|\*/);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.equal(page.headers['x-frame-options'], 'DENY');
    assert.equal(page.headers['referrer-policy'], 'no-referrer');

    const script = await api.app.inject({ method: 'GET', url: '/console/console.js' });
    assert.equal(script.statusCode, 200);
    assert.equal(script.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(script.body, 'export {};');

    const bare = await api.app.inject({ method: 'GET', url: '/console' });
    assert.equal(bare.statusCode, 308);
    assert.equal(bare.headers.location, '/console/');
  });

  it('answers any other path under /console/ as an unknown path, never a file lookup', async () => {
    const api = await createInjectApi({ console: await built() });
    after(() => api.close());
    for (const url of [
      '/console/notes.txt',
      '/console/../package.json',
      '/console/%2e%2e/package.json',
      '/console/index.html',
      '/console/x/console.js',
    ]) {
      const response = await api.app.inject({ method: 'GET', url });
      assert.equal(response.statusCode, 404, url);
      assert.equal(JSON.parse(response.body).Code, 'InvalidAction.NotFound', url);
    }
  });

  it('is not served without the console (--no-console)', async () => {
    const api = await createInjectApi();
    after(() => api.close());
    for (const url of ['/console/', '/console', '/console/console.js']) {
      const response = await api.app.inject({ method: 'GET', url });
      assert.equal(response.statusCode, 404, url);
    }
  });
});
