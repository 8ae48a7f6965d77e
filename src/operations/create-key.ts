import { randomUUID } from 'node:crypto';
import { KmsError } from '../domain/errors.js';
import type { Key, Tag } from '../domain/key.js';
import { DEFAULT_KEY_SPEC, KeyUsage, Origin, ProtectionLevel, type KeySpec } from '../domain/key-spec.js';
import { KeyState } from '../domain/key-state.js';
import { assertRotationIntervalAllowed } from '../domain/rotation-interval.js';
import { assertValidTags, MAX_TAGS_PER_KEY } from '../domain/tags.js';
import { defineOperation, resource, type OperationContext } from './operation.js';

export const MAX_DESCRIPTION_LENGTH = 8192;

export interface CreateKeyInput {
  readonly keySpec?: KeySpec;
  readonly keyUsage?: KeyUsage;
  readonly origin?: Origin;
  readonly protectionLevel?: ProtectionLevel;
  readonly description?: string;
  readonly enableAutomaticRotation?: boolean;
  readonly rotationIntervalSeconds?: number;
  readonly tags?: readonly Tag[];
}

export const createKey = defineOperation({
  action: 'CreateKey',
  resources: (_input: CreateKeyInput) => ({ keys: resource.keys() }),
  run: async (context, input): Promise<Key> => {
    const keySpec = input.keySpec ?? DEFAULT_KEY_SPEC;
    const protectionLevel = input.protectionLevel ?? ProtectionLevel.Software;
    const origin = input.origin ?? Origin.AliyunKms;
    // Rotation makes new material, which Arca cannot do for a key whose material comes from outside.
    if (origin === Origin.External && input.enableAutomaticRotation === true) throw new KmsError('UnsupportedOrigin');
    const description = input.description ?? '';
    if (description.length > MAX_DESCRIPTION_LENGTH) throw new KmsError('InvalidInput', 'description');
    const tags = input.tags ?? [];
    assertValidTags(tags, 'tags');
    if (tags.length > MAX_TAGS_PER_KEY) throw new KmsError('InvalidInput', 'tags');
    const rotation = rotationOf(context, input);

    const protector = context.keys.protectorFor(protectionLevel);
    // Material for an EXTERNAL HSM key is unwrapped inside the token (docs/adr/0020): a token
    // that cannot do that cannot hold such a key.
    if (origin === Origin.External && protectionLevel === ProtectionLevel.Hsm && !protector.inDeviceImport) {
      throw new KmsError('OriginUnsupportedAtProtectionLevel', origin, protectionLevel);
    }
    if (!protector.supportsKeySpec(keySpec)) throw new KmsError('KeySpecUnsupportedAtProtectionLevel', keySpec, protectionLevel);
    const now = context.clock.now();
    const keyId = randomUUID();
    const keyVersionId = randomUUID();
    // An EXTERNAL key's one version has no material until ImportKeyMaterial brings it.
    const material = origin === Origin.External ? null : await protector.generate(keySpec, keyVersionId);
    const key: Key = {
      keyId,
      keySpec,
      keyUsage: KeyUsage.EncryptDecrypt,
      origin,
      protectionLevel,
      keyState: origin === Origin.External ? KeyState.PendingImport : KeyState.Enabled,
      description,
      creator: context.keys.scope.accountId,
      creationDate: now,
      deleteDate: null,
      deletionProtection: false,
      deletionProtectionDescription: '',
      automaticRotation: rotation.enabled,
      rotationIntervalSeconds: rotation.intervalSeconds,
      lastRotationDate: now,
      primaryKeyVersionId: keyVersionId,
      materialExpireTime: null,
      keyPolicy: null,
      tags,
      revision: 1,
    };
    await context.keys.createKey(key, { keyId, keyVersionId, creationDate: now, material, materialCommitment: null });
    context.recordCreatedKey(keyId, keyVersionId);
    return key;
  },
});

function rotationOf(context: OperationContext, input: CreateKeyInput): { enabled: boolean; intervalSeconds: number | null } {
  const enabled = input.enableAutomaticRotation ?? false;
  if (input.rotationIntervalSeconds === undefined) {
    if (enabled) throw new KmsError('MissingInput', 'rotationInterval');
    return { enabled, intervalSeconds: null };
  }
  assertRotationIntervalAllowed(input.rotationIntervalSeconds, context.settings.minRotationIntervalSeconds);
  return { enabled, intervalSeconds: input.rotationIntervalSeconds };
}
