// The XML writer of the `Format=XML` answers: Alibaba's shape (lists as repeated elements), the
// escaping of markup and control characters, and the characters XML 1.0 cannot carry. Each
// document is read back with the parser Alibaba's client uses (test/support/alibaba-xml.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isXmlText, NotRepresentableInXml, xmlDocument } from '../../src/api/xml.js';
import { parseAlibabaXml, XML_PROLOG } from '../support/alibaba-xml.js';

const REFUSE = { unrepresentable: 'refuse' } as const;
const REPLACE = { unrepresentable: 'replace' } as const;

describe('xmlDocument', () => {
  it("writes Alibaba's prolog and one root element, properties as elements in their order", () => {
    assert.equal(
      xmlDocument('EncryptResponse', { CiphertextBlob: 'YWJj', KeyId: 'k', RequestId: 'r' }, REFUSE),
      `${XML_PROLOG}<EncryptResponse><CiphertextBlob>YWJj</CiphertextBlob><KeyId>k</KeyId><RequestId>r</RequestId></EncryptResponse>`,
    );
  });

  it('repeats the element of a list property once per item, as Alibaba writes Keys.Key', () => {
    const body = { Keys: { Key: [{ KeyId: 'a' }, { KeyId: 'b' }] }, TotalCount: 2, PageNumber: 1 };
    const text = xmlDocument('ListKeysResponse', body, REFUSE);
    assert.equal(
      text,
      `${XML_PROLOG}<ListKeysResponse><Keys><Key><KeyId>a</KeyId></Key><Key><KeyId>b</KeyId></Key></Keys>` +
        '<TotalCount>2</TotalCount><PageNumber>1</PageNumber></ListKeysResponse>',
    );
    assert.deepEqual(parseAlibabaXml(text), {
      root: 'ListKeysResponse',
      content: { Keys: { Key: [{ KeyId: 'a' }, { KeyId: 'b' }] }, TotalCount: '2', PageNumber: '1' },
    });
  });

  it('writes a list of strings as repeated text elements, an empty list as nothing', () => {
    const body = { KeySpec: { SupportedProtectionLevels: { SupportedProtectionLevel: ['SOFTWARE', 'HSM'] }, Usages: { Usage: [] } } };
    assert.equal(
      xmlDocument('R', body, REFUSE),
      `${XML_PROLOG}<R><KeySpec><SupportedProtectionLevels><SupportedProtectionLevel>SOFTWARE</SupportedProtectionLevel>` +
        '<SupportedProtectionLevel>HSM</SupportedProtectionLevel></SupportedProtectionLevels><Usages></Usages></KeySpec></R>',
    );
  });

  it('writes numbers and booleans as text, an empty string and null as an empty element, and leaves undefined out', () => {
    assert.equal(
      xmlDocument('R', { N: 0, B: false, E: '', Z: null, U: undefined }, REFUSE),
      `${XML_PROLOG}<R><N>0</N><B>false</B><E></E><Z></Z></R>`,
    );
  });

  it('escapes & < > " and \' by name, so the text comes back unchanged', () => {
    const text = xmlDocument('R', { V: `a&b<c>d"e'f` }, REFUSE);
    assert.ok(text.includes('<V>a&amp;b&lt;c&gt;d&quot;e&apos;f</V>'), text);
    assert.equal(parseAlibabaXml(text).content.V, `a&b<c>d"e'f`);
  });

  it('writes tab, line feed, carriage return, DEL and the C1 controls as character references, which come back unchanged', () => {
    const value = 'a\tb\nc\rd\r\ne\u007Ff\u0085g\u009Fh';
    const text = xmlDocument('R', { V: value }, REFUSE);
    assert.ok(text.includes('<V>a&#x9;b&#xA;c&#xD;d&#xD;&#xA;e&#x7F;f&#x85;g&#x9F;h</V>'), text);
    assert.doesNotMatch(text, /[\t\n\r\u007F-\u009F]/);
    assert.equal(parseAlibabaXml(text).content.V, value);
  });

  it('carries any other Unicode text as it is: accents, CJK, astral characters', () => {
    const value = 'é 密钥 \u{1F511} \uFFFD';
    const text = xmlDocument('R', { V: value }, REFUSE);
    assert.ok(text.includes(`<V>${value}</V>`));
    assert.equal(parseAlibabaXml(text).content.V, value);
  });

  it('refuses text XML 1.0 cannot carry at all (NUL, the other C0 controls, U+FFFE, U+FFFF, a lone surrogate), or replaces it with U+FFFD', () => {
    for (const bad of ['\u0000', '\u0001', '\u0008', '\u000B', '\u000C', '\u001F', '\uFFFE', '\uFFFF', '\uD800', 'x\uDC00']) {
      assert.equal(isXmlText(`a${bad}b`), false, JSON.stringify(bad));
      assert.throws(() => xmlDocument('R', { V: `a${bad}b` }, REFUSE), NotRepresentableInXml, JSON.stringify(bad));
      const replaced = xmlDocument('R', { V: `a${bad}b` }, REPLACE);
      assert.equal(parseAlibabaXml(replaced).content.V, bad.startsWith('x') ? 'ax\uFFFDb' : 'a\uFFFDb', JSON.stringify(bad));
    }
    assert.equal(isXmlText('a\t\n\r\u007F\u0085\uD83D\uDD11b'), true);
  });

  it('refuses an element name that is not an XML name (names come from the code, never from a request)', () => {
    assert.throws(() => xmlDocument('R', { 'a b': 'x' }, REFUSE), /not an XML element name/);
    assert.throws(() => xmlDocument('R', { '1x': 'x' }, REFUSE), /not an XML element name/);
    assert.throws(() => xmlDocument('<R>', {}, REFUSE), /not an XML element name/);
  });
});
