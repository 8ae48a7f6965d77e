// The one place an answer becomes bytes: JSON by default, Alibaba's XML when the request's
// `Format` parameter asks for it. The wire actions' respond() build the same body for both.
import { KmsError } from '../domain/errors.js';
import type { WireBody } from './wire-action.js';
import { isXmlText, NotRepresentableInXml, xmlDocument } from './xml.js';

export const ResponseFormat = { Json: 'JSON', Xml: 'XML' } as const;
export type ResponseFormat = (typeof ResponseFormat)[keyof typeof ResponseFormat];

/**
 * The Content-Types Alibaba sends. The 3.x SDKs parse an error body as XML only when the
 * Content-Type is exactly `text/xml;charset=utf-8`.
 */
const CONTENT_TYPES: Readonly<Record<ResponseFormat, string>> = {
  JSON: 'application/json;charset=utf-8',
  XML: 'text/xml;charset=utf-8',
};

/** An answer's body, ready to send. */
export interface RenderedBody {
  readonly contentType: string;
  readonly text: string;
}

/** The root element of an error answer in XML. */
const ERROR_ROOT = 'Error';

/**
 * The format the request asks for: XML when its `Format` parameter is `XML` in any letter case
 * (the SDKs send `json`), JSON otherwise. An unknown value is refused later, by checkFormat; until
 * then, and for that refusal, the answer is JSON.
 */
export function formatAskedFor(parameters: ReadonlyMap<string, string>): ResponseFormat {
  return parameters.get('Format')?.toUpperCase() === ResponseFormat.Xml ? ResponseFormat.Xml : ResponseFormat.Json;
}

/**
 * Refuses (InvalidParameter Format) a `Format` other than JSON or XML, and, with XML, a request
 * whose parameters hold a character XML 1.0 cannot carry: its answer might have to echo it (a
 * Description), and it is refused before it changes anything rather than after.
 */
export function checkFormat(parameters: ReadonlyMap<string, string>): void {
  const asked = parameters.get('Format');
  if (asked === undefined || asked === '') return;
  const format = asked.toUpperCase();
  if (format !== ResponseFormat.Json && format !== ResponseFormat.Xml) throw new KmsError('InvalidInput', 'Format');
  if (format === ResponseFormat.Xml && ![...parameters.values()].every(isXmlText)) throw new KmsError('InvalidInput', 'Format');
}

/**
 * A success's body (RequestId included). In XML its root element is the action's name and
 * `Response` (`<EncryptResponse>`). A value XML 1.0 cannot carry (a plaintext or a description
 * stored through JSON holding a control character) is refused with InvalidParameter Format,
 * never altered.
 */
export function renderAnswer(format: ResponseFormat, action: string, body: WireBody): RenderedBody {
  if (format === ResponseFormat.Json) return { contentType: CONTENT_TYPES.JSON, text: JSON.stringify(body) };
  try {
    return { contentType: CONTENT_TYPES.XML, text: xmlDocument(`${action}Response`, body, { unrepresentable: 'refuse' }) };
  } catch (error) {
    if (error instanceof NotRepresentableInXml) throw new KmsError('InvalidInput', 'Format');
    throw error;
  }
}

/** An error's body: `<Error>` in XML, where a character XML cannot carry becomes U+FFFD. */
export function renderError(format: ResponseFormat, body: WireBody): RenderedBody {
  if (format === ResponseFormat.Json) return { contentType: CONTENT_TYPES.JSON, text: JSON.stringify(body) };
  return { contentType: CONTENT_TYPES.XML, text: xmlDocument(ERROR_ROOT, body, { unrepresentable: 'replace' }) };
}
