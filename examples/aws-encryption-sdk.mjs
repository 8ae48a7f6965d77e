// The AWS Encryption SDK against Arca, unchanged: only AWS_ENDPOINT_URL_KMS points it here.
//
// It imports two packages, both devDependencies of Arca's package.json (so `npm install` in a
// checkout brings them); elsewhere: npm install @aws-sdk/client-kms@^3 @aws-crypto/client-node@^5
//
//   AWS_ENDPOINT_URL_KMS=http://127.0.0.1:8080 \
//   AWS_ACCESS_KEY_ID=<Arca access key id> AWS_SECRET_ACCESS_KEY=<its secret> \
//   AWS_REGION=us-east-1 node examples/aws-encryption-sdk.mjs
//
// Creates two keys through @aws-sdk/client-kms, encrypts a message under both with KmsKeyringNode
// (the first generates the data key, the second encrypts it too), and decrypts it with a keyring
// that knows only the second key.
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { buildClient, CommitmentPolicy, KmsKeyringNode } from '@aws-crypto/client-node';

const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
const kms = new KMSClient({});

const generatorKeyId = (await kms.send(new CreateKeyCommand({ Description: 'ESDK generator' }))).KeyMetadata.Arn;
const secondKeyId = (await kms.send(new CreateKeyCommand({ Description: 'ESDK second key' }))).KeyMetadata.Arn;

const keyring = new KmsKeyringNode({ generatorKeyId, keyIds: [secondKeyId] });
const context = { purpose: 'example', tenant: 't-1' };
const { result } = await encrypt(keyring, 'hello from the AWS Encryption SDK', { encryptionContext: context });

const { plaintext, messageHeader } = await decrypt(new KmsKeyringNode({ keyIds: [secondKeyId] }), result);
if (messageHeader.encryptionContext.tenant !== 't-1') throw new Error('the encryption context did not come back');
console.log(`encrypted under ${generatorKeyId} and ${secondKeyId}`);
console.log(`decrypted with the second key: ${plaintext.toString('utf8')}`);
