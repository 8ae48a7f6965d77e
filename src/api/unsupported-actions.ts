/**
 * The actions of Alibaba's KMS API 2016-01-20 that Arca does not implement, grouped as Alibaba's
 * API overview groups them. A request for one of them is refused with `ActionNotSupported`, which
 * names the action, so a caller learns it reached a real KMS action that this server lacks; a name
 * in neither this list nor the action table is `UnknownAction` (a typo, or no such action).
 *
 * Where the names come from: Alibaba's API overview and catalog pages (service, instance, key,
 * cryptographic, secret, tag and application management); the methods of the npm
 * `@alicloud/kms20160120` 1.2.0 client (asymmetric keys, secrets); the models of the 3.x
 * TypeScript SDK (instances, application access points, network rules, policies, MAC and managed
 * data keys), whose earlier releases and the Java and Python SDKs also carry the certificate
 * actions. An action moves to the action table when it is implemented; a test fails while it is
 * in both.
 */
export const UNSUPPORTED_ACTION_GROUPS = {
  'Service management': ['OpenKmsService'],
  'Instance management': [
    'ConnectKmsInstance',
    'GetKmsInstance',
    'ListKmsInstances',
    'UpdateKmsInstanceBindVpc',
    'ReleaseKmsInstance',
    'GetDefaultKmsInstance',
    'GetKmsInstanceQuotaInfos',
  ],
  'Key management': ['GetPublicKey'],
  'Cryptographic operations': [
    'AsymmetricSign',
    'AsymmetricVerify',
    'AsymmetricEncrypt',
    'AsymmetricDecrypt',
    'GenerateMac',
    'VerifyMac',
    'GetManagedDataKey',
    'ListManagedDataKeyVersions',
  ],
  'Secret management': [
    'CreateSecret',
    'DescribeSecret',
    'ListSecrets',
    'UpdateSecret',
    'DeleteSecret',
    'RestoreSecret',
    'GetSecretValue',
    'BatchGetSecretValue',
    'PutSecretValue',
    'ListSecretVersionIds',
    'UpdateSecretVersionStage',
    'RotateSecret',
    'UpdateSecretRotationPolicy',
    'SetSecretPolicy',
    'GetSecretPolicy',
  ],
  Tag: ['TagResources', 'UntagResources', 'ListTagResources'],
  'Application management': [
    'CreateNetworkRule',
    'ListNetworkRules',
    'DescribeNetworkRule',
    'UpdateNetworkRule',
    'DeleteNetworkRule',
    'CreatePolicy',
    'ListPolicies',
    'DescribePolicy',
    'UpdatePolicy',
    'DeletePolicy',
    'CreateApplicationAccessPoint',
    'ListApplicationAccessPoints',
    'DescribeApplicationAccessPoint',
    'UpdateApplicationAccessPoint',
    'DeleteApplicationAccessPoint',
    'CreateClientKey',
    'ListClientKeys',
    'GetClientKey',
    'DeleteClientKey',
  ],
  Certificates: [
    'CreateCertificate',
    'UploadCertificate',
    'ImportCertificate',
    'ImportEncryptionCertificate',
    'DescribeCertificate',
    'GetCertificate',
    'ListCertificates',
    'ExportCertificate',
    'UpdateCertificateStatus',
    'DeleteCertificate',
    'CertificatePrivateKeySign',
    'CertificatePublicKeyVerify',
    'CertificatePublicKeyEncrypt',
    'CertificatePrivateKeyDecrypt',
  ],
} as const satisfies Record<string, readonly string[]>;

/** Every name of `UNSUPPORTED_ACTION_GROUPS`, for the dispatch. Names are matched exactly (Alibaba's are case-sensitive). */
export const UNSUPPORTED_ACTIONS: ReadonlySet<string> = new Set(Object.values(UNSUPPORTED_ACTION_GROUPS).flat());
