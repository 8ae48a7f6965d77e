import { pino } from 'pino';
import { Pkcs11KeyProtector } from '../../src/protection/pkcs11/pkcs11-key-protector.js';
import { Pkcs11Token } from '../../src/protection/pkcs11/pkcs11-token.js';
import { describeKeyProtectorContract } from '../protection/key-protector-contract.js';
import { hsmSkipReason, newSoftHsmDirectory } from '../support/softhsm.js';

describeKeyProtectorContract(
  'Pkcs11KeyProtector on SoftHSM2',
  async () => {
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
  },
  hsmSkipReason(),
);
