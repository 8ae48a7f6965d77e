// A small XML writer for Alibaba's `Format=XML` answers (docs/errors.md, "Response formats").
// The bodies it writes are the same objects the JSON answers serialise, so the mapping is fixed:
//
//   {"Keys":{"Key":[{"KeyId":"a"},{"KeyId":"b"}]},"TotalCount":2}
//   <Keys><Key><KeyId>a</KeyId></Key><Key><KeyId>b</KeyId></Key></Keys><TotalCount>2</TotalCount>
//
// An object is an element per property, in order; an array repeats the element of its property
// once per item (an empty array writes nothing); a string, number or boolean is the element's
// text; an undefined property is left out.
import type { WireBody } from './wire-action.js';

export const XML_PROLOG = "<?xml version='1.0' encoding='UTF-8'?>";

/** Element names come from the code (the wire field names), never from a request. */
const ELEMENT_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * The characters XML 1.0 cannot carry at all, not even as a character reference: the C0 controls
 * other than tab, line feed and carriage return, U+FFFE, U+FFFF and unpaired surrogates.
 */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const NOT_XML_CHARS = new RegExp(NOT_XML_CHAR.source, 'gu');

/**
 * What is escaped: the five markup characters by name, and the controls XML 1.0 allows (tab, line
 * feed, carriage return, DEL, the C1 controls) as character references, so that a parser gives
 * them back unchanged (it would turn a raw carriage return into a line feed).
 */
const ESCAPED = /[&<>"'\t\n\r\u007F-\u009F]/g;
const NAMED: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** A value holds a character XML 1.0 cannot carry; the answer cannot be written in XML. */
export class NotRepresentableInXml extends Error {
  constructor() {
    super('the answer holds a character XML 1.0 cannot carry');
    this.name = 'NotRepresentableInXml';
  }
}

/** Whether XML 1.0 can carry `text` (escaped). */
export function isXmlText(text: string): boolean {
  return !NOT_XML_CHAR.test(text);
}

export interface XmlOptions {
  /**
   * What to do with a character XML 1.0 cannot carry: `refuse` throws NotRepresentableInXml
   * (data must not change on the way), `replace` writes U+FFFD (an error message may).
   */
  readonly unrepresentable: 'refuse' | 'replace';
}

/** `<?xml …?><root>…</root>`: the prolog and one root element holding `body`. */
export function xmlDocument(root: string, body: WireBody, options: XmlOptions): string {
  return XML_PROLOG + element(root, body, options);
}

function element(name: string, value: unknown, options: XmlOptions): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map((item) => element(name, item, options)).join('');
  if (!ELEMENT_NAME.test(name)) throw new Error(`not an XML element name: ${JSON.stringify(name)}`);
  return `<${name}>${content(value, options)}</${name}>`;
}

function content(value: unknown, options: XmlOptions): string {
  if (value === null) return '';
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([name, inner]) => element(name, inner, options))
      .join('');
  }
  if (typeof value === 'string') return escapeText(value, options);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  throw new Error(`not a value an answer holds: ${typeof value}`);
}

function escapeText(text: string, options: XmlOptions): string {
  let carried = text;
  if (!isXmlText(text)) {
    if (options.unrepresentable === 'refuse') throw new NotRepresentableInXml();
    carried = text.replace(NOT_XML_CHARS, '\uFFFD');
  }
  return carried.replace(ESCAPED, (character) => NAMED[character] ?? `&#x${character.charCodeAt(0).toString(16).toUpperCase()};`);
}
