// The web console in a real browser (Chromium through playwright-core) against a real server
// process: what an operator does, checked on the page and, where it matters, through the API.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';

import { callOk, send, signAcs3 } from '../support/acs3-signer.js';
import { ensureBuilt, killAllArcas, randomCredentials, spawnArca, type ArcaProcess } from '../support/arca-process.js';
import { describeViolations, launchChromium, screenshot, seriousAccessibilityViolations } from '../support/browser.js';
import { newDataDir, removeDataDirs } from '../support/data-dirs.js';

const credentials = randomCredentials('console');
let arca: ArcaProcess;
let browser: Browser;
let origin: string;
/** Every request any page of these tests made, for the same-origin check at the end. */
const requests: Request[] = [];
/** Console messages about the Content-Security-Policy (a blocked script, style or connection). */
const policyViolations: string[] = [];
const contexts: BrowserContext[] = [];

before(async () => {
  ensureBuilt();
  arca = await spawnArca({ dataDir: newDataDir('arca-console-'), credentials });
  origin = `http://127.0.0.1:${arca.port}`;
  browser = await launchChromium();
});

after(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  killAllArcas();
  removeDataDirs();
});

async function newPage(viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(10_000);
  contexts.push(context);
  context.on('request', (request) => requests.push(request));
  const page = await context.newPage();
  page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) policyViolations.push(message.text());
  });
  return page;
}

async function openConsole(page: Page): Promise<void> {
  await page.goto(`${origin}/console/`);
  await page.getByLabel('AccessKey ID').waitFor();
}

async function signIn(page: Page, key = credentials): Promise<void> {
  await openConsole(page);
  await page.getByLabel('AccessKey ID').fill(key.accessKeyId);
  await page.getByLabel('AccessKey Secret').fill(key.accessKeySecret);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function signedIn(): Promise<Page> {
  const page = await newPage();
  await signIn(page);
  await page.getByRole('heading', { name: 'Keys', exact: true }).waitFor();
  return page;
}

/** Creates a key through the "Create key" form and gives its id, read from the key's page. */
async function createKeyInConsole(
  page: Page,
  fields: { description: string; alias?: string; tags?: string; origin?: string; rotationInterval?: string },
): Promise<string> {
  await page.getByRole('link', { name: 'Keys', exact: true }).click();
  const form = page.getByRole('form', { name: 'Create key' });
  if (!(await form.isVisible())) await page.getByRole('button', { name: 'Create key' }).click();
  await form.getByLabel('Description').fill(fields.description);
  await form.getByLabel('Key spec').selectOption('Aliyun_AES_256');
  await form.getByLabel('Protection level').selectOption('SOFTWARE');
  if (fields.origin) await form.getByLabel('Origin').selectOption(fields.origin);
  if (fields.tags) await form.getByLabel('Tags').fill(fields.tags);
  if (fields.rotationInterval) await form.getByLabel('Rotation interval').fill(fields.rotationInterval);
  if (fields.alias) await form.getByLabel('Alias').fill(fields.alias);
  await form.getByRole('button', { name: 'Create', exact: true }).click();
  if (fields.origin === 'EXTERNAL') {
    await page.getByRole('heading', { name: 'Import key material (BYOK)' }).waitFor();
    return page.getByLabel('External key').inputValue();
  }
  const heading = page.getByRole('heading', { level: 1, name: /^Key / });
  await heading.waitFor();
  return ((await heading.textContent()) ?? '').replace(/^Key /, '');
}

const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const stateOnPage = (page: Page) => page.locator('dl.metadata .state');

describe('the web console in Chromium', () => {
  it('loads in under a second on loopback, from this origin only', async () => {
    const page = await newPage();
    await openConsole(page);
    const loadMs: number = await page.evaluate(
      "(([navigation]) => navigation.loadEventEnd - navigation.startTime)(performance.getEntriesByType('navigation'))",
    );
    assert.ok(loadMs >= 0 && loadMs < 1000, `the console loaded in ${loadMs} ms`);
    const resources: string[] = await page.evaluate("performance.getEntriesByType('resource').map((entry) => entry.name)");
    assert.ok(resources.length >= 2, `the page loaded its script and style sheet: ${resources.join(', ')}`);
    for (const resource of resources) assert.ok(resource.startsWith(`${origin}/console/`), resource);
    await screenshot(page, 'sign-in');
  });

  it('refuses a wrong secret with the API’s Code and Message, and stays on the sign-in form', async () => {
    const page = await newPage();
    await signIn(page, { accessKeyId: credentials.accessKeyId, accessKeySecret: 'not-the-secret-at-all' });
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /SignatureDoesNotMatch: .+/);
    assert.equal(await page.getByRole('button', { name: 'Sign in' }).isVisible(), true);
    assert.equal(await page.evaluate('sessionStorage.length'), 0, 'a refused key is not kept');
    await screenshot(page, 'sign-in-refused');

    await signIn(page, { accessKeyId: 'LTAInobodyHasThisKey01', accessKeySecret: 'whatever' });
    await page.getByText(/InvalidAccessKeyId\.NotFound/).waitFor();
  });

  it('signs in, creates a key, finds it, rotates it, disables it, sees Encrypt refused, schedules its deletion', async () => {
    const page = await signedIn();
    const tag = randomBytes(4).toString('hex');
    const description = `console key ${tag}`;
    const alias = `alias/console-${tag}`;
    const keyId = await createKeyInConsole(page, { description, alias, tags: `env=test, run=${tag}`, rotationInterval: '30d' });
    assert.match(keyId, KEY_ID);
    const created = (await callOk(arca, credentials, 'DescribeKey', { KeyId: keyId })).KeyMetadata;
    assert.equal(created.Description, description);
    assert.equal(created.AutomaticRotation, 'Enabled');
    assert.equal(created.RotationInterval, '2592000s');
    await page.getByText(alias).waitFor();
    await page.getByText(`run=${tag}`).waitFor();

    // In the list, with its alias, spec, protection level, state and description.
    await page.getByRole('link', { name: 'Keys', exact: true }).click();
    const row = page.getByRole('row').filter({ hasText: description });
    await row.waitFor();
    const rowText = (await row.textContent()) ?? '';
    for (const expected of [keyId, alias, 'Aliyun_AES_256', 'SOFTWARE', 'Enabled', description])
      assert.ok(rowText.includes(expected), `${expected} in ${rowText}`);
    await page.getByLabel('State').selectOption('Disabled');
    await page.getByText('No keys match.').waitFor();
    await page.getByLabel('State').selectOption('Enabled');
    await row.waitFor();
    // The tag filter is ListKeys' TagKey/TagValue: the one key tagged run=<tag>.
    await page.getByLabel('With a tag key').fill('run');
    await page.getByLabel('With a tag value').fill(tag);
    await page.getByRole('button', { name: 'Filter by tag' }).click();
    await page.getByText('Page 1 of 1, 1 keys').waitFor();
    assert.equal(await page.getByRole('region', { name: 'Keys table' }).locator('tbody tr').count(), 1);
    await page.getByLabel('With a tag value').fill('another-run');
    await page.getByRole('button', { name: 'Filter by tag' }).click();
    await page.getByText('No keys match.').waitFor();
    await page.getByLabel('With a tag key').fill('');
    await page.getByLabel('With a tag value').fill('');
    await page.getByRole('button', { name: 'Filter by tag' }).click();
    await row.waitFor();
    await screenshot(page, 'keys');

    // Found by its alias.
    await page.getByLabel('Find a key').fill(alias);
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('heading', { name: `Key ${keyId}` }).waitFor();

    await page.getByRole('button', { name: 'Rotate' }).click();
    await page.getByText('A new primary version was made.').waitFor();
    const versions = page.getByRole('region', { name: 'Versions table' }).locator('tbody tr');
    assert.equal(await versions.count(), 2);
    assert.equal(await versions.filter({ hasText: 'Primary' }).count(), 1);
    const listed = await callOk(arca, credentials, 'ListKeyVersions', { KeyId: keyId });
    assert.equal(listed.TotalCount, 2);

    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByText('The key is disabled.').waitFor();
    assert.equal(await stateOnPage(page).textContent(), 'Disabled');
    await page.getByRole('button', { name: 'Enable' }).waitFor();

    await page.getByRole('link', { name: 'Try this key' }).click();
    await page.getByRole('heading', { name: 'Try it' }).waitFor();
    assert.equal(await page.getByLabel('Key to encrypt with').inputValue(), keyId);
    await page.getByLabel('Plaintext', { exact: true }).fill('a secret to keep');
    await page.getByRole('button', { name: 'Encrypt' }).click();
    const refusal = page.getByRole('alert');
    await refusal.waitFor();
    assert.match((await refusal.textContent()) ?? '', /Rejected\.Disabled: The request was rejected because the key state is Disabled\./);
    await screenshot(page, 'try-it-refused');

    await page.goto(`${origin}/console/#/keys/${keyId}`);
    await page.getByLabel('Pending window (days)').fill('7');
    await page.getByRole('button', { name: 'Schedule deletion' }).click();
    const confirmation = page.getByRole('alertdialog');
    assert.match((await confirmation.textContent()) ?? '', new RegExp(`Delete key ${keyId} after 7 days\\?`));
    // The confirmation takes the focus once it has rendered (an effect, so wait for it): Enter confirms.
    await page.waitForFunction(`document.activeElement?.textContent === ${JSON.stringify(`Delete key ${keyId}`)}`, undefined, {
      timeout: 5_000,
    });
    assert.equal(await page.evaluate('document.activeElement.textContent'), `Delete key ${keyId}`);
    await page.keyboard.press('Enter');
    await page.getByText(`Key ${keyId} is scheduled for deletion in 7 days.`).waitFor();
    assert.equal(await stateOnPage(page).textContent(), 'PendingDeletion');
    await page.getByRole('button', { name: 'Cancel deletion' }).waitFor();
    const described = await callOk(arca, credentials, 'DescribeKey', { KeyId: keyId });
    assert.equal(described.KeyMetadata.KeyState, 'PendingDeletion');
    const days = (Date.parse(described.KeyMetadata.DeleteDate) - Date.now()) / 86_400_000;
    assert.ok(days > 6.9 && days <= 7, `deleted in ${days} days`);
    await screenshot(page, 'key-detail');
  });

  it('edits a key: description, deletion protection, rotation policy, aliases and tags', async () => {
    const page = await signedIn();
    const tag = randomBytes(4).toString('hex');
    const keyId = await createKeyInConsole(page, { description: `to edit ${tag}` });

    await page.getByLabel('Key description').fill(`edited ${tag}`);
    await page.getByRole('button', { name: 'Save description' }).click();
    await page.getByText('The description is saved.').waitFor();

    await page.getByLabel('Why it is protected').fill('holds the backups');
    await page.getByRole('button', { name: 'Turn on deletion protection' }).click();
    await page.getByText('Deletion protection is on.').waitFor();
    await page.getByRole('button', { name: 'Schedule deletion' }).click();
    await page
      .getByRole('alertdialog')
      .getByRole('button', { name: `Delete key ${keyId}` })
      .click();
    await page.getByRole('alert').filter({ hasText: 'Rejected.StateModifiedFailed: The key is protected from deletion.' }).waitFor();

    await page.getByLabel('Rotate automatically').check();
    await page.getByLabel('Rotation interval').fill('30d');
    await page.getByRole('button', { name: 'Save rotation policy' }).click();
    await page.getByText('The rotation policy is saved.').waitFor();

    await page.getByLabel('New alias').fill(`edit-${tag}`);
    await page.getByRole('button', { name: 'Add alias' }).click();
    await page.getByText(`The alias alias/edit-${tag} is added.`).waitFor();
    await page.getByLabel('Tag key').fill('team');
    await page.getByLabel('Tag value').fill('payments');
    await page.getByRole('button', { name: 'Add tag' }).click();
    await page.getByText('team=payments').waitFor();

    const described = (await callOk(arca, credentials, 'DescribeKey', { KeyId: keyId })).KeyMetadata;
    assert.equal(described.Description, `edited ${tag}`);
    assert.equal(described.DeletionProtection, 'Enabled');
    assert.equal(described.DeletionProtectionDescription, 'holds the backups');
    assert.equal(described.KeyState, 'Enabled');
    assert.equal(described.AutomaticRotation, 'Enabled');
    assert.equal(described.RotationInterval, '2592000s');
    const aliases = await callOk(arca, credentials, 'ListAliasesByKeyId', { KeyId: keyId });
    assert.deepEqual(
      aliases.Aliases.Alias.map((entry: { AliasName: string }) => entry.AliasName),
      [`alias/edit-${tag}`],
    );

    await page.getByRole('button', { name: `Delete alias alias/edit-${tag}` }).click();
    await page.getByText(`The alias alias/edit-${tag} is deleted.`).waitFor();
    await page.getByRole('button', { name: 'Remove tag team' }).click();
    await page.getByText('The tag team is removed.').waitFor();
    assert.equal((await callOk(arca, credentials, 'ListAliasesByKeyId', { KeyId: keyId })).TotalCount, 0);
    assert.deepEqual((await callOk(arca, credentials, 'ListResourceTags', { KeyId: keyId })).Tags.Tag, []);
  });

  it('Try it: encrypts with a context, decrypts the blob, refuses another context, generates a data key', async () => {
    const page = await signedIn();
    const keyId = await createKeyInConsole(page, { description: 'try it' });
    await page.getByRole('link', { name: 'Try it' }).click();
    await page.getByLabel('Key to encrypt with').fill(keyId);
    await page.getByLabel('Plaintext', { exact: true }).fill('hello from the console');
    await page.getByLabel('Encryption context for encrypting').fill('{"purpose":"e2e"}');
    await page.getByRole('button', { name: 'Encrypt' }).click();
    const blob = await page.getByLabel('Ciphertext blob', { exact: true }).inputValue();
    assert.match(blob, /^[A-Za-z0-9+/]+=*$/);

    await page.getByLabel('Ciphertext blob to decrypt').fill(blob);
    await page.getByLabel('Encryption context for decrypting').fill('{"purpose":"other"}');
    await page.getByRole('button', { name: 'Decrypt' }).click();
    await page.getByRole('alert').filter({ hasText: 'InvalidParameter: The specified parameter "CiphertextBlob" is not valid.' }).waitFor();
    await page.getByLabel('Encryption context for decrypting').fill('{"purpose":"e2e"}');
    await page.getByRole('button', { name: 'Decrypt' }).click();
    assert.equal(await page.getByLabel('Decrypted plaintext').inputValue(), 'hello from the console');

    await page.getByLabel('Key to protect the data key').fill(keyId);
    await page.getByRole('button', { name: 'Generate data key' }).click();
    const dataKey = await page.getByLabel('Data key (base64), keep it secret').inputValue();
    assert.equal(Buffer.from(dataKey, 'base64').length, 32);
    const encrypted = await page.getByLabel('Encrypted data key').inputValue();
    const opened = await callOk(arca, credentials, 'Decrypt', { CiphertextBlob: encrypted });
    assert.equal(opened.Plaintext, dataKey);
    await screenshot(page, 'try-it');
  });

  it('imports key material into an EXTERNAL key, wrapped in the browser, with an expiry', async () => {
    const page = await signedIn();
    const keyId = await createKeyInConsole(page, { description: 'byok', origin: 'EXTERNAL' });
    assert.equal((await callOk(arca, credentials, 'DescribeKey', { KeyId: keyId })).KeyMetadata.KeyState, 'PendingImport');
    await page.getByRole('button', { name: 'Get wrapping key' }).click();
    await page.getByText(/Wrapping key and import token received/).waitFor();

    await page
      .getByLabel('Key material file')
      .setInputFiles({ name: 'short.bin', mimeType: 'application/octet-stream', buffer: randomBytes(16) });
    await page.getByRole('button', { name: 'Wrap key material' }).click();
    await page.getByRole('alert').filter({ hasText: 'takes exactly 32 bytes' }).waitFor();

    await page
      .getByLabel('Key material file')
      .setInputFiles({ name: 'key.bin', mimeType: 'application/octet-stream', buffer: randomBytes(32) });
    await page.getByRole('button', { name: 'Wrap key material' }).click();
    await page.getByText('key.bin is wrapped with RSAES_OAEP_SHA_256.').waitFor();
    await page.getByLabel('The material expires').check();
    const expiry = new Date(Date.now() + 30 * 86_400_000);
    const local = new Date(expiry.getTime() - expiry.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await page.getByLabel('Material expiry').fill(local);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText(`The key material is imported into ${keyId}.`).waitFor();
    await screenshot(page, 'import');

    const described = (await callOk(arca, credentials, 'DescribeKey', { KeyId: keyId })).KeyMetadata;
    assert.equal(described.KeyState, 'Enabled');
    const expiresInDays = (Date.parse(described.MaterialExpireTime) - Date.now()) / 86_400_000;
    assert.ok(expiresInDays > 29.9 && expiresInDays < 30.1, `expires in ${expiresInDays} days`);
    const sealed = await callOk(arca, credentials, 'Encrypt', { KeyId: keyId, Plaintext: 'imported' });
    assert.equal((await callOk(arca, credentials, 'Decrypt', { CiphertextBlob: sealed.CiphertextBlob })).Plaintext, 'imported');
  });

  it('Sign out forgets the access key', async () => {
    const page = await signedIn();
    assert.equal(await page.evaluate('sessionStorage.length'), 1);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.equal(await page.evaluate('sessionStorage.length'), 0);
    assert.equal(await page.evaluate('localStorage.length'), 0);
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
  });

  it('has no serious or critical accessibility violation on any page (axe-core)', async () => {
    const page = await newPage();
    const pages: Array<[string, () => Promise<void>]> = [
      ['sign-in', () => openConsole(page)],
      [
        'keys',
        async () => {
          await signIn(page);
          await page.getByRole('button', { name: 'Create key' }).click();
          await page.getByRole('form', { name: 'Create key' }).waitFor();
        },
      ],
      [
        'key detail',
        async () => {
          const keyId = await createKeyInConsole(page, { description: 'accessibility' });
          await page.getByRole('button', { name: 'Schedule deletion' }).click();
          await page.getByRole('alertdialog').waitFor();
          assert.match(keyId, KEY_ID);
        },
      ],
      [
        'try it',
        async () => {
          await page.getByRole('link', { name: 'Try it' }).click();
          await page.getByLabel('Key to encrypt with').fill('alias/none');
          await page.getByLabel('Plaintext', { exact: true }).fill('x');
          await page.getByRole('button', { name: 'Encrypt' }).click();
          await page.getByRole('alert').waitFor();
        },
      ],
      [
        'import',
        async () => {
          await page.getByRole('link', { name: 'Import' }).click();
          await page.getByRole('heading', { name: 'Import key material (BYOK)' }).waitFor();
        },
      ],
    ];
    for (const [name, open] of pages) {
      await open();
      const violations = await seriousAccessibilityViolations(page);
      assert.equal(violations.length, 0, `${name}:\n${describeViolations(violations)}`);
    }
  });

  it('works by keyboard alone: sign in and open the create form', async () => {
    const page = await newPage();
    await openConsole(page);
    await page.getByLabel('AccessKey ID').focus();
    await page.keyboard.type(credentials.accessKeyId);
    await page.keyboard.press('Tab');
    await page.keyboard.type(credentials.accessKeySecret);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Keys', exact: true }).waitFor();
    // Every interactive element can take the focus and has a name.
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByRole('form', { name: 'Create key' }).waitFor();
    // Every control can take the focus and has a name: a field its label, a button or link its text.
    const unreachableOrUnnamed: string[] = await page.evaluate(`
      [...document.querySelectorAll('a, button, input, select, textarea')]
        .filter((element) => {
          const named = ['INPUT', 'SELECT', 'TEXTAREA'].includes(element.tagName)
            ? element.labels.length > 0
            : (element.getAttribute('aria-label') ?? element.textContent ?? '').trim() !== '';
          return element.tabIndex < 0 || !named;
        })
        .map((element) => element.outerHTML)
    `);
    assert.deepEqual(unreachableOrUnnamed, []);
    await page.getByRole('button', { name: 'Cancel' }).click();
    for (let step = 0; step < 30; step += 1) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate('document.activeElement?.textContent')) === 'Create key') break;
    }
    await page.keyboard.press('Enter');
    await page.getByRole('form', { name: 'Create key' }).waitFor();
  });

  it('fits a narrow window (375 px): no page wider than the screen', async () => {
    const page = await newPage({ width: 375, height: 800 });
    await signIn(page);
    await page.getByRole('heading', { name: 'Keys', exact: true }).waitFor();
    await createKeyInConsole(page, { description: 'narrow window' });
    for (const [name, hash] of [
      ['keys-narrow', '#/keys'],
      ['key-detail-narrow', undefined],
      ['try-it-narrow', '#/try'],
      ['import-narrow', '#/import'],
    ] as const) {
      if (hash !== undefined) await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.waitForLoadState('networkidle');
      const overflow: number = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      assert.ok(overflow <= 0, `${name} is ${overflow} px wider than the window`);
      await screenshot(page, name);
    }
  });

  it('pages the key list on the server', async () => {
    const before = (await callOk(arca, credentials, 'ListKeys', { PageSize: '1' })).TotalCount as number;
    for (let index = before; index < 13; index += 1) await callOk(arca, credentials, 'CreateKey', { Description: `paging ${index}` });
    const total = (await callOk(arca, credentials, 'ListKeys', { PageSize: '1' })).TotalCount as number;
    assert.ok(total > 10);
    const page = await signedIn();
    const rows = page.getByRole('region', { name: 'Keys table' }).locator('tbody tr');
    await page.getByText(`Page 1 of 2, ${total} keys`).waitFor();
    assert.equal(await rows.count(), 10);
    await screenshot(page, 'keys-page-1');
    const secondPage = page.waitForRequest((request) => new URL(request.url()).searchParams.get('PageNumber') === '2');
    await page.getByRole('button', { name: 'Next page' }).click();
    const listCall = await secondPage;
    assert.equal(listCall.headers()['x-acs-action'], 'ListKeys');
    assert.equal(new URL(listCall.url()).searchParams.get('PageSize'), '10');
    await page.getByText(`Page 2 of 2, ${total} keys`).waitFor();
    assert.equal(await rows.count(), total - 10);
    assert.equal(await page.getByRole('button', { name: 'Next page' }).isDisabled(), true);
  });

  it('made every request to its own origin, none carrying the secret, and broke no Content-Security-Policy rule', () => {
    assert.ok(requests.length > 50, `only ${requests.length} requests were recorded`);
    const apiCalls = requests.filter((request) => request.method() === 'POST' && new URL(request.url()).pathname === '/');
    assert.ok(apiCalls.length > 30, `${apiCalls.length} API calls`);
    for (const request of requests) {
      assert.equal(new URL(request.url()).origin, origin, request.url());
      const sent = [request.url(), request.postData() ?? '', ...Object.values(request.headers())].join('\n');
      assert.ok(!sent.includes(credentials.accessKeySecret), `the secret was sent in ${request.method()} ${request.url()}`);
    }
    for (const call of apiCalls) assert.match(call.headers().authorization ?? '', /^ACS3-HMAC-SHA256 Credential=/);
    assert.deepEqual(policyViolations, []);
  });
});

describe('arca server and the console', () => {
  it('serves the built console with its Content-Security-Policy, and nothing with --no-console', async () => {
    const page = await fetch(`${origin}/console/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy') ?? '', /^default-src 'none'; script-src 'self';.*connect-src 'self'/);
    const html = await page.text();
    assert.match(html, /<script type="module" src="console.js"><\/script>/);
    assert.doesNotMatch(html, /<script>|<style|\son[a-z]+=|https?:\/\//i, 'no inline script or style, no link to another host');
    const script = await fetch(`${origin}/console/console.js`);
    assert.equal(script.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.doesNotMatch(await script.text(), /https?:\/\/(?!www\.w3\.org)/, 'the script names no other host');

    const without = await spawnArca({ dataDir: newDataDir('arca-no-console-'), credentials, args: ['--no-console'] });
    try {
      for (const path of ['/console/', '/console/console.js']) {
        const refused = await fetch(`http://${without.endpoint}${path}`);
        assert.equal(refused.status, 404, path);
        assert.equal(((await refused.json()) as { Code: string }).Code, 'InvalidAction.NotFound');
      }
      assert.equal((await callOk(without, credentials, 'DescribeAccountKmsStatus')).AccountStatus, 'Enabled');
    } finally {
      await without.stop();
    }
  });

  it('signs in a RAM user whose policies allow nothing, and says which permission is missing', async () => {
    const admin = randomCredentials('limited');
    const dataDir = newDataDir('arca-console-limited-');
    const server = await spawnArca({ dataDir, credentials: admin });
    try {
      // A RAM user made through the RAM API, with no policy attached: an implicit deny.
      const ram = async (action: string, params: Record<string, string>): Promise<any> => {
        const response = await send(
          server,
          signAcs3({ credentials: admin, host: server.endpoint, action, version: '2015-05-01', query: params }),
        );
        assert.equal(response.status, 200, response.text);
        return response.json;
      };
      await ram('CreateUser', { UserName: 'operator' });
      const { AccessKey } = await ram('CreateAccessKey', { UserName: 'operator' });
      const limited = { accessKeyId: AccessKey.AccessKeyId as string, accessKeySecret: AccessKey.AccessKeySecret as string };
      const page = await newPage();
      await page.goto(`http://${server.endpoint}/console/`);
      await page.getByLabel('AccessKey ID').fill(limited.accessKeyId);
      await page.getByLabel('AccessKey Secret').fill(limited.accessKeySecret);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Keys', exact: true }).waitFor();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      const message = (await alert.textContent()) ?? '';
      assert.match(message, /Permission missing\. This access key may not call ListKeys\./);
      assert.match(message, /kms:ListKeys/);
      assert.match(message, /Forbidden\.RAM: User not authorized to operate on the specified resource/);
      await screenshot(page, 'keys-permission-missing');
    } finally {
      await server.stop();
    }
  });
});
