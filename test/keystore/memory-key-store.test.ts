import { MemoryKeyStore } from '../../src/keystore/memory-key-store.js';
import { describeKeyStoreContract } from './key-store-contract.js';

describeKeyStoreContract('MemoryKeyStore', () => {
  const store = new MemoryKeyStore();
  return Promise.resolve({
    store,
    cleanup: () => store.close(),
    // The store is the only copy of its data: another handle on it is the store itself.
    openAgain: () => Promise.resolve({ store, close: () => Promise.resolve() }),
  });
});
