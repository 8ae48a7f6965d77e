/**
 * A strict reader of one JSON text (RFC 8259) that is an object whose every value is a string:
 * `{"k":"v", …}`. It returns the members in the order written, a repeated name as often as it is
 * written, because `JSON.parse` keeps only the last of a repeated name and so cannot tell
 * `{"a":"1","a":"2"}` from `{"a":"2"}`. Anything else (another value type, a nested object, an
 * array, trailing text, a malformed string or escape) is undefined.
 *
 * Strings are read as `JSON.parse` reads them: escapes are decoded to UTF-16 code units as
 * written, so a `\ud800` that is not followed by a low surrogate stays a lone surrogate, and the
 * caller decides whether such a string is acceptable.
 */
export function readFlatJsonObject(text: string): Array<[string, string]> | undefined {
  try {
    return new FlatObjectReader(text).readWholeObject();
  } catch (error) {
    if (error instanceof NotAFlatObject) return undefined;
    throw error;
  }
}

class NotAFlatObject extends Error {}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const FIRST_UNESCAPED = 0x20;
const HEX4 = /^[0-9a-fA-F]{4}$/;

/** The one-letter escapes of RFC 8259 §7; `\u` is read separately. */
const SHORT_ESCAPES: ReadonlyMap<string, string> = new Map([
  ['"', '"'],
  ['\\', '\\'],
  ['/', '/'],
  ['b', '\b'],
  ['f', '\f'],
  ['n', '\n'],
  ['r', '\r'],
  ['t', '\t'],
]);

class FlatObjectReader {
  readonly #text: string;
  #offset = 0;

  constructor(text: string) {
    this.#text = text;
  }

  readWholeObject(): Array<[string, string]> {
    this.#skipWhitespace();
    this.#expect('{');
    const members: Array<[string, string]> = [];
    this.#skipWhitespace();
    if (this.#take('}')) return this.#atEnd(members);
    for (;;) {
      this.#skipWhitespace();
      const name = this.#readString();
      this.#skipWhitespace();
      this.#expect(':');
      this.#skipWhitespace();
      members.push([name, this.#readString()]);
      this.#skipWhitespace();
      if (this.#take('}')) return this.#atEnd(members);
      this.#expect(',');
    }
  }

  #atEnd(members: Array<[string, string]>): Array<[string, string]> {
    this.#skipWhitespace();
    if (this.#offset !== this.#text.length) throw new NotAFlatObject();
    return members;
  }

  /** JSON whitespace is exactly space, tab, line feed and carriage return. */
  #skipWhitespace(): void {
    for (;;) {
      const character = this.#text[this.#offset];
      if (character !== ' ' && character !== '\t' && character !== '\n' && character !== '\r') return;
      this.#offset++;
    }
  }

  #take(character: string): boolean {
    if (this.#text[this.#offset] !== character) return false;
    this.#offset++;
    return true;
  }

  #expect(character: string): void {
    if (!this.#take(character)) throw new NotAFlatObject();
  }

  /** A string: unescaped runs are copied as they are, escapes decoded; a raw control character is refused. */
  #readString(): string {
    this.#expect('"');
    let value = '';
    let runStart = this.#offset;
    for (;;) {
      const code = this.#text.charCodeAt(this.#offset);
      // NaN past the end: the string was never closed.
      if (Number.isNaN(code) || code < FIRST_UNESCAPED) throw new NotAFlatObject();
      if (code === QUOTE) {
        value += this.#text.slice(runStart, this.#offset);
        this.#offset++;
        return value;
      }
      if (code === BACKSLASH) {
        value += this.#text.slice(runStart, this.#offset);
        value += this.#readEscape();
        runStart = this.#offset;
      } else {
        this.#offset++;
      }
    }
  }

  #readEscape(): string {
    const letter = this.#text[this.#offset + 1];
    this.#offset += 2;
    if (letter === 'u') {
      const hex = this.#text.slice(this.#offset, this.#offset + 4);
      if (!HEX4.test(hex)) throw new NotAFlatObject();
      this.#offset += 4;
      return String.fromCharCode(Number.parseInt(hex, 16));
    }
    const decoded = letter === undefined ? undefined : SHORT_ESCAPES.get(letter);
    if (decoded === undefined) throw new NotAFlatObject();
    return decoded;
  }
}
