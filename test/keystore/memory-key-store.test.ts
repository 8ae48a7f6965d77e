import { MemoryKeyStore } from '../../src/keystore/memory-key-store.js';
import { describeKeyStoreContract } from './key-store-contract.js';

describeKeyStoreContract('MemoryKeyStore', () => {
  const store = new MemoryKeyStore();
  return Promise.resolve({ store, cleanup: () => store.close() });
});
