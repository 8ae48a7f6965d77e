// Reading Arca's `Format=XML` answers the way Alibaba's own clients read them. The parser is the
// one @alicloud/openapi-client 0.4.15 parses XML error bodies with (@alicloud/tea-xml, xml2js over
// sax in strict mode, `explicitArray: false`), loaded from the client's own dependencies, so a
// body that parses here parses in the client. It shares no code with src/.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

interface TeaXml {
  parseXml(body: string, response: null): unknown;
}

const clientRequire = createRequire(createRequire(import.meta.url).resolve('@alicloud/openapi-client'));
const teaXml = (clientRequire('@alicloud/tea-xml') as { default: TeaXml }).default;

export const XML_CONTENT_TYPE = 'text/xml;charset=utf-8';
export const XML_PROLOG = "<?xml version='1.0' encoding='UTF-8'?>";

/**
 * Parses an XML document strictly (a malformed one throws) and returns its root element's name
 * and content, as xml2js gives them: text as strings, one child as a value, repeated children as
 * an array, an empty element as ''.
 */
export function parseAlibabaXml(text: string): { root: string; content: any } {
  assert.ok(text.startsWith(XML_PROLOG), `the answer starts with Alibaba's prolog: ${text.slice(0, 80)}`);
  const parsed = teaXml.parseXml(text, null) as Record<string, unknown>;
  const roots = Object.keys(parsed);
  assert.equal(roots.length, 1, 'one root element');
  const [root] = roots as [string];
  return { root, content: parsed[root] };
}

/**
 * A JSON answer as the XML parser gives back the same answer: every scalar a string, an array of
 * one its item, a property holding an empty array gone (no element repeats), an object with no
 * element left ''. Equal to parseAlibabaXml(xml).content when the XML answer carries the same
 * values.
 */
export function asParsedXml(json: unknown): unknown {
  if (Array.isArray(json)) return json.length === 1 ? asParsedXml(json[0]) : json.map(asParsedXml);
  if (json !== null && typeof json === 'object') {
    const entries = Object.entries(json).filter(([, value]) => !(Array.isArray(value) && value.length === 0));
    return entries.length === 0 ? '' : Object.fromEntries(entries.map(([name, value]) => [name, asParsedXml(value)]));
  }
  return String(json);
}
