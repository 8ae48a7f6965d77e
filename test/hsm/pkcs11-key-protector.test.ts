import { pino } from 'pino';
import { Pkcs11KeyProtector } from '../../src/protection/pkcs11/pkcs11-key-protector.js';
import { Pkcs11Token } from '../../src/protection/pkcs11/pkcs11-token.js';
import { describeKeyProtectorContract } from '../protection/key-protector-contract.js';
import { hsmSkipReason, newSoftHsmDirectory } from '../support/softhsm.js';

const skip = hsmSkipReason();

if (skip === false) {
  describeKeyProtectorContract('Pkcs11KeyProtector on SoftHSM2', async () => {
    const softHsm = newSoftHsmDirectory({ inProcess: true });
    const tokenInfo = softHsm.newToken();
    const logger = pino({ level: 'silent' });
    const token = Pkcs11Token.open({ modulePath: tokenInfo.modulePath, tokenLabel: tokenInfo.tokenLabel, pin: tokenInfo.pin }, logger);
    const protector = await Pkcs11KeyProtector.create(token, logger);
    return {
      protector,
      close: async () => {
        await token.close();
        softHsm.remove();
      },
    };
  });
} else {
  // A skipped describe says why in the runner's output.
  void import('node:test').then(({ describe }) => describe('Pkcs11KeyProtector on SoftHSM2 (KeyProtector contract)', { skip }, () => {}));
}
