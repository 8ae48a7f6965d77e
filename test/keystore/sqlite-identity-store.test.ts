import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteKeyStore } from '../../src/keystore/sqlite/sqlite-key-store.js';
import { describeIdentityStoreContract } from './identity-store-contract.js';

describeIdentityStoreContract('SqliteKeyStore', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arca-sqlite-identities-'));
  const file = path.join(dir, 'arca.db');
  const store = SqliteKeyStore.open(file);
  return Promise.resolve({
    store,
    cleanup: async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
    // A second connection to the file: it reads only what was committed.
    openAgain: () => {
      const other = SqliteKeyStore.open(file);
      return Promise.resolve({ store: other, close: () => other.close() });
    },
  });
});
