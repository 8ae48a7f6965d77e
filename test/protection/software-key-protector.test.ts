import { SecretBytes } from '../../src/crypto/secret-bytes.js';
import { RootKey } from '../../src/protection/root-key.js';
import { SoftwareKeyProtector } from '../../src/protection/software-key-protector.js';
import { describeKeyProtectorContract } from './key-protector-contract.js';

describeKeyProtectorContract('SoftwareKeyProtector', () =>
  Promise.resolve({ protector: new SoftwareKeyProtector(RootKey.fromSecret(SecretBytes.random(32))), close: () => Promise.resolve() }),
);
