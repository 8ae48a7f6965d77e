import { randomBytes } from 'node:crypto';

/**
 * A keyed 64-bit hash of an (access key id, nonce) pair: SipHash-1-3 (the keyed hash Rust's and
 * Python's own hash tables use against hash flooding) with a random 128-bit key per instance.
 *
 * The pair is first encoded without ambiguity, then hashed as bytes:
 * `le32(accessKeyId.length) ‖ le32(wide) ‖ characters`, where each UTF-16 code unit of
 * `accessKeyId` then `nonce` is one byte when every code unit is below 256 (`wide` = 0, the
 * usual case) and two little-endian bytes otherwise (`wide` = 1). The length prefix keeps
 * ('a:b', 'c') apart from ('a', 'b:c'), and the flag keeps the two encodings apart, so two
 * distinct pairs are two distinct messages.
 *
 * SipHash is a pseudorandom function: without the key, which never leaves the server (it is only
 * written to the 0600 shutdown snapshot in the 0700 data directory), nobody can choose nonces that
 * collide or that crowd one part of a hash table. Pure JavaScript on 32-bit
 * halves, with no allocation, because the native digests cost a microsecond or more per call in
 * object and buffer overhead alone.
 */
export class NonceHasher {
  readonly #k0High: number;
  readonly #k0Low: number;
  readonly #k1High: number;
  readonly #k1Low: number;

  /** `key`: 16 bytes; a fresh random key by default. */
  constructor(key: Uint8Array = randomBytes(16)) {
    if (key.length !== 16) throw new RangeError('a SipHash key is 16 bytes');
    const view = new DataView(key.buffer, key.byteOffset, 16);
    this.#k0Low = view.getUint32(0, true);
    this.#k0High = view.getUint32(4, true);
    this.#k1Low = view.getUint32(8, true);
    this.#k1High = view.getUint32(12, true);
  }

  /**
   * A copy of the key, for the replay guard's shutdown snapshot only (see `ReplayGuard`): a guard
   * restored from it must hash pairs exactly as the guard that recorded them.
   */
  exportKey(): Buffer {
    const key = Buffer.alloc(16);
    key.writeUInt32LE(this.#k0Low, 0);
    key.writeUInt32LE(this.#k0High, 4);
    key.writeUInt32LE(this.#k1Low, 8);
    key.writeUInt32LE(this.#k1High, 12);
    return key;
  }

  /** Writes the 64-bit hash of the pair to `out`: `out[0]` the high 32 bits, `out[1]` the low. */
  hash(accessKeyId: string, nonce: string, out: Uint32Array): void {
    if (!this.#hash(accessKeyId, nonce, out, false)) this.#hash(accessKeyId, nonce, out, true);
  }

  // Returns false, having written nothing, when the narrow encoding was tried and a code unit
  // does not fit in a byte.
  #hash(a: string, b: string, out: Uint32Array, wide: boolean): boolean {
    let v0h = this.#k0High ^ 0x736f6d65;
    let v0l = this.#k0Low ^ 0x70736575;
    let v1h = this.#k1High ^ 0x646f7261;
    let v1l = this.#k1Low ^ 0x6e646f6d;
    let v2h = this.#k0High ^ 0x6c796765;
    let v2l = this.#k0Low ^ 0x6e657261;
    let v3h = this.#k1High ^ 0x74656462;
    let v3l = this.#k1Low ^ 0x79746573;

    const aLength = a.length;
    const length = aLength + b.length;
    const unitsPerBlock = wide ? 4 : 8;
    const fullUnits = length - (length % unitsPerBlock);
    let unitsSeen = 0; // OR of every code unit, to detect one that does not fit in a byte
    let index = 0;
    let header = true;
    let last = false;
    for (;;) {
      let mh: number;
      let ml: number;
      if (header) {
        ml = aLength;
        mh = wide ? 1 : 0;
        header = false;
      } else if (index < fullUnits) {
        const c0 = unitAt(a, b, aLength, index);
        const c1 = unitAt(a, b, aLength, index + 1);
        const c2 = unitAt(a, b, aLength, index + 2);
        const c3 = unitAt(a, b, aLength, index + 3);
        if (wide) {
          ml = c0 | (c1 << 16);
          mh = c2 | (c3 << 16);
          index += 4;
        } else {
          const c4 = unitAt(a, b, aLength, index + 4);
          const c5 = unitAt(a, b, aLength, index + 5);
          const c6 = unitAt(a, b, aLength, index + 6);
          const c7 = unitAt(a, b, aLength, index + 7);
          unitsSeen |= c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7;
          ml = c0 | (c1 << 8) | (c2 << 16) | (c3 << 24);
          mh = c4 | (c5 << 8) | (c6 << 16) | (c7 << 24);
          index += 8;
        }
      } else {
        // The final block: the remaining units (at most 7 bytes), then the message length in bytes
        // modulo 256 in the top byte.
        const bitsPerUnit = wide ? 16 : 8;
        ml = 0;
        mh = 0;
        for (let shift = 0; index < length; index += 1, shift += bitsPerUnit) {
          const unit = unitAt(a, b, aLength, index);
          unitsSeen |= unit;
          if (shift < 32) ml |= unit << shift;
          else mh |= unit << (shift - 32);
        }
        mh |= ((8 + length * (wide ? 2 : 1)) & 0xff) << 24;
        last = true;
      }

      v3h ^= mh;
      v3l ^= ml;
      // One SipRound (c = 1).
      {
        let sum = (v0l >>> 0) + (v1l >>> 0);
        v0h = (v0h + v1h + (sum > 0xffffffff ? 1 : 0)) | 0;
        v0l = sum | 0;
        let t = (v1h << 13) | (v1l >>> 19);
        v1l = (v1l << 13) | (v1h >>> 19);
        v1h = t ^ v0h;
        v1l ^= v0l;
        t = v0h;
        v0h = v0l;
        v0l = t;
        sum = (v2l >>> 0) + (v3l >>> 0);
        v2h = (v2h + v3h + (sum > 0xffffffff ? 1 : 0)) | 0;
        v2l = sum | 0;
        t = (v3h << 16) | (v3l >>> 16);
        v3l = ((v3l << 16) | (v3h >>> 16)) ^ v2l;
        v3h = t ^ v2h;
        sum = (v0l >>> 0) + (v3l >>> 0);
        v0h = (v0h + v3h + (sum > 0xffffffff ? 1 : 0)) | 0;
        v0l = sum | 0;
        t = (v3h << 21) | (v3l >>> 11);
        v3l = ((v3l << 21) | (v3h >>> 11)) ^ v0l;
        v3h = t ^ v0h;
        sum = (v2l >>> 0) + (v1l >>> 0);
        v2h = (v2h + v1h + (sum > 0xffffffff ? 1 : 0)) | 0;
        v2l = sum | 0;
        t = (v1h << 17) | (v1l >>> 15);
        v1l = ((v1l << 17) | (v1h >>> 15)) ^ v2l;
        v1h = t ^ v2h;
        t = v2h;
        v2h = v2l;
        v2l = t;
      }
      v0h ^= mh;
      v0l ^= ml;
      if (last) break;
    }
    if (!wide && unitsSeen > 0xff) return false;

    v2l ^= 0xff;
    // Three SipRounds (d = 3).
    for (let round = 0; round < 3; round += 1) {
      let sum = (v0l >>> 0) + (v1l >>> 0);
      v0h = (v0h + v1h + (sum > 0xffffffff ? 1 : 0)) | 0;
      v0l = sum | 0;
      let t = (v1h << 13) | (v1l >>> 19);
      v1l = (v1l << 13) | (v1h >>> 19);
      v1h = t ^ v0h;
      v1l ^= v0l;
      t = v0h;
      v0h = v0l;
      v0l = t;
      sum = (v2l >>> 0) + (v3l >>> 0);
      v2h = (v2h + v3h + (sum > 0xffffffff ? 1 : 0)) | 0;
      v2l = sum | 0;
      t = (v3h << 16) | (v3l >>> 16);
      v3l = ((v3l << 16) | (v3h >>> 16)) ^ v2l;
      v3h = t ^ v2h;
      sum = (v0l >>> 0) + (v3l >>> 0);
      v0h = (v0h + v3h + (sum > 0xffffffff ? 1 : 0)) | 0;
      v0l = sum | 0;
      t = (v3h << 21) | (v3l >>> 11);
      v3l = ((v3l << 21) | (v3h >>> 11)) ^ v0l;
      v3h = t ^ v0h;
      sum = (v2l >>> 0) + (v1l >>> 0);
      v2h = (v2h + v1h + (sum > 0xffffffff ? 1 : 0)) | 0;
      v2l = sum | 0;
      t = (v1h << 17) | (v1l >>> 15);
      v1l = ((v1l << 17) | (v1h >>> 15)) ^ v2l;
      v1h = t ^ v2h;
      t = v2h;
      v2h = v2l;
      v2l = t;
    }
    out[0] = v0h ^ v1h ^ v2h ^ v3h;
    out[1] = v0l ^ v1l ^ v2l ^ v3l;
    return true;
  }
}

// The code unit at `index` of `a` followed by `b`, without building the concatenation.
function unitAt(a: string, b: string, aLength: number, index: number): number {
  return index < aLength ? a.charCodeAt(index) : b.charCodeAt(index - aLength);
}
