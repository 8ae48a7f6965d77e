import { AeadAuthenticationError, GCM_TAG_LENGTH } from '../crypto/aead.js';
import type { KeyedGcmWithIv } from '../crypto/gcm-sealed.js';
import { EnvelopeError, EnvelopeErrorCode } from './envelope-error.js';
import { segmentNonce } from './header.js';

// The segment layer of the envelope format (ADR 0016). Segment i seals plaintext P_i under
// nonce = noncePrefix ‖ i ‖ final, additional data empty; on the wire it is C_i ‖ tag(16).
// Every segment but the last holds exactly segmentSize plaintext bytes; the last holds
// 0 … segmentSize - 1, so a file whose length is a multiple of segmentSize ends with an empty
// final segment. A reader therefore knows a segment is final from its length alone, and a
// stream that stops on a boundary (no short segment) is truncated.

const MAX_SEGMENT_INDEX = 0xffff_ffff;
const EMPTY = new Uint8Array(0);

/** Cuts plaintext into segments and seals them; synchronous, memory bounded by one segment. */
export class SegmentSealer {
  readonly #gcm: KeyedGcmWithIv;
  readonly #noncePrefix: Buffer;
  readonly #segmentSize: number;
  readonly #pending: Buffer;
  #pendingLength = 0;
  #index = 0;
  #finished = false;

  constructor(gcm: KeyedGcmWithIv, noncePrefix: Buffer, segmentSizeInBytes: number) {
    this.#gcm = gcm;
    this.#noncePrefix = noncePrefix;
    this.#segmentSize = segmentSizeInBytes;
    this.#pending = Buffer.alloc(segmentSizeInBytes);
  }

  /** Seals every full segment `data` completes; output pieces are ciphertext and tag buffers. */
  push(data: Uint8Array): Buffer[] {
    if (this.#finished) throw new Error('SegmentSealer: push after finish');
    const out: Buffer[] = [];
    let offset = 0;
    if (this.#pendingLength > 0) {
      const taken = Math.min(data.length, this.#segmentSize - this.#pendingLength);
      this.#pending.set(data.subarray(0, taken), this.#pendingLength);
      this.#pendingLength += taken;
      offset = taken;
      if (this.#pendingLength === this.#segmentSize) {
        this.#seal(this.#pending, false, out);
        this.#pendingLength = 0;
      }
    }
    // Whole segments straight from the input, without copying them into #pending.
    while (data.length - offset >= this.#segmentSize) {
      this.#seal(data.subarray(offset, offset + this.#segmentSize), false, out);
      offset += this.#segmentSize;
    }
    if (offset < data.length) {
      this.#pending.set(data.subarray(offset), this.#pendingLength);
      this.#pendingLength += data.length - offset;
    }
    return out;
  }

  /** Seals the final (short, possibly empty) segment. */
  finish(): Buffer[] {
    if (this.#finished) throw new Error('SegmentSealer: finish twice');
    const out: Buffer[] = [];
    this.#seal(this.#pending.subarray(0, this.#pendingLength), true, out);
    this.#finished = true;
    this.#pending.fill(0);
    return out;
  }

  #seal(plaintext: Uint8Array, isFinal: boolean, out: Buffer[]): void {
    if (this.#index > MAX_SEGMENT_INDEX) throw new EnvelopeError(EnvelopeErrorCode.TooLarge);
    const nonce = segmentNonce(this.#noncePrefix, this.#index, isFinal);
    const { ciphertext, tag } = this.#gcm.encrypt(nonce, plaintext, EMPTY);
    this.#index++;
    out.push(ciphertext, tag);
  }
}

/**
 * Opens segments as their bytes arrive and releases each plaintext only after its tag verified.
 * `finish` must be called at the end of the input: it opens the final segment, and it is the
 * only place truncation can be seen.
 */
export class SegmentOpener {
  readonly #gcm: KeyedGcmWithIv;
  readonly #noncePrefix: Buffer;
  readonly #sealedSegmentSize: number;
  readonly #pending: Buffer;
  #pendingLength = 0;
  #index = 0;
  #finished = false;

  constructor(gcm: KeyedGcmWithIv, noncePrefix: Buffer, segmentSizeInBytes: number) {
    this.#gcm = gcm;
    this.#noncePrefix = noncePrefix;
    this.#sealedSegmentSize = segmentSizeInBytes + GCM_TAG_LENGTH;
    this.#pending = Buffer.alloc(this.#sealedSegmentSize);
  }

  /** Opens every full-size (hence non-final) segment `data` completes. */
  push(data: Uint8Array): Buffer[] {
    if (this.#finished) throw new Error('SegmentOpener: push after finish');
    const out: Buffer[] = [];
    let offset = 0;
    if (this.#pendingLength > 0) {
      const taken = Math.min(data.length, this.#sealedSegmentSize - this.#pendingLength);
      this.#pending.set(data.subarray(0, taken), this.#pendingLength);
      this.#pendingLength += taken;
      offset = taken;
      if (this.#pendingLength === this.#sealedSegmentSize) {
        out.push(this.#open(this.#pending, false));
        this.#pendingLength = 0;
      }
    }
    // A full-size segment is never the final one, so it can be opened without looking ahead.
    while (data.length - offset >= this.#sealedSegmentSize) {
      out.push(this.#open(data.subarray(offset, offset + this.#sealedSegmentSize), false));
      offset += this.#sealedSegmentSize;
    }
    if (offset < data.length) {
      this.#pending.set(data.subarray(offset), this.#pendingLength);
      this.#pendingLength += data.length - offset;
    }
    return out;
  }

  /** Opens the final segment: what is left must be a short segment with a valid tag. */
  finish(): Buffer {
    if (this.#finished) throw new Error('SegmentOpener: finish twice');
    this.#finished = true;
    // Nothing left: the input stopped on a segment boundary, so the final segment is missing.
    if (this.#pendingLength === 0) throw new EnvelopeError(EnvelopeErrorCode.Truncated);
    if (this.#pendingLength < GCM_TAG_LENGTH) {
      throw new EnvelopeError(EnvelopeErrorCode.SegmentAuthenticationFailed, `segment ${this.#index}`);
    }
    return this.#open(this.#pending.subarray(0, this.#pendingLength), true);
  }

  #open(sealed: Uint8Array, isFinal: boolean): Buffer {
    if (this.#index > MAX_SEGMENT_INDEX) throw new EnvelopeError(EnvelopeErrorCode.TooLarge);
    const nonce = segmentNonce(this.#noncePrefix, this.#index, isFinal);
    const tagStart = sealed.length - GCM_TAG_LENGTH;
    try {
      const plaintext = this.#gcm.decrypt(nonce, sealed.subarray(0, tagStart), sealed.subarray(tagStart), EMPTY);
      this.#index++;
      return plaintext;
    } catch (error) {
      if (error instanceof AeadAuthenticationError) {
        throw new EnvelopeError(EnvelopeErrorCode.SegmentAuthenticationFailed, `segment ${this.#index}`);
      }
      throw error;
    }
  }
}
