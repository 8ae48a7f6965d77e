import { randomFillSync } from 'node:crypto';
import { GCM_IV_LENGTH } from './aead.js';

// A call into OpenSSL's CSPRNG was measured at about 8 µs (Node 20, OpenSSL 3.0) whatever the
// length: a third of a whole SM4-GCM encryption of 1 KiB. So IVs come from a pool refilled 512
// IVs at a time, as Node's own crypto.randomUUID does with its entropy cache.
//
// GCM needs IVs that never repeat, not IVs that stay secret; the pool's bytes are as random as
// randomBytes'. Each pool byte is handed out once: the offset only moves forward, and the whole
// pool is refilled before it restarts at zero. The pool lives in one process (one per worker
// thread); a V8 startup snapshot taken after the first encryption would replay it, and Arca
// builds none.

const IVS_PER_REFILL = 512;
// allocUnsafeSlow: a buffer of its own, not a slice of Node's shared allocation pool.
const pool = Buffer.allocUnsafeSlow(GCM_IV_LENGTH * IVS_PER_REFILL);
let nextOffset = pool.length;

/** A fresh random 12-byte GCM IV, in a buffer of its own. */
export function randomGcmIv(): Buffer {
  if (nextOffset + GCM_IV_LENGTH > pool.length) {
    randomFillSync(pool);
    nextOffset = 0;
  }
  const iv = Buffer.allocUnsafe(GCM_IV_LENGTH);
  pool.copy(iv, 0, nextOffset, nextOffset + GCM_IV_LENGTH);
  nextOffset += GCM_IV_LENGTH;
  return iv;
}
