/**
 * The key policy a key has until SetKeyPolicy gives it another: Alibaba's default key policy
 * (KMS GetKeyPolicy reference), which names the key's own account as the principal. A RAM user
 * of the account is not the account, so this policy grants RAM users nothing by itself: their
 * identity policies decide (ADR 25). Keys made before key policies existed have this one too.
 */
export function defaultKeyPolicy(accountId: string): string {
  return JSON.stringify({
    Statement: [
      {
        Action: ['kms:*'],
        Effect: 'Allow',
        Principal: { RAM: [`acs:ram::${accountId}:*`] },
        Resource: ['*'],
        Sid: 'kms default key policy',
      },
    ],
    Version: '1',
  });
}
