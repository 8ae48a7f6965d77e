import { KmsError } from '../../domain/errors.js';
import { getParametersForImport } from '../../operations/get-parameters-for-import.js';
import { awsAction } from '../aws-action.js';
import { awsKeyArn } from '../aws-arn.js';
import { base64, epochSeconds } from '../aws-shapes.js';

/**
 * AWS's wrapping choices Arca offers: an RSA 2048 key with OAEP (SHA-1 or SHA-256), or SM2 with
 * SM2PKE. RSA_3072, RSA_4096 and the RSA_AES_KEY_WRAP algorithms are not offered; RSAES_PKCS1_V1_5
 * is refused as AWS refuses it since 2023.
 */
const AWS_WRAPPING_KEY_SPECS: Readonly<Record<string, string>> = { RSA_2048: 'RSA_2048', SM2: 'EC_SM2' };
const AWS_WRAPPING_ALGORITHMS: ReadonlySet<string> = new Set(['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE']);

export const getParametersForImportAwsAction = awsAction({
  name: 'GetParametersForImport',
  actions: [getParametersForImport.action],
  run: async (params, { execute, scope }) => {
    const key = params.keyReference('KeyId', 'key-only');
    const wrappingAlgorithm = params.requiredString('WrappingAlgorithm');
    const wrappingKeySpec = AWS_WRAPPING_KEY_SPECS[params.requiredString('WrappingKeySpec')];
    if (wrappingKeySpec === undefined) throw new KmsError('InvalidInput', 'wrappingKeySpec');
    if (!AWS_WRAPPING_ALGORITHMS.has(wrappingAlgorithm)) throw new KmsError('InvalidInput', 'wrappingAlgorithm');
    const parameters = await execute(getParametersForImport, { key, wrappingKeySpec, wrappingAlgorithm });
    return {
      KeyId: awsKeyArn(scope, parameters.keyId),
      ImportToken: base64(parameters.importToken),
      PublicKey: base64(parameters.publicKeySpki),
      ParametersValidTo: epochSeconds(parameters.tokenExpireTime),
    };
  },
});
