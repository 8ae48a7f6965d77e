const BLOCK_LENGTH_IN_BYTES = 16;

/** x^128 ≡ x^7 + x^2 + x + 1, which in GCM's bit order is 0xE1 in the top byte of w0. */
const REDUCTION_WORD = 0xe1000000;

/** REDUCE_BYTE[d]: d placed in byte 15, times x^8, reduced; only the top 16 bits of w0 remain. */
const REDUCE_BYTE: Uint32Array = buildByteReductionTable();

/**
 * GHASH, the universal hash of GCM (NIST SP 800-38D, section 6.4), keyed by the hash subkey H.
 *
 * Bit order: GCM reads a 16-byte block as a polynomial over GF(2) whose x^0 coefficient is the
 * most significant bit of byte 0 and whose x^127 coefficient is the least significant bit of
 * byte 15. Held as four big-endian 32-bit words w0 ‖ w1 ‖ w2 ‖ w3, multiplying by x is a right
 * shift across the words, and a bit pushed out of w3 (x^128) comes back reduced modulo
 * x^128 + x^7 + x^2 + x + 1 as 0xE1 in the top byte of w0.
 *
 * Multiplication uses Shoup's 8-bit tables (4 KiB per key, built once): M[b] = b·H for every byte
 * value b, with b read in the same bit order (0x80 is 1, 0x01 is x^7). For X = x_0 ‖ … ‖ x_15,
 * X·H = Σ x_i·x^(8i)·H, evaluated by Horner from x_15 down to x_0: Z ← Z·x^8 ⊕ M[x_i].
 * Z·x^8 shifts one whole byte d out of w3; REDUCE_BYTE[d] is d·x^128 reduced, which always lies
 * in the top 16 bits of w0. No BigInt and no allocation per block.
 *
 * An instance keeps its running state in fields, so one call must finish before the next
 * starts; every method is synchronous, which JavaScript's single thread guarantees.
 */
export class Ghash {
  // Word k (big-endian) of M[b] = b·H, one array per word so that a lookup is a plain index.
  readonly #m0 = new Uint32Array(256);
  readonly #m1 = new Uint32Array(256);
  readonly #m2 = new Uint32Array(256);
  readonly #m3 = new Uint32Array(256);
  // The running value Y between absorbed inputs, and the current block Y ⊕ X, as words.
  readonly #y = new Uint32Array(4);
  readonly #x = new Uint32Array(4);
  // Scratch block for a zero-padded final partial block and for the length block.
  readonly #scratch = new Uint8Array(BLOCK_LENGTH_IN_BYTES);
  readonly #scratchView = new DataView(this.#scratch.buffer);

  /** `hashSubkey` is H = E_K(0^128); the tables are derived from it and it is not kept. */
  constructor(hashSubkey: Uint8Array) {
    if (hashSubkey.length !== BLOCK_LENGTH_IN_BYTES) {
      throw new Error('GHASH: the hash subkey must be 16 bytes');
    }
    this.#buildTables(hashSubkey);
  }

  /**
   * target ⊕= GHASH_H(A ‖ 0^v ‖ C ‖ 0^u ‖ [len(A)]_64 ‖ [len(C)]_64), lengths in bits:
   * the value GCM masks with E_K(J0) to make the tag. `target` must be 16 bytes.
   */
  xorDigestInto(target: Uint8Array, additionalData: Uint8Array, ciphertext: Uint8Array): void {
    if (target.length !== BLOCK_LENGTH_IN_BYTES) throw new Error('GHASH: target must be 16 bytes');
    const y = this.#y;
    y.fill(0);
    this.#absorbPadded(additionalData);
    this.#absorbPadded(ciphertext);
    this.#absorbLengthBlock(additionalData.length, ciphertext.length);
    for (let i = 0; i < BLOCK_LENGTH_IN_BYTES; i++) {
      const digestByte = (y[i >>> 2]! >>> (24 - 8 * (i & 3))) & 0xff;
      target[i] = target[i]! ^ digestByte;
    }
    // Intermediate values are functions of H; leave none behind.
    y.fill(0);
    this.#x.fill(0);
  }

  #absorbPadded(data: Uint8Array): void {
    const fullBlocksEnd = data.length - (data.length % BLOCK_LENGTH_IN_BYTES);
    if (fullBlocksEnd > 0) {
      this.#absorbBlocks(new DataView(data.buffer, data.byteOffset, fullBlocksEnd));
    }
    if (fullBlocksEnd < data.length) {
      this.#scratch.fill(0);
      this.#scratch.set(data.subarray(fullBlocksEnd));
      this.#absorbBlocks(this.#scratchView);
    }
  }

  #absorbLengthBlock(additionalDataLengthInBytes: number, ciphertextLengthInBytes: number): void {
    writeBitLength(this.#scratchView, 0, additionalDataLengthInBytes);
    writeBitLength(this.#scratchView, 8, ciphertextLengthInBytes);
    this.#absorbBlocks(this.#scratchView);
  }

  /** For each 16-byte block X of `blocks` (a whole number of blocks): Y ← (Y ⊕ X)·H. */
  #absorbBlocks(blocks: DataView): void {
    // Indexes below are in range by construction (bytes index 256-entry tables, words index
    // 4-entry arrays); the non-null assertions only answer noUncheckedIndexedAccess.
    const m0 = this.#m0;
    const m1 = this.#m1;
    const m2 = this.#m2;
    const m3 = this.#m3;
    const x = this.#x;
    let y0 = this.#y[0]!;
    let y1 = this.#y[1]!;
    let y2 = this.#y[2]!;
    let y3 = this.#y[3]!;
    for (let offset = 0; offset < blocks.byteLength; offset += BLOCK_LENGTH_IN_BYTES) {
      x[0] = y0 ^ blocks.getUint32(offset);
      x[1] = y1 ^ blocks.getUint32(offset + 4);
      x[2] = y2 ^ blocks.getUint32(offset + 8);
      x[3] = y3 ^ blocks.getUint32(offset + 12);
      let z0 = 0;
      let z1 = 0;
      let z2 = 0;
      let z3 = 0;
      // Horner from byte 15 down to byte 0: Z ← Z·x^8 ⊕ M[byte]. Each word holds four bytes,
      // the last one in its low 8 bits; the four steps are written out because a nested loop
      // costs about a third of GHASH's speed.
      for (let k = 3; k >= 0; k--) {
        const word = x[k]!;
        let b = word & 0xff;
        let out = z3 & 0xff;
        z3 = ((z3 >>> 8) | (z2 << 24)) ^ m3[b]!;
        z2 = ((z2 >>> 8) | (z1 << 24)) ^ m2[b]!;
        z1 = ((z1 >>> 8) | (z0 << 24)) ^ m1[b]!;
        z0 = (z0 >>> 8) ^ REDUCE_BYTE[out]! ^ m0[b]!;
        b = (word >>> 8) & 0xff;
        out = z3 & 0xff;
        z3 = ((z3 >>> 8) | (z2 << 24)) ^ m3[b]!;
        z2 = ((z2 >>> 8) | (z1 << 24)) ^ m2[b]!;
        z1 = ((z1 >>> 8) | (z0 << 24)) ^ m1[b]!;
        z0 = (z0 >>> 8) ^ REDUCE_BYTE[out]! ^ m0[b]!;
        b = (word >>> 16) & 0xff;
        out = z3 & 0xff;
        z3 = ((z3 >>> 8) | (z2 << 24)) ^ m3[b]!;
        z2 = ((z2 >>> 8) | (z1 << 24)) ^ m2[b]!;
        z1 = ((z1 >>> 8) | (z0 << 24)) ^ m1[b]!;
        z0 = (z0 >>> 8) ^ REDUCE_BYTE[out]! ^ m0[b]!;
        b = word >>> 24;
        out = z3 & 0xff;
        z3 = ((z3 >>> 8) | (z2 << 24)) ^ m3[b]!;
        z2 = ((z2 >>> 8) | (z1 << 24)) ^ m2[b]!;
        z1 = ((z1 >>> 8) | (z0 << 24)) ^ m1[b]!;
        z0 = (z0 >>> 8) ^ REDUCE_BYTE[out]! ^ m0[b]!;
      }
      y0 = z0;
      y1 = z1;
      y2 = z2;
      y3 = z3;
    }
    this.#y[0] = y0;
    this.#y[1] = y1;
    this.#y[2] = y2;
    this.#y[3] = y3;
  }

  #buildTables(hashSubkey: Uint8Array): void {
    const h = new DataView(hashSubkey.buffer, hashSubkey.byteOffset, BLOCK_LENGTH_IN_BYTES);
    let v0 = h.getUint32(0);
    let v1 = h.getUint32(4);
    let v2 = h.getUint32(8);
    let v3 = h.getUint32(12);
    // Single-bit entries: M[0x80] = H, M[0x40] = H·x, …, M[0x01] = H·x^7.
    for (let bit = 0x80; bit >= 1; bit >>>= 1) {
      this.#setEntry(bit, v0, v1, v2, v3);
      const carry = v3 & 1;
      v3 = (v3 >>> 1) | (v2 << 31);
      v2 = (v2 >>> 1) | (v1 << 31);
      v1 = (v1 >>> 1) | (v0 << 31);
      v0 = (v0 >>> 1) ^ (carry === 1 ? REDUCTION_WORD : 0);
    }
    // Every other entry by linearity: M[a ⊕ b] = M[a] ⊕ M[b].
    for (let power = 2; power < 256; power <<= 1) {
      for (let low = 1; low < power; low++) {
        this.#setEntry(
          power | low,
          this.#m0[power]! ^ this.#m0[low]!,
          this.#m1[power]! ^ this.#m1[low]!,
          this.#m2[power]! ^ this.#m2[low]!,
          this.#m3[power]! ^ this.#m3[low]!,
        );
      }
    }
  }

  #setEntry(index: number, w0: number, w1: number, w2: number, w3: number): void {
    this.#m0[index] = w0;
    this.#m1[index] = w1;
    this.#m2[index] = w2;
    this.#m3[index] = w3;
  }
}

function buildByteReductionTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let d = 0; d < 256; d++) {
    let w0 = 0;
    let w3 = d;
    // w1 and w2 stay zero: the reduction bits never travel further than 16 bits into w0.
    for (let step = 0; step < 8; step++) {
      const carry = w3 & 1;
      w3 >>>= 1;
      w0 = (w0 >>> 1) ^ (carry === 1 ? REDUCTION_WORD : 0);
    }
    table[d] = w0;
  }
  return table;
}

/** [lengthInBytes · 8]_64, big-endian; exact for any length a JavaScript buffer can have. */
function writeBitLength(view: DataView, offset: number, lengthInBytes: number): void {
  const bits = lengthInBytes * 8;
  view.setUint32(offset, Math.floor(bits / 2 ** 32));
  view.setUint32(offset + 4, bits % 2 ** 32);
}
