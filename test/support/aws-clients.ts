// The real AWS SDK clients pointed at an Arca process: the same access keys that sign Alibaba
// requests sign SigV4 ones.
import { KMSClient } from '@aws-sdk/client-kms';
import type { Credentials } from './acs3-signer.js';

/** The AWS scope the AWS tests start Arca with (`--aws-region`, `--aws-account-id`). */
export const TEST_AWS_REGION = 'eu-west-1';
export const TEST_AWS_ACCOUNT_ID = '111122223333';
export const TEST_AWS_ARGS = ['--aws-region', TEST_AWS_REGION, '--aws-account-id', TEST_AWS_ACCOUNT_ID] as const;

export function awsKeyArnOf(keyId: string): string {
  return `arn:aws:kms:${TEST_AWS_REGION}:${TEST_AWS_ACCOUNT_ID}:key/${keyId}`;
}

export function awsKmsClient(endpoint: string, credentials: Credentials, region: string = TEST_AWS_REGION): KMSClient {
  return new KMSClient({
    endpoint: `http://${endpoint}`,
    region,
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.accessKeySecret },
    // One attempt: a test sees the server's first answer, not a retried one.
    maxAttempts: 1,
  });
}
