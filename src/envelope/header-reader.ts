import { EnvelopeError, EnvelopeErrorCode } from './envelope-error.js';
import {
  type EnvelopeHeader,
  FIXED_PREFIX_LENGTH_IN_BYTES,
  HEADER_TAG_LENGTH_IN_BYTES,
  MAGIC,
  MAX_CONTEXT_LENGTH_IN_BYTES,
  parseHeaderBody,
  parseHeaderPrefix,
} from './header.js';

export interface ReadHeader {
  /** Parsed, not yet authenticated. */
  readonly header: EnvelopeHeader;
  readonly body: Buffer;
  readonly tag: Buffer;
  /** Bytes after the header: the start of the segments. */
  readonly rest: Buffer;
}

/**
 * Gathers the header from input that arrives in pieces of any size. It never holds more than the
 * header's own bound (the fixed prefix, a blob of at most 64 KiB, a context of at most 64 KiB, the
 * tag) plus one input piece.
 */
export class HeaderReader {
  #buffered: Buffer = Buffer.alloc(0);

  push(piece: Uint8Array): void {
    this.#buffered =
      this.#buffered.length === 0 ? Buffer.from(piece.buffer, piece.byteOffset, piece.length) : Buffer.concat([this.#buffered, piece]);
  }

  /** The header once all of it has arrived; undefined while more is needed. */
  tryRead(): ReadHeader | undefined {
    const buffered = this.#buffered;
    // Refuse a wrong magic as soon as its bytes are in, not only after 54 bytes.
    const magicSeen = Math.min(buffered.length, MAGIC.length);
    if (!buffered.subarray(0, magicSeen).equals(MAGIC.subarray(0, magicSeen))) {
      throw new EnvelopeError(EnvelopeErrorCode.NotAnEnvelope);
    }
    if (buffered.length < FIXED_PREFIX_LENGTH_IN_BYTES) return undefined;
    const { blobLengthInBytes } = parseHeaderPrefix(buffered);
    const contextLengthOffset = FIXED_PREFIX_LENGTH_IN_BYTES + blobLengthInBytes;
    if (buffered.length < contextLengthOffset + 4) return undefined;
    const contextLength = buffered.readUInt32BE(contextLengthOffset);
    if (contextLength > MAX_CONTEXT_LENGTH_IN_BYTES) throw new EnvelopeError(EnvelopeErrorCode.HeaderAuthenticationFailed);
    const bodyEnd = contextLengthOffset + 4 + contextLength;
    const headerEnd = bodyEnd + HEADER_TAG_LENGTH_IN_BYTES;
    if (buffered.length < headerEnd) return undefined;
    const body = Buffer.from(buffered.subarray(0, bodyEnd));
    return {
      header: parseHeaderBody(body),
      body,
      tag: Buffer.from(buffered.subarray(bodyEnd, headerEnd)),
      rest: buffered.subarray(headerEnd),
    };
  }

  /** The error for input that ended inside the header. */
  endOfInput(): EnvelopeError {
    return new EnvelopeError(this.#buffered.length === 0 ? EnvelopeErrorCode.NotAnEnvelope : EnvelopeErrorCode.Truncated);
  }
}
