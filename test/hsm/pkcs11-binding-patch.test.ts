// Arca's patch to pkcs11js 2.1.7 (patches/pkcs11js-2.1.7-nested-templates.patch, applied by
// scripts/patch-pkcs11js.mjs): nested templates reach the module, and a template the binding
// refuses is a TypeError, not a process abort. Unpatched, the refusals below kill the process
// (SIGSEGV, or "munmap_chunk(): invalid pointer" and SIGABRT), so they run in a child process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { bindingTakesNestedTemplates } from '../../src/protection/pkcs11/binding.js';
import { hsmSkipReason, newSoftHsmDirectory, type SoftHsmDirectory, type SoftHsmToken } from '../support/softhsm.js';

const BINDING = createRequire(import.meta.url).resolve('pkcs11js');

// Runs in the child: a session on the token, then templates the binding must pass or refuse.
const CHILD = `
const P = require(process.env.BINDING);
const p = new P.PKCS11();
p.load(process.env.MODULE);
p.C_Initialize();
const slot = p.C_GetSlotList(true).find((s) => p.C_GetTokenInfo(s).label.trim() === process.env.TOKEN);
const s = p.C_OpenSession(slot, P.CKF_SERIAL_SESSION | P.CKF_RW_SESSION);
p.C_Login(s, P.CKU_USER, process.env.PIN);
// Three attributes after the refused one: unpatched, their uninitialised pointers are freed.
const AES = [{ type: P.CKA_CLASS, value: P.CKO_SECRET_KEY }, { type: P.CKA_KEY_TYPE, value: P.CKK_AES }, { type: P.CKA_VALUE_LEN, value: 32 }];
const unwrapTemplate = [{ type: P.CKA_SENSITIVE, value: true }, { type: P.CKA_EXTRACTABLE, value: false }];
const gen = (template) => p.C_GenerateKey(s, { mechanism: P.CKM_AES_KEY_GEN }, template);
const refusal = (template) => { try { gen(template); return 'accepted'; } catch (e) { return e.name + ': ' + e.message; } };
const bad = {
  wrongValue: [{ type: P.CKA_LABEL, value: {} }, ...AES],
  arrayOnPlainAttribute: [{ type: P.CKA_LABEL, value: unwrapTemplate }, ...AES],
  nestedTwice: [{ type: P.CKA_UNWRAP_TEMPLATE, value: [{ type: P.CKA_UNWRAP_TEMPLATE, value: unwrapTemplate }] }, ...AES],
};
const result = {};
for (const [name, template] of Object.entries(bad)) {
  for (let i = 0; i < 50; i++) result[name] = refusal(template);
}
(async () => {
  for (let i = 0; i < 50; i++) {
    try { await p.C_GenerateKeyAsync(s, { mechanism: P.CKM_AES_KEY_GEN }, bad.wrongValue); } catch (e) { result.async = e.name; }
  }
  const key = gen([...AES, { type: P.CKA_TOKEN, value: false }, { type: P.CKA_WRAP, value: true }, { type: P.CKA_UNWRAP, value: true }, { type: P.CKA_UNWRAP_TEMPLATE, value: unwrapTemplate }]);
  const [attribute] = p.C_GetAttributeValue(s, key, [{ type: P.CKA_UNWRAP_TEMPLATE }]);
  result.unwrapTemplateBytes = attribute.value.length;
  console.log(JSON.stringify(result));
})();
`;

describe('the patched pkcs11js binding', { skip: hsmSkipReason() }, () => {
  let softHsm: SoftHsmDirectory;
  let token: SoftHsmToken;
  before(() => {
    softHsm = newSoftHsmDirectory();
    token = softHsm.newToken();
  });
  after(() => softHsm.remove());

  it('is the one Arca loads', () => {
    assert.equal(bindingTakesNestedTemplates(), true);
  });

  it('passes a nested template to the module, and refuses a bad template with a TypeError instead of aborting', () => {
    const child = spawnSync(process.execPath, ['-e', CHILD], {
      encoding: 'utf8',
      env: { ...process.env, SOFTHSM2_CONF: token.configPath, BINDING, MODULE: token.modulePath, TOKEN: token.tokenLabel, PIN: token.pin },
    });
    assert.equal(child.status, 0, `the child ended with ${child.status ?? child.signal}: ${child.stderr}`);
    const result = JSON.parse(child.stdout) as Record<string, unknown>;
    assert.match(String(result.wrongValue), /^TypeError: .*should be a Number, Boolean, String, Buffer or Array/);
    assert.match(String(result.arrayOnPlainAttribute), /^TypeError: .*Only an array attribute takes an Array value/);
    assert.match(String(result.nestedTwice), /^TypeError: .*A nested template cannot hold another template/);
    assert.equal(result.async, 'TypeError');
    // Two CK_ATTRIBUTEs (type, pointer, length: 24 bytes each on a 64-bit platform) read back.
    assert.equal(result.unwrapTemplateBytes, 2 * 24);
  });
});
