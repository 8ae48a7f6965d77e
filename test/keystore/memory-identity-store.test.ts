import { MemoryKeyStore } from '../../src/keystore/memory-key-store.js';
import { describeIdentityStoreContract } from './identity-store-contract.js';

describeIdentityStoreContract('MemoryKeyStore', () => {
  const store = new MemoryKeyStore();
  return Promise.resolve({
    store,
    cleanup: () => store.close(),
    // The store is the only copy of its data: another handle on it is the store itself.
    openAgain: () => Promise.resolve({ store, close: () => Promise.resolve() }),
  });
});
