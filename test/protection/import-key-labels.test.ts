// Which import key pairs the token sweeps before a new one is made (docs/adr/0020): expired ones,
// then the oldest beyond the bounds per key and overall; labels Arca did not make stay.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  importKeyLabel,
  importKeyLabelsToSweep,
  MAX_IMPORT_KEY_PAIRS,
  MAX_IMPORT_KEY_PAIRS_PER_KEY,
  parseImportKeyLabel,
} from '../../src/protection/pkcs11/token-import.js';

const NOW = 1_800_000_000_000;
const label = (keyId: string, expiresAtMs: number, pairId = `p${expiresAtMs}`): string => importKeyLabel({ keyId, pairId, expiresAtMs });

describe('import key pair labels', () => {
  it('a label carries the key, the expiry and the pair id, and parses back', () => {
    const pair = { keyId: 'key-1', pairId: '00ff', expiresAtMs: NOW };
    assert.deepEqual(parseImportKeyLabel(importKeyLabel(pair)), pair);
    for (const other of ['arca-wrapping-key', 'arca-import/k/notanumber/p', 'arca-import/k/1/p/extra', 'arca-import-test']) {
      assert.equal(parseImportKeyLabel(other), undefined, other);
    }
  });

  it('expired pairs of any key are swept; live ones and foreign labels stay', () => {
    const labels = [label('a', NOW - 1), label('b', NOW), label('b', NOW + 1), 'arca-import-test'];
    assert.deepEqual(importKeyLabelsToSweep(labels, 'c', NOW), [label('a', NOW - 1), label('b', NOW)]);
  });

  it(`a key keeps at most ${MAX_IMPORT_KEY_PAIRS_PER_KEY - 1} older pairs beside the new one: its oldest go first`, () => {
    const labels = [5, 1, 4, 2, 3].map((n) => label('a', NOW + n));
    labels.push(label('b', NOW + 1));
    assert.deepEqual(importKeyLabelsToSweep(labels, 'a', NOW), [label('a', NOW + 1), label('a', NOW + 2)]);
    assert.deepEqual(importKeyLabelsToSweep(labels, 'b', NOW), []);
  });

  it(`the token holds at most ${MAX_IMPORT_KEY_PAIRS} pairs: the oldest of all go first`, () => {
    const labels = Array.from({ length: MAX_IMPORT_KEY_PAIRS + 1 }, (_, n) => label(`key-${n}`, NOW + 1 + n));
    assert.deepEqual(importKeyLabelsToSweep(labels, 'new-key', NOW), [label('key-0', NOW + 1), label('key-1', NOW + 2)]);
  });
});
