// The state × action table, walked exhaustively. The expectations below are written from
// Alibaba's own table and do not come from src/domain/key-state.ts, so a wrong table in the
// product fails here. The page (docs/state-table.md has the whole table as Arca implements it):
//
//   "Impact of CMK status on API operations" (Key Management Service, developer reference)
//   https://www.alibabacloud.com/help/en/kms/key-management-service/developer-reference/impact-of-cmk-status-on-api-operations
//   "Last Updated: Mar 31, 2026"; seen 2026-12-04.
//
// The copy of that page that could be read ends inside its common-operations table, after the
// TagResource row (the next row's name is cut at "UntagReso"). Each expectation says where it
// comes from:
//   [page]      a row of the Mar 31, 2026 page, as read;
//   [earlier]   a row of the earlier revision of the same page, which the current one replaced
//               (https://www.alibabacloud.com/help/en/kms/key-management-service/support/impact-of-cmk-status-on-api-operations-1,
//               and its 2021 text "Impact of CMK states on API call" in AlibabaCloudDocs/kms),
//               for the rows the readable part of the current page does not reach;
//   [page, cut] UntagResource, whose row the readable copy cuts off (see its expectation);
//   [arca]      an action neither revision lists: Arca's own rule, with its reason.
// CreateKey, ListKeys and ListAliases ([earlier]: Success in every state) take no key and have no
// row here.
//
// Every state is reached over the API and every case runs over real HTTP: PendingImport with an
// EXTERNAL key whose imported material was deleted (DeleteKeyMaterial). The PendingImport cases
// also run against the operations directly, with the key's state set through the store (or, for
// the rows on an EXTERNAL key, through DeleteKeyMaterial). The same rows, but the two whose action
// the AWS KMS API lacks, run once more through the AWS front end with @aws-sdk/client-kms, each
// refusal as AWS names it (see awsDriver).
import assert from 'node:assert/strict';
import { constants, createPublicKey, publicEncrypt, randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GetKeyRotationStatusCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  KMSServiceException,
  ListAliasesCommand,
  ListKeyRotationsCommand,
  ListResourceTagsCommand,
  ReEncryptCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  UpdateKeyDescriptionCommand,
} from '@aws-sdk/client-kms';
import { pino } from 'pino';

import { alibabaErrorOf } from '../../src/api/alibaba-errors.js';
import { ciphertextFromBase64 } from '../../src/api/base64.js';
import { parseKeyReference } from '../../src/api/key-reference.js';
import { SecretBytes } from '../../src/crypto/secret-bytes.js';
import { EMPTY_CONTEXT } from '../../src/domain/encryption-context.js';
import { KmsError } from '../../src/domain/errors.js';
import type { Key } from '../../src/domain/key.js';
import { Origin, ProtectionLevel } from '../../src/domain/key-spec.js';
import { KeyState } from '../../src/domain/key-state.js';
import { systemClock, type KeyProtector } from '../../src/domain/ports.js';
import { DEFAULT_MIN_ROTATION_INTERVAL_SECONDS, parseDurationSeconds } from '../../src/domain/rotation-interval.js';
import { MemoryKeyStore } from '../../src/keystore/memory-key-store.js';
import { DEFAULT_KEY_REPOSITORY_OPTIONS, KeyRepository } from '../../src/operations/key-repository.js';
import { IdentityRepository } from '../../src/operations/ram/identity-repository.js';
import type { Operation, ResourceSpecs } from '../../src/operations/operation.js';
import { cancelKeyDeletion } from '../../src/operations/cancel-key-deletion.js';
import { createAlias } from '../../src/operations/create-alias.js';
import { createKey } from '../../src/operations/create-key.js';
import { createKeyVersion } from '../../src/operations/create-key-version.js';
import { decrypt } from '../../src/operations/decrypt.js';
import { deleteAlias } from '../../src/operations/delete-alias.js';
import { deleteKeyMaterial } from '../../src/operations/delete-key-material.js';
import { describeKey } from '../../src/operations/describe-key.js';
import { describeKeyVersion } from '../../src/operations/describe-key-version.js';
import { disableKey } from '../../src/operations/disable-key.js';
import { enableKey } from '../../src/operations/enable-key.js';
import { encrypt } from '../../src/operations/encrypt.js';
import { generateDataKey } from '../../src/operations/generate-data-key.js';
import { generateDataKeyWithoutPlaintext } from '../../src/operations/generate-data-key-without-plaintext.js';
import { getParametersForImport } from '../../src/operations/get-parameters-for-import.js';
import { importKeyMaterial } from '../../src/operations/import-key-material.js';
import { listAliasesByKeyId } from '../../src/operations/list-aliases-by-key-id.js';
import { listKeyVersions } from '../../src/operations/list-key-versions.js';
import { listResourceTags } from '../../src/operations/list-resource-tags.js';
import { reEncrypt } from '../../src/operations/re-encrypt.js';
import { scheduleKeyDeletion } from '../../src/operations/schedule-key-deletion.js';
import { setDeletionProtection } from '../../src/operations/set-deletion-protection.js';
import { tagResource } from '../../src/operations/tag-resource.js';
import { untagResource } from '../../src/operations/untag-resource.js';
import { updateAlias } from '../../src/operations/update-alias.js';
import { updateKeyDescription } from '../../src/operations/update-key-description.js';
import { updateRotationPolicy } from '../../src/operations/update-rotation-policy.js';
import { administratorOnly } from '../../src/pipeline/authorizer.js';
import { OperationRunner } from '../../src/pipeline/runner.js';
import { RootKey } from '../../src/protection/root-key.js';
import { SoftwareKeyProtector } from '../../src/protection/software-key-protector.js';
import { callAcs3, type Credentials } from '../support/acs3-signer.js';
import { awsKmsClient } from '../support/aws-clients.js';
import {
  startTestServer,
  TEST_ACCESS_KEY_ID,
  TEST_ACCESS_KEY_SECRET,
  TEST_ACCOUNT_ID,
  TEST_REGION,
  type TestServer,
} from '../support/server.js';

type State = 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingImport';
const API_STATES = ['Enabled', 'Disabled', 'PendingDeletion'] as const satisfies readonly State[];

interface Refusal {
  readonly code: string;
  readonly status: number;
}
type Expectation = 'OK' | Refusal;

const OK = 'OK';
const REJECTED_DISABLED: Refusal = { code: 'Rejected.Disabled', status: 409 };
const REJECTED_PENDING_DELETION: Refusal = { code: 'Rejected.PendingDeletion', status: 409 };
const REJECTED_PENDING_IMPORT: Refusal = { code: 'Rejected.PendingImport', status: 409 };
const STATE_MODIFIED_FAILED: Refusal = { code: 'Rejected.StateModifiedFailed', status: 409 };

/** [page] Encrypt, Decrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext (four rows alike). */
const CRYPTO: Record<State, Expectation> = {
  Enabled: OK,
  Disabled: REJECTED_DISABLED,
  PendingDeletion: REJECTED_PENDING_DELETION,
  PendingImport: REJECTED_PENDING_IMPORT,
};
/**
 * [arca] ReEncrypt decrypts under its source key and encrypts under its destination key, so each
 * key is judged as Decrypt and Encrypt judge it.
 */
const RE_ENCRYPT: Record<State, Expectation> = CRYPTO;
/** [page] UpdateRotationPolicy: an Enabled key only, with the same refusals as Encrypt. */
const UPDATE_ROTATION_POLICY: Record<State, Expectation> = {
  Enabled: OK,
  Disabled: REJECTED_DISABLED,
  PendingDeletion: REJECTED_PENDING_DELETION,
  PendingImport: REJECTED_PENDING_IMPORT,
};
/** [page] UpdateKeyDescription. */
const UPDATE_KEY_DESCRIPTION: Record<State, Expectation> = {
  Enabled: OK,
  Disabled: OK,
  PendingDeletion: REJECTED_PENDING_DELETION,
  PendingImport: OK,
};
/** [page] TagResource. */
const TAG_RESOURCE: Record<State, Expectation> = {
  Enabled: OK,
  Disabled: OK,
  PendingDeletion: REJECTED_PENDING_DELETION,
  PendingImport: OK,
};
/**
 * [page, cut] UntagResource: the page has the row, but the readable copy is cut inside its name. Its
 * PendingDeletion cell is Rejected.PendingDeletion as the API reference's summary of this page
 * says ("UpdateKeyDescription, TagResource and UntagResource refuse a PendingDeletion key"); the
 * other three cells are taken to be TagResource's.
 */
const UNTAG_RESOURCE: Record<State, Expectation> = {
  Enabled: OK,
  Disabled: OK,
  PendingDeletion: REJECTED_PENDING_DELETION,
  PendingImport: OK,
};
/** [earlier] DescribeKey, DeleteAlias: Success in every state. */
const ANY_STATE: Record<State, Expectation> = { Enabled: OK, Disabled: OK, PendingDeletion: OK, PendingImport: OK };
/**
 * [arca] ListResourceTags, ListAliasesByKeyId, DescribeKeyVersion, ListKeyVersions only read,
 * like DescribeKey: every state.
 */
const READ_ONLY: Record<State, Expectation> = ANY_STATE;
/** [earlier] EnableKey, DisableKey (two rows alike). */
const ENABLE_DISABLE: Record<State, Expectation> = {
  Enabled: OK,
  Disabled: OK,
  PendingDeletion: STATE_MODIFIED_FAILED,
  PendingImport: STATE_MODIFIED_FAILED,
};
/** [earlier] ScheduleKeyDeletion. */
const SCHEDULE_DELETION: Record<State, Expectation> = {
  Enabled: OK,
  Disabled: OK,
  PendingDeletion: STATE_MODIFIED_FAILED,
  PendingImport: OK,
};
/** [earlier] CancelKeyDeletion. */
const CANCEL_DELETION: Record<State, Expectation> = {
  Enabled: STATE_MODIFIED_FAILED,
  Disabled: STATE_MODIFIED_FAILED,
  PendingDeletion: OK,
  PendingImport: STATE_MODIFIED_FAILED,
};
/** [earlier] CreateAlias. */
const CREATE_ALIAS: Record<State, Expectation> = {
  Enabled: OK,
  Disabled: OK,
  PendingDeletion: STATE_MODIFIED_FAILED,
  PendingImport: OK,
};
/**
 * [earlier] UpdateAlias is "affected only by the state of the target key": Rejected.PendingDeletion
 * if the target is pending deletion, Success otherwise.
 */
const UPDATE_ALIAS_TARGET: Record<State, Expectation> = {
  Enabled: OK,
  Disabled: OK,
  PendingDeletion: REJECTED_PENDING_DELETION,
  PendingImport: OK,
};
/** [earlier] … and so the state of the key an alias leaves does not matter. */
const UPDATE_ALIAS_FORMER_TARGET: Record<State, Expectation> = ANY_STATE;
/** [earlier] GetParametersForImport, DeleteKeyMaterial (BYOK table): Success in every state. */
const BYOK_ANY_STATE: Record<State, Expectation> = ANY_STATE;
/** [earlier] ImportKeyMaterial (BYOK table). */
const IMPORT_KEY_MATERIAL: Record<State, Expectation> = {
  Enabled: OK,
  Disabled: OK,
  PendingDeletion: STATE_MODIFIED_FAILED,
  PendingImport: OK,
};
/**
 * [arca] SetDeletionProtection: the API reference says it "requires the key not to be
 * PendingDeletion" and names no code; the state-change refusal CreateAlias uses is the one that fits.
 */
const SET_DELETION_PROTECTION: Record<State, Expectation> = {
  Enabled: OK,
  Disabled: OK,
  PendingDeletion: STATE_MODIFIED_FAILED,
  PendingImport: OK,
};
/**
 * [arca] CreateKeyVersion makes a new primary version: rotation, which the UpdateRotationPolicy
 * help page allows only on an Enabled key ("Only keys in the Enabled state support key
 * rotation"): the same refusals as UpdateRotationPolicy and Encrypt.
 */
const CREATE_KEY_VERSION: Record<State, Expectation> = UPDATE_ROTATION_POLICY;

// ---------------------------------------------------------------------------------------------
// Two ways to reach the product: over HTTP, and through the operations.

type Outcome =
  | { readonly ok: true; readonly body: any }
  | { readonly ok: false; readonly code: string; readonly status: number; readonly detail: string };
type Params = Record<string, string>;

interface KeyView {
  readonly keyState: string;
  readonly description: string;
  readonly deletionProtection: boolean;
  readonly tags: ReadonlyArray<readonly [string, string]>;
  /** Automatic rotation is on (DescribeKey: Enabled or Suspended). */
  readonly automaticRotation: boolean;
  readonly primaryKeyVersion: string;
}

/** A key made for one case; an EXTERNAL key also brings the material imported into it. */
interface NewKey {
  readonly keyId: string;
  readonly material?: Buffer;
}

interface Driver {
  call(action: string, params: Params): Promise<Outcome>;
  /**
   * A new AES key, Enabled, with one tag `seed=1`. With `external`, an EXTERNAL key whose
   * material was imported (GetParametersForImport, ImportKeyMaterial), so it is Enabled too.
   */
  createKey(options?: { readonly external?: boolean }): Promise<NewKey>;
  /** Moves an Enabled key into `state`. */
  moveTo(keyId: string, state: State): Promise<void>;
  view(keyId: string): Promise<KeyView>;
  /** The key an alias names, or undefined when the alias does not exist. */
  aliasTarget(aliasName: string): Promise<string | undefined>;
  /** A refusal as this driver's protocol names it; the Alibaba code and status when absent. */
  readonly refusalOf?: (refusal: Refusal) => Refusal;
}

async function must(driver: Driver, action: string, params: Params): Promise<any> {
  const outcome = await driver.call(action, params);
  if (!outcome.ok) throw new Error(`setup ${action} failed: ${outcome.code} ${outcome.detail}`);
  return outcome.body;
}

const SEED_TAGS = JSON.stringify([{ TagKey: 'seed', TagValue: '1' }]);

/**
 * ImportKeyMaterial parameters that import `material` into an EXTERNAL key: a fresh
 * GetParametersForImport (RSA_2048, RSAES_OAEP_SHA_256) and the material wrapped the way a client
 * wraps it (Node's publicEncrypt).
 */
async function importParamsFor(driver: Driver, keyId: string, material: Buffer): Promise<Params> {
  const { PublicKey, ImportToken } = await must(driver, 'GetParametersForImport', {
    KeyId: keyId,
    WrappingKeySpec: 'RSA_2048',
    WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
  });
  const publicKey = createPublicKey({ key: Buffer.from(PublicKey, 'base64'), format: 'der', type: 'spki' });
  const wrapped = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, material);
  return { KeyId: keyId, ImportToken, EncryptedKeyMaterial: wrapped.toString('base64'), KeyMaterialExpireUnix: '0' };
}

/** Gives a new EXTERNAL key its first material, so it leaves PendingImport for Enabled. */
async function withImportedMaterial(driver: Driver, keyId: string): Promise<NewKey> {
  const material = randomBytes(32);
  await must(driver, 'ImportKeyMaterial', await importParamsFor(driver, keyId, material));
  return { keyId, material };
}

const credentials: Credentials = { accessKeyId: TEST_ACCESS_KEY_ID, accessKeySecret: TEST_ACCESS_KEY_SECRET };

/**
 * Over HTTP. With `externalKeysOnly`, every key is an EXTERNAL key with imported material, which
 * reaches PendingImport through DeleteKeyMaterial.
 */
function httpDriver(server: TestServer, { externalKeysOnly = false } = {}): Driver {
  const driver: Driver = {
    async call(action, params) {
      const response = await callAcs3(server, credentials, action, params);
      if (response.status === 200) return { ok: true, body: response.json };
      return { ok: false, code: String(response.json?.Code), status: response.status, detail: response.text };
    },
    async createKey({ external = false } = {}) {
      if (!external && !externalKeysOnly) return { keyId: (await must(driver, 'CreateKey', { Tags: SEED_TAGS })).KeyMetadata.KeyId };
      const keyId = (await must(driver, 'CreateKey', { Origin: 'EXTERNAL', Tags: SEED_TAGS })).KeyMetadata.KeyId;
      return withImportedMaterial(driver, keyId);
    },
    async moveTo(keyId, state) {
      if (state === 'Disabled') await must(driver, 'DisableKey', { KeyId: keyId });
      else if (state === 'PendingDeletion') await must(driver, 'ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: '7' });
      // Only an EXTERNAL key can get there over the API.
      else if (state === 'PendingImport') await must(driver, 'DeleteKeyMaterial', { KeyId: keyId });
    },
    async view(keyId) {
      const metadata = (await must(driver, 'DescribeKey', { KeyId: keyId })).KeyMetadata;
      const tags = (await must(driver, 'ListResourceTags', { KeyId: keyId })).Tags.Tag as Array<{ TagKey: string; TagValue: string }>;
      return {
        keyState: metadata.KeyState,
        description: metadata.Description,
        deletionProtection: metadata.DeletionProtection === 'Enabled',
        tags: tags.map((tag) => [tag.TagKey, tag.TagValue] as const),
        automaticRotation: metadata.AutomaticRotation !== 'Disabled',
        primaryKeyVersion: metadata.PrimaryKeyVersion,
      };
    },
    async aliasTarget(aliasName) {
      const outcome = await driver.call('DescribeKey', { KeyId: aliasName });
      if (outcome.ok) return outcome.body.KeyMetadata.KeyId;
      assert.equal(outcome.code, 'Forbidden.AliasNotFound', outcome.detail);
      return undefined;
    },
  };
  return driver;
}

/**
 * The operations through an OperationRunner over a memory store, wired by hand the way
 * composePipeline wires it (administrator-only authorisation), run as Arca itself. The driver
 * reads the wire params into the operations' neutral inputs (key references, bytes, seconds) and
 * answers with the Alibaba wire code of a refusal, so both drivers meet the same expectations.
 */
function operationsDriver(): Driver {
  const store = new MemoryKeyStore();
  const rootKey = RootKey.fromSecret(SecretBytes.random(32));
  const protectors = new Map<ProtectionLevel, KeyProtector>([[ProtectionLevel.Software, new SoftwareKeyProtector(rootKey)]]);
  const scope = { region: TEST_REGION, accountId: TEST_ACCOUNT_ID };
  // No record caching: a state written straight into the store is what the next call sees.
  const keys = new KeyRepository(store, protectors, systemClock, scope, {
    ...DEFAULT_KEY_REPOSITORY_OPTIONS,
    recordTtlMs: 0,
    maxOpenVersions: 1000,
  });
  const runner = new OperationRunner({
    keys,
    identities: new IdentityRepository(store.identities, rootKey, systemClock, scope.accountId),
    authorizer: administratorOnly,
    audit: { emit: () => {} },
    clock: systemClock,
    settings: { minRotationIntervalSeconds: DEFAULT_MIN_ROTATION_INTERVAL_SECONDS },
    secrets: rootKey,
    logger: pino({ level: 'silent' }),
  });
  const noContext = EMPTY_CONTEXT;
  const page = { pageNumber: 1, pageSize: 100 };
  const tagsOf = (json: string | undefined) => JSON.parse(json ?? '[]').map((t: any) => ({ tagKey: t.TagKey, tagValue: t.TagValue }));
  const blobOf = (text: string | undefined) => ciphertextFromBase64(text ?? '');
  const run = async (action: string, p: Params): Promise<unknown> => {
    const ops = {
      cancelKeyDeletion,
      createAlias,
      createKey,
      createKeyVersion,
      decrypt,
      deleteAlias,
      deleteKeyMaterial,
      describeKey,
      describeKeyVersion,
      disableKey,
      enableKey,
      encrypt,
      generateDataKey,
      generateDataKeyWithoutPlaintext,
      getParametersForImport,
      importKeyMaterial,
      listAliasesByKeyId,
      listKeyVersions,
      listResourceTags,
      reEncrypt,
      scheduleKeyDeletion,
      setDeletionProtection,
      tagResource,
      untagResource,
      updateAlias,
      updateKeyDescription,
      updateRotationPolicy,
    };
    const exec = <I, O, R extends ResourceSpecs>(operation: Operation<I, O, R>, input: I): Promise<O> =>
      runner.executeAsSystem(operation, input);
    const key = parseKeyReference(scope, p.KeyId ?? '');
    switch (action) {
      case 'CreateKey':
        return exec(ops.createKey, { tags: tagsOf(p.Tags), ...(p.Origin === 'EXTERNAL' ? { origin: Origin.External } : {}) });
      case 'Encrypt':
        return exec(ops.encrypt, { key, plaintext: Buffer.from(p.Plaintext ?? '', 'utf8'), encryptionContext: noContext, dryRun: false });
      case 'Decrypt': {
        const opened = await exec(ops.decrypt, { ciphertextBlob: blobOf(p.CiphertextBlob), encryptionContext: noContext, dryRun: false });
        return { ...opened, plaintext: opened.plaintext.toString('utf8') };
      }
      case 'GenerateDataKey': {
        const generated = await exec(ops.generateDataKey, {
          key,
          lengthInBytes: 32,
          sealing: 'base64-text',
          encryptionContext: noContext,
          dryRun: false,
        });
        const { dataKey, ...sealed } = generated;
        return { ...sealed, plaintext: dataKey.toString('base64') };
      }
      case 'GenerateDataKeyWithoutPlaintext':
        return exec(ops.generateDataKeyWithoutPlaintext, {
          key,
          lengthInBytes: 32,
          sealing: 'base64-text',
          encryptionContext: noContext,
          dryRun: false,
        });
      case 'ReEncrypt':
        return exec(ops.reEncrypt, {
          ciphertextBlob: blobOf(p.CiphertextBlob),
          sourceEncryptionContext: noContext,
          destinationKey: parseKeyReference(scope, p.DestinationKeyId ?? ''),
          destinationEncryptionContext: noContext,
          dryRun: false,
        });
      case 'DescribeKey':
        return exec(ops.describeKey, { key });
      case 'EnableKey':
        return exec(ops.enableKey, { key });
      case 'DisableKey':
        return exec(ops.disableKey, { key });
      case 'ScheduleKeyDeletion':
        return exec(ops.scheduleKeyDeletion, { key, pendingWindowInDays: Number(p.PendingWindowInDays) });
      case 'CancelKeyDeletion':
        return exec(ops.cancelKeyDeletion, { key });
      case 'CreateAlias':
        return exec(ops.createAlias, { aliasName: p.AliasName ?? '', key });
      case 'UpdateAlias':
        return exec(ops.updateAlias, { aliasName: p.AliasName ?? '', key });
      case 'DeleteAlias':
        return exec(ops.deleteAlias, { aliasName: p.AliasName ?? '' });
      case 'UpdateKeyDescription':
        return exec(ops.updateKeyDescription, { key, description: p.Description ?? '' });
      case 'SetDeletionProtection':
        return exec(ops.setDeletionProtection, {
          key,
          enableDeletionProtection: p.EnableDeletionProtection === 'true',
          deletionProtectionDescription: p.DeletionProtectionDescription,
        });
      case 'TagResource':
        return exec(ops.tagResource, { key, tags: tagsOf(p.Tags) });
      case 'UntagResource':
        return exec(ops.untagResource, { key, tagKeys: JSON.parse(p.TagKeys ?? '[]') });
      case 'ListResourceTags':
        return exec(ops.listResourceTags, { key });
      case 'ListAliasesByKeyId':
        return exec(ops.listAliasesByKeyId, { key, page });
      case 'CreateKeyVersion':
        return exec(ops.createKeyVersion, { key });
      case 'DescribeKeyVersion':
        return exec(ops.describeKeyVersion, { key, keyVersionId: p.KeyVersionId ?? '' });
      case 'ListKeyVersions':
        return exec(ops.listKeyVersions, { key, page });
      case 'GetParametersForImport': {
        const parameters = await exec(ops.getParametersForImport, {
          key,
          wrappingKeySpec: p.WrappingKeySpec ?? '',
          wrappingAlgorithm: p.WrappingAlgorithm ?? '',
        });
        // The wire's name for the public key.
        return { keyId: parameters.keyId, importToken: parameters.importToken, publicKey: parameters.publicKeySpki };
      }
      case 'ImportKeyMaterial':
        return exec(ops.importKeyMaterial, {
          key,
          encryptedKeyMaterial: Buffer.from(p.EncryptedKeyMaterial ?? '', 'base64'),
          importToken: Buffer.from(p.ImportToken ?? '', 'base64'),
          keyMaterialExpireUnix: Number(p.KeyMaterialExpireUnix ?? '0'),
        });
      case 'DeleteKeyMaterial':
        return exec(ops.deleteKeyMaterial, { key });
      case 'UpdateRotationPolicy': {
        const rotationIntervalSeconds = p.RotationInterval === undefined ? undefined : parseDurationSeconds(p.RotationInterval);
        if (p.RotationInterval !== undefined && rotationIntervalSeconds === undefined)
          throw new Error(`not a duration: ${p.RotationInterval}`);
        return exec(ops.updateRotationPolicy, {
          key,
          enableAutomaticRotation: p.EnableAutomaticRotation === 'true',
          ...(rotationIntervalSeconds === undefined ? {} : { rotationIntervalSeconds }),
        });
      }
      default:
        throw new Error(`the operations driver does not know ${action}`);
    }
  };
  const driver: Driver = {
    async call(action, params) {
      try {
        return { ok: true, body: wireNames(await run(action, params)) };
      } catch (error) {
        if (!(error instanceof KmsError)) throw error;
        // The refusal as the Alibaba front end answers it.
        const wire = alibabaErrorOf(error);
        return { ok: false, code: wire.code, status: wire.httpStatus, detail: `${error.kind}: ${wire.message}` };
      }
    },
    async createKey({ external = false } = {}) {
      if (!external) return { keyId: (await must(driver, 'CreateKey', { Tags: SEED_TAGS })).KeyId };
      return withImportedMaterial(driver, (await must(driver, 'CreateKey', { Origin: 'EXTERNAL', Tags: SEED_TAGS })).KeyId);
    },
    async moveTo(keyId, state) {
      if (state !== 'PendingImport') throw new Error(`the operations driver only moves keys to PendingImport, not ${state}`);
      const key = (await store.getKey(keyId)) as Key;
      if (key.origin === Origin.External) {
        await must(driver, 'DeleteKeyMaterial', { KeyId: keyId });
        return;
      }
      // What an EXTERNAL key whose material is not imported looks like, written straight into the store.
      await store.updateKey(
        { ...key, keyState: KeyState.PendingImport, origin: Origin.External, revision: key.revision + 1 },
        key.revision,
      );
    },
    async view(keyId) {
      const key = (await store.getKey(keyId)) as Key;
      return {
        keyState: key.keyState,
        description: key.description,
        deletionProtection: key.deletionProtection,
        tags: key.tags.map((tag) => [tag.tagKey, tag.tagValue] as const),
        automaticRotation: key.automaticRotation,
        primaryKeyVersion: key.primaryKeyVersionId,
      };
    },
    async aliasTarget(aliasName) {
      return (await store.getAlias(aliasName))?.keyId;
    },
  };
  return driver;
}

// ---------------------------------------------------------------------------------------------
// The same rows through the AWS KMS front end: each row's Alibaba action and parameters as the AWS
// operation that runs the same Arca operation (docs/adr/0035 has the mapping), its answer read
// back into the Alibaba shape the rows check, and each Alibaba refusal as the exception AWS
// names for it (AWS's key-state table: a disabled key is DisabledException, any other state
// that refuses is KMSInvalidStateException; always HTTP 400 as AWS answers).

/**
 * Rows whose Alibaba action has no AWS KMS operation: deletion protection and key version
 * lookup by id are Alibaba's alone. Every other row runs through the AWS front end too.
 */
const ALIBABA_ONLY_ACTIONS = ['SetDeletionProtection', 'DescribeKeyVersion'];

const AWS_REFUSALS: Readonly<Record<string, string>> = {
  'Rejected.Disabled': 'DisabledException',
  'Rejected.PendingDeletion': 'KMSInvalidStateException',
  'Rejected.PendingImport': 'KMSInvalidStateException',
  'Rejected.StateModifiedFailed': 'KMSInvalidStateException',
};

const bytesOf = (text: string | undefined): Buffer => Buffer.from(text ?? '', 'base64');
const base64Of = (bytes: Uint8Array | undefined): string | undefined =>
  bytes === undefined ? undefined : Buffer.from(bytes).toString('base64');
const bareKeyId = (arn: string | undefined): string | undefined => arn?.replace(/^arn:aws:kms:[^:]+:\d{12}:key\//, '');

function awsDriver(server: TestServer, { externalKeysOnly = false } = {}): Driver {
  const kms = awsKmsClient(server.endpoint, credentials, 'us-east-1');
  /** One Alibaba action and its parameters as the AWS command that runs the same operation. */
  const commandFor = (action: string, p: Params): any => {
    const KeyId = p.KeyId ?? '';
    switch (action) {
      case 'Encrypt':
        return new EncryptCommand({ KeyId, Plaintext: Buffer.from(p.Plaintext ?? '', 'utf8') });
      case 'Decrypt':
        return new DecryptCommand({ CiphertextBlob: bytesOf(p.CiphertextBlob) });
      case 'GenerateDataKey':
        return new GenerateDataKeyCommand({ KeyId, KeySpec: 'AES_256' });
      case 'GenerateDataKeyWithoutPlaintext':
        return new GenerateDataKeyWithoutPlaintextCommand({ KeyId, KeySpec: 'AES_256' });
      case 'ReEncrypt':
        return new ReEncryptCommand({ CiphertextBlob: bytesOf(p.CiphertextBlob), DestinationKeyId: p.DestinationKeyId ?? '' });
      case 'CreateKey':
        return new CreateKeyCommand({
          ...(p.Origin === 'EXTERNAL' ? { Origin: 'EXTERNAL' } : {}),
          Tags: JSON.parse(p.Tags ?? '[]'),
        });
      case 'DescribeKey':
        return new DescribeKeyCommand({ KeyId });
      case 'EnableKey':
        return new EnableKeyCommand({ KeyId });
      case 'DisableKey':
        return new DisableKeyCommand({ KeyId });
      case 'ScheduleKeyDeletion':
        return new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: Number(p.PendingWindowInDays) });
      case 'CancelKeyDeletion':
        return new CancelKeyDeletionCommand({ KeyId });
      case 'CreateAlias':
        return new CreateAliasCommand({ AliasName: p.AliasName ?? '', TargetKeyId: KeyId });
      case 'UpdateAlias':
        return new UpdateAliasCommand({ AliasName: p.AliasName ?? '', TargetKeyId: KeyId });
      case 'DeleteAlias':
        return new DeleteAliasCommand({ AliasName: p.AliasName ?? '' });
      case 'UpdateKeyDescription':
        return new UpdateKeyDescriptionCommand({ KeyId, Description: p.Description ?? '' });
      case 'TagResource':
        return new TagResourceCommand({ KeyId, Tags: JSON.parse(p.Tags ?? '[]') });
      case 'UntagResource':
        return new UntagResourceCommand({ KeyId, TagKeys: JSON.parse(p.TagKeys ?? '[]') });
      case 'ListResourceTags':
        return new ListResourceTagsCommand({ KeyId });
      case 'ListAliasesByKeyId':
        return new ListAliasesCommand({ KeyId });
      case 'CreateKeyVersion':
        return new RotateKeyOnDemandCommand({ KeyId });
      case 'ListKeyVersions':
        return new ListKeyRotationsCommand({ KeyId });
      case 'UpdateRotationPolicy':
        return new EnableKeyRotationCommand({ KeyId, RotationPeriodInDays: 90 });
      case 'GetParametersForImport':
        return new GetParametersForImportCommand({
          KeyId,
          WrappingKeySpec: p.WrappingKeySpec as 'RSA_2048',
          WrappingAlgorithm: p.WrappingAlgorithm as 'RSAES_OAEP_SHA_256',
        });
      case 'ImportKeyMaterial':
        return new ImportKeyMaterialCommand({
          KeyId,
          ImportToken: bytesOf(p.ImportToken),
          EncryptedKeyMaterial: bytesOf(p.EncryptedKeyMaterial),
          ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        });
      case 'DeleteKeyMaterial':
        return new DeleteImportedKeyMaterialCommand({ KeyId });
      default:
        throw new Error(`no AWS operation for ${action}`);
    }
  };
  /** The AWS answer in the Alibaba shape the rows read: bare key ids, text plaintexts, base64 blobs. */
  const alibabaShapeOf = async (action: string, p: Params, output: any): Promise<any> => {
    const common = {
      ...(output.KeyId === undefined ? {} : { KeyId: bareKeyId(output.KeyId) }),
      ...(output.CiphertextBlob === undefined ? {} : { CiphertextBlob: base64Of(output.CiphertextBlob) }),
    };
    switch (action) {
      case 'CreateKey':
      case 'DescribeKey':
        return { KeyMetadata: { ...output.KeyMetadata } };
      case 'Decrypt':
        return { ...common, Plaintext: Buffer.from(output.Plaintext).toString('utf8') };
      case 'GenerateDataKey':
        return { ...common, Plaintext: base64Of(output.Plaintext) };
      case 'GetParametersForImport':
        return { ...common, PublicKey: base64Of(output.PublicKey), ImportToken: base64Of(output.ImportToken) };
      case 'CreateKeyVersion': {
        const described = await kms.send(new DescribeKeyCommand({ KeyId: p.KeyId ?? '' }));
        return { ...common, KeyVersionId: described.KeyMetadata?.CurrentKeyMaterialId };
      }
      case 'ListKeyVersions':
        return { TotalCount: output.Rotations.length };
      default:
        return common;
    }
  };
  const driver: Driver = {
    async call(action, params) {
      try {
        const output = await kms.send(commandFor(action, params));
        return { ok: true, body: await alibabaShapeOf(action, params, output) };
      } catch (error) {
        if (!(error instanceof KMSServiceException)) throw error;
        return { ok: false, code: error.name, status: error.$metadata.httpStatusCode ?? 0, detail: error.message };
      }
    },
    async createKey({ external = false } = {}) {
      if (!external && !externalKeysOnly) return { keyId: (await must(driver, 'CreateKey', { Tags: SEED_TAGS })).KeyMetadata.KeyId };
      const keyId = (await must(driver, 'CreateKey', { Origin: 'EXTERNAL', Tags: SEED_TAGS })).KeyMetadata.KeyId;
      return withImportedMaterial(driver, keyId);
    },
    async moveTo(keyId, state) {
      if (state === 'Disabled') await must(driver, 'DisableKey', { KeyId: keyId });
      else if (state === 'PendingDeletion') await must(driver, 'ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: '7' });
      else if (state === 'PendingImport') await must(driver, 'DeleteKeyMaterial', { KeyId: keyId });
    },
    async view(keyId) {
      const metadata = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
      const tags = (await kms.send(new ListResourceTagsCommand({ KeyId: keyId }))).Tags ?? [];
      const rotation = await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
      // KeyMetadata names no current material while a key is PendingImport, as AWS's does not;
      // the newest material is the CURRENT one of ListKeyRotations in every state.
      const rotations = (await kms.send(new ListKeyRotationsCommand({ KeyId: keyId }))).Rotations ?? [];
      return {
        keyState: metadata?.KeyState ?? '',
        description: metadata?.Description ?? '',
        // Deletion protection is not on the AWS API (its row is Alibaba's alone).
        deletionProtection: false,
        tags: tags.map((tag) => [tag.TagKey ?? '', tag.TagValue ?? ''] as const),
        automaticRotation: rotation.KeyRotationEnabled === true,
        primaryKeyVersion: rotations.find((entry) => entry.KeyMaterialState === 'CURRENT')?.KeyMaterialId ?? '',
      };
    },
    async aliasTarget(aliasName) {
      const outcome = await driver.call('DescribeKey', { KeyId: aliasName });
      if (outcome.ok) return outcome.body.KeyMetadata.KeyId;
      assert.equal(outcome.code, 'NotFoundException', outcome.detail);
      return undefined;
    },
    refusalOf: (refusal) => {
      const code = AWS_REFUSALS[refusal.code];
      if (code === undefined) throw new Error(`no AWS name for ${refusal.code}`);
      return { code, status: 400 };
    },
  };
  return driver;
}

/**
 * `{ ciphertextBlob }` → `{ CiphertextBlob }`, with bytes as base64 text, so both drivers answer
 * with the same field names and a blob one returns is a CiphertextBlob parameter the next takes.
 */
function wireNames(output: unknown): any {
  if (typeof output !== 'object' || output === null) return output;
  return Object.fromEntries(
    Object.entries(output).map(([name, value]) => [
      name.charAt(0).toUpperCase() + name.slice(1),
      Buffer.isBuffer(value) ? value.toString('base64') : value,
    ]),
  );
}

// ---------------------------------------------------------------------------------------------
// The rows: one action (or one role of a key in an action) each.

interface CaseContext {
  readonly keyId: string;
  /** Another key that stays Enabled throughout. */
  readonly helperKeyId: string;
  readonly blob?: string;
  readonly aliasName?: string;
  readonly plaintext?: string;
  /** The key's primary version while it was still Enabled. */
  readonly keyVersionId?: string;
  /** The material imported into an EXTERNAL key. */
  readonly material?: Buffer;
  /** ImportKeyMaterial parameters, fetched while the key was still Enabled. */
  readonly importParams?: Params;
}

interface Row {
  readonly name: string;
  readonly action: string;
  readonly expect: Record<State, Expectation>;
  /** The key under test is an EXTERNAL key with imported material (the BYOK rows). */
  readonly external?: boolean;
  /** Runs while the key is still Enabled, before it is moved to the state under test. */
  readonly prepare?: (driver: Driver, context: CaseContext) => Promise<Partial<CaseContext>>;
  readonly params: (context: CaseContext) => Params;
  /** The key's state after the action when it is allowed, from the state before; unchanged when absent. */
  readonly stateAfter?: (before: State) => State;
  /** Checks the answer of an allowed call. */
  readonly checkBody?: (body: any, context: CaseContext) => void;
  /** Whether the action's lasting effect is visible: must be true iff the action was allowed. */
  readonly effectVisible?: (driver: Driver, context: CaseContext) => Promise<boolean>;
}

const uniqueAlias = (): string => `alias/matrix-${randomUUID().slice(0, 12)}`;

const primaryOf = async (driver: Driver, keyId: string): Promise<Partial<CaseContext>> => ({
  keyVersionId: (await driver.view(keyId)).primaryKeyVersion,
});

const encryptUnder = async (driver: Driver, keyId: string, plaintext: string): Promise<string> =>
  (await must(driver, 'Encrypt', { KeyId: keyId, Plaintext: plaintext })).CiphertextBlob;

const ROWS: readonly Row[] = [
  {
    name: 'Encrypt',
    action: 'Encrypt',
    expect: CRYPTO,
    params: ({ keyId }) => ({ KeyId: keyId, Plaintext: 'matrix' }),
    checkBody: (body, { keyId }) => assert.equal(body.KeyId, keyId),
  },
  {
    name: 'Decrypt',
    action: 'Decrypt',
    expect: CRYPTO,
    prepare: async (driver, { keyId }) => ({ plaintext: 'sealed before', blob: await encryptUnder(driver, keyId, 'sealed before') }),
    params: ({ blob }) => ({ CiphertextBlob: blob ?? '' }),
    checkBody: (body, { plaintext }) => assert.equal(body.Plaintext, plaintext),
  },
  {
    name: 'GenerateDataKey',
    action: 'GenerateDataKey',
    expect: CRYPTO,
    params: ({ keyId }) => ({ KeyId: keyId }),
    checkBody: (body) => assert.equal(Buffer.from(body.Plaintext, 'base64').length, 32),
  },
  {
    name: 'GenerateDataKeyWithoutPlaintext',
    action: 'GenerateDataKeyWithoutPlaintext',
    expect: CRYPTO,
    params: ({ keyId }) => ({ KeyId: keyId }),
    checkBody: (body) => assert.equal(body.Plaintext, undefined),
  },
  {
    name: 'ReEncrypt with the key as the source (destination Enabled)',
    action: 'ReEncrypt',
    expect: RE_ENCRYPT,
    prepare: async (driver, { keyId }) => ({ blob: await encryptUnder(driver, keyId, 'source') }),
    params: ({ blob, helperKeyId }) => ({ CiphertextBlob: blob ?? '', DestinationKeyId: helperKeyId }),
    checkBody: (body, { helperKeyId }) => assert.equal(body.KeyId, helperKeyId),
  },
  {
    name: 'ReEncrypt with the key as the destination (source Enabled)',
    action: 'ReEncrypt',
    expect: RE_ENCRYPT,
    prepare: async (driver, { helperKeyId }) => ({ blob: await encryptUnder(driver, helperKeyId, 'destination') }),
    params: ({ blob, keyId }) => ({ CiphertextBlob: blob ?? '', DestinationKeyId: keyId }),
    checkBody: (body, { keyId }) => assert.equal(body.KeyId, keyId),
  },
  {
    name: 'DescribeKey',
    action: 'DescribeKey',
    expect: ANY_STATE,
    params: ({ keyId }) => ({ KeyId: keyId }),
  },
  {
    name: 'EnableKey',
    action: 'EnableKey',
    expect: ENABLE_DISABLE,
    params: ({ keyId }) => ({ KeyId: keyId }),
    stateAfter: () => 'Enabled',
  },
  {
    name: 'DisableKey',
    action: 'DisableKey',
    expect: ENABLE_DISABLE,
    params: ({ keyId }) => ({ KeyId: keyId }),
    stateAfter: () => 'Disabled',
  },
  {
    name: 'ScheduleKeyDeletion',
    action: 'ScheduleKeyDeletion',
    expect: SCHEDULE_DELETION,
    params: ({ keyId }) => ({ KeyId: keyId, PendingWindowInDays: '30' }),
    stateAfter: () => 'PendingDeletion',
  },
  {
    name: 'CancelKeyDeletion',
    action: 'CancelKeyDeletion',
    expect: CANCEL_DELETION,
    params: ({ keyId }) => ({ KeyId: keyId }),
    stateAfter: () => 'Enabled',
  },
  {
    name: 'CreateAlias',
    action: 'CreateAlias',
    expect: CREATE_ALIAS,
    prepare: () => Promise.resolve({ aliasName: uniqueAlias() }),
    params: ({ keyId, aliasName }) => ({ KeyId: keyId, AliasName: aliasName ?? '' }),
    effectVisible: async (driver, { keyId, aliasName }) => (await driver.aliasTarget(aliasName ?? '')) === keyId,
  },
  {
    name: 'UpdateAlias with the key as the new target',
    action: 'UpdateAlias',
    expect: UPDATE_ALIAS_TARGET,
    prepare: async (driver, { helperKeyId }) => {
      const aliasName = uniqueAlias();
      await must(driver, 'CreateAlias', { KeyId: helperKeyId, AliasName: aliasName });
      return { aliasName };
    },
    params: ({ keyId, aliasName }) => ({ KeyId: keyId, AliasName: aliasName ?? '' }),
    effectVisible: async (driver, { keyId, aliasName }) => (await driver.aliasTarget(aliasName ?? '')) === keyId,
  },
  {
    name: 'UpdateAlias moving an alias of the key to an Enabled key',
    action: 'UpdateAlias',
    expect: UPDATE_ALIAS_FORMER_TARGET,
    prepare: async (driver, { keyId }) => {
      const aliasName = uniqueAlias();
      await must(driver, 'CreateAlias', { KeyId: keyId, AliasName: aliasName });
      return { aliasName };
    },
    params: ({ helperKeyId, aliasName }) => ({ KeyId: helperKeyId, AliasName: aliasName ?? '' }),
    effectVisible: async (driver, { helperKeyId, aliasName }) => (await driver.aliasTarget(aliasName ?? '')) === helperKeyId,
  },
  {
    name: 'DeleteAlias of an alias naming the key',
    action: 'DeleteAlias',
    expect: ANY_STATE,
    prepare: async (driver, { keyId }) => {
      const aliasName = uniqueAlias();
      await must(driver, 'CreateAlias', { KeyId: keyId, AliasName: aliasName });
      return { aliasName };
    },
    params: ({ aliasName }) => ({ AliasName: aliasName ?? '' }),
    effectVisible: async (driver, { aliasName }) => (await driver.aliasTarget(aliasName ?? '')) === undefined,
  },
  {
    name: 'UpdateKeyDescription',
    action: 'UpdateKeyDescription',
    expect: UPDATE_KEY_DESCRIPTION,
    params: ({ keyId }) => ({ KeyId: keyId, Description: 'described by the matrix' }),
    effectVisible: async (driver, { keyId }) => (await driver.view(keyId)).description === 'described by the matrix',
  },
  {
    name: 'SetDeletionProtection',
    action: 'SetDeletionProtection',
    expect: SET_DELETION_PROTECTION,
    params: ({ keyId }) => ({ KeyId: keyId, EnableDeletionProtection: 'true', DeletionProtectionDescription: 'matrix' }),
    effectVisible: async (driver, { keyId }) => (await driver.view(keyId)).deletionProtection,
  },
  {
    name: 'TagResource',
    action: 'TagResource',
    expect: TAG_RESOURCE,
    params: ({ keyId }) => ({ KeyId: keyId, Tags: JSON.stringify([{ TagKey: 'added', TagValue: 'yes' }]) }),
    effectVisible: async (driver, { keyId }) => (await driver.view(keyId)).tags.some(([k, v]) => k === 'added' && v === 'yes'),
  },
  {
    name: 'UntagResource',
    action: 'UntagResource',
    expect: UNTAG_RESOURCE,
    params: ({ keyId }) => ({ KeyId: keyId, TagKeys: JSON.stringify(['seed']) }),
    effectVisible: async (driver, { keyId }) => !(await driver.view(keyId)).tags.some(([k]) => k === 'seed'),
  },
  {
    name: 'ListResourceTags',
    action: 'ListResourceTags',
    expect: READ_ONLY,
    params: ({ keyId }) => ({ KeyId: keyId }),
  },
  {
    name: 'ListAliasesByKeyId',
    action: 'ListAliasesByKeyId',
    expect: READ_ONLY,
    params: ({ keyId }) => ({ KeyId: keyId }),
  },
  {
    name: 'CreateKeyVersion',
    action: 'CreateKeyVersion',
    expect: CREATE_KEY_VERSION,
    prepare: (driver, { keyId }) => primaryOf(driver, keyId),
    params: ({ keyId }) => ({ KeyId: keyId }),
    checkBody: (body, { keyId, keyVersionId }) => {
      // Over HTTP the version comes wrapped in KeyVersion; the operation returns it bare.
      const version = body.KeyVersion ?? body;
      assert.equal(version.KeyId, keyId);
      assert.notEqual(version.KeyVersionId, keyVersionId);
    },
    effectVisible: async (driver, { keyId, keyVersionId }) => (await driver.view(keyId)).primaryKeyVersion !== keyVersionId,
  },
  {
    name: 'DescribeKeyVersion',
    action: 'DescribeKeyVersion',
    expect: READ_ONLY,
    prepare: (driver, { keyId }) => primaryOf(driver, keyId),
    params: ({ keyId, keyVersionId }) => ({ KeyId: keyId, KeyVersionId: keyVersionId ?? '' }),
    checkBody: (body, { keyId, keyVersionId }) => {
      const version = body.KeyVersion ?? body;
      assert.equal(version.KeyId, keyId);
      assert.equal(version.KeyVersionId, keyVersionId);
    },
  },
  {
    name: 'ListKeyVersions',
    action: 'ListKeyVersions',
    expect: READ_ONLY,
    params: ({ keyId }) => ({ KeyId: keyId }),
    checkBody: (body) => assert.equal(body.TotalCount, 1),
  },
  {
    name: 'UpdateRotationPolicy',
    action: 'UpdateRotationPolicy',
    expect: UPDATE_ROTATION_POLICY,
    params: ({ keyId }) => ({ KeyId: keyId, EnableAutomaticRotation: 'true', RotationInterval: '7d' }),
    effectVisible: async (driver, { keyId }) => (await driver.view(keyId)).automaticRotation,
  },
  {
    name: 'GetParametersForImport',
    action: 'GetParametersForImport',
    expect: BYOK_ANY_STATE,
    external: true,
    params: ({ keyId }) => ({ KeyId: keyId, WrappingKeySpec: 'RSA_2048', WrappingAlgorithm: 'RSAES_OAEP_SHA_256' }),
    checkBody: (body, { keyId }) => {
      assert.equal(body.KeyId, keyId);
      assert.ok(body.ImportToken && body.PublicKey);
    },
  },
  {
    name: 'ImportKeyMaterial of the material the key already had',
    action: 'ImportKeyMaterial',
    expect: IMPORT_KEY_MATERIAL,
    external: true,
    // The token is fetched while the key is Enabled: it stays usable for 24 hours.
    prepare: async (driver, { keyId, material }) => ({ importParams: await importParamsFor(driver, keyId, material ?? Buffer.alloc(0)) }),
    params: ({ importParams }) => importParams ?? {},
    // The material brings a PendingImport key back; any other state stays as it was.
    stateAfter: (before) => (before === 'PendingImport' ? 'Enabled' : before),
  },
  {
    name: 'DeleteKeyMaterial',
    action: 'DeleteKeyMaterial',
    expect: BYOK_ANY_STATE,
    external: true,
    params: ({ keyId }) => ({ KeyId: keyId }),
    // The DeleteKeyMaterial help page: PendingImport, unless the key is PendingDeletion, which it stays.
    stateAfter: (before) => (before === 'PendingDeletion' ? 'PendingDeletion' : 'PendingImport'),
  },
];

const EXPECTED_ROWS = 28;

function describeExpectation(expectation: Expectation): string {
  return expectation === OK ? 'is allowed' : `is refused with ${expectation.status} ${expectation.code}`;
}

async function runCase(driver: Driver, helperKeyId: string, row: Row, state: State): Promise<void> {
  const { keyId, material } = await driver.createKey({ external: row.external === true });
  let context: CaseContext = { keyId, helperKeyId, ...(material ? { material } : {}) };
  if (row.prepare) context = { ...context, ...(await row.prepare(driver, context)) };
  await driver.moveTo(keyId, state);
  assert.equal((await driver.view(keyId)).keyState, state, 'set-up did not reach the state');

  const written = row.expect[state];
  const expectation = written === OK || !driver.refusalOf ? written : driver.refusalOf(written);
  const outcome = await driver.call(row.action, row.params(context));
  if (expectation === OK) {
    assert.ok(
      outcome.ok,
      `${row.name} in ${state}: expected success, got ${outcome.ok ? '' : `${outcome.status} ${outcome.code}: ${outcome.detail}`}`,
    );
    row.checkBody?.(outcome.body, context);
  } else {
    assert.ok(!outcome.ok, `${row.name} in ${state}: expected ${expectation.status} ${expectation.code}, but it succeeded`);
    assert.deepEqual({ code: outcome.code, status: outcome.status }, expectation, `${row.name} in ${state}: ${outcome.detail}`);
  }

  const allowed = expectation === OK;
  const expectedState = allowed && row.stateAfter !== undefined ? row.stateAfter(state) : state;
  assert.equal((await driver.view(keyId)).keyState, expectedState, `${row.name} in ${state}: key state afterwards`);
  if (row.effectVisible) {
    assert.equal(
      await row.effectVisible(driver, context),
      allowed,
      `${row.name} in ${state}: effect ${allowed ? 'missing' : 'applied although refused'}`,
    );
  }
}

describe('state × action matrix', () => {
  it('has one row per (action, role of the key) and a PendingImport column for every row', () => {
    assert.equal(ROWS.length, EXPECTED_ROWS);
    assert.equal(new Set(ROWS.map((row) => row.name)).size, EXPECTED_ROWS);
    const actions = new Set(ROWS.map((row) => row.action));
    for (const action of [
      'Encrypt',
      'Decrypt',
      'GenerateDataKey',
      'GenerateDataKeyWithoutPlaintext',
      'ReEncrypt',
      'DescribeKey',
      'EnableKey',
      'DisableKey',
      'ScheduleKeyDeletion',
      'CancelKeyDeletion',
      'CreateAlias',
      'UpdateAlias',
      'DeleteAlias',
      'UpdateKeyDescription',
      'SetDeletionProtection',
      'TagResource',
      'UntagResource',
      'ListResourceTags',
      'ListAliasesByKeyId',
      'CreateKeyVersion',
      'DescribeKeyVersion',
      'ListKeyVersions',
      'UpdateRotationPolicy',
      'GetParametersForImport',
      'ImportKeyMaterial',
      'DeleteKeyMaterial',
    ]) {
      assert.ok(actions.has(action), `no row for ${action}`);
    }
  });

  describe('over HTTP (Enabled, Disabled, PendingDeletion)', () => {
    let server: TestServer;
    let driver: Driver;
    let helperKeyId: string;
    let casesRun = 0;

    before(async () => {
      server = await startTestServer();
      driver = httpDriver(server);
      helperKeyId = (await driver.createKey()).keyId;
    });

    after(async () => {
      await server?.close();
      // Every generated case ran: none was skipped or filtered away.
      assert.equal(casesRun, EXPECTED_ROWS * API_STATES.length);
    });

    for (const state of API_STATES) {
      describe(`key ${state}`, () => {
        for (const row of ROWS) {
          it(`${row.name} on ${state === 'Enabled' ? 'an' : 'a'} ${state} key ${describeExpectation(row.expect[state])}`, async () => {
            casesRun++;
            await runCase(driver, helperKeyId, row, state);
          });
        }
      });
    }
  });

  describe('over HTTP (PendingImport: an EXTERNAL key after DeleteKeyMaterial)', () => {
    let server: TestServer;
    let driver: Driver;
    let helperKeyId: string;
    let casesRun = 0;

    before(async () => {
      server = await startTestServer();
      driver = httpDriver(server, { externalKeysOnly: true });
      helperKeyId = (await httpDriver(server).createKey()).keyId;
    });

    after(async () => {
      await server?.close();
      assert.equal(casesRun, EXPECTED_ROWS);
    });

    for (const row of ROWS) {
      it(`${row.name} on a PendingImport key ${describeExpectation(row.expect.PendingImport)}`, async () => {
        casesRun++;
        await runCase(driver, helperKeyId, row, 'PendingImport');
      });
    }
  });

  const awsRows = ROWS.filter((row) => !ALIBABA_ONLY_ACTIONS.includes(row.action));

  it('runs every row through the AWS front end but the two whose action AWS does not have', () => {
    assert.deepEqual(
      ROWS.filter((row) => !awsRows.includes(row)).map((row) => row.action),
      ['SetDeletionProtection', 'DescribeKeyVersion'],
    );
  });

  describe('through the AWS KMS API (Enabled, Disabled, PendingDeletion)', () => {
    let server: TestServer;
    let driver: Driver;
    let helperKeyId: string;
    let casesRun = 0;

    before(async () => {
      server = await startTestServer();
      driver = awsDriver(server);
      helperKeyId = (await driver.createKey()).keyId;
    });

    after(async () => {
      await server?.close();
      assert.equal(casesRun, awsRows.length * API_STATES.length);
    });

    for (const state of API_STATES) {
      describe(`key ${state}`, () => {
        for (const row of awsRows) {
          it(`${row.name} on ${state === 'Enabled' ? 'an' : 'a'} ${state} key ${describeExpectation(row.expect[state])} (AWS)`, async () => {
            casesRun++;
            await runCase(driver, helperKeyId, row, state);
          });
        }
      });
    }
  });

  describe('through the AWS KMS API (PendingImport: an EXTERNAL key after DeleteImportedKeyMaterial)', () => {
    let server: TestServer;
    let driver: Driver;
    let helperKeyId: string;
    let casesRun = 0;

    before(async () => {
      server = await startTestServer();
      driver = awsDriver(server, { externalKeysOnly: true });
      helperKeyId = (await awsDriver(server).createKey()).keyId;
    });

    after(async () => {
      await server?.close();
      assert.equal(casesRun, awsRows.length);
    });

    for (const row of awsRows) {
      it(`${row.name} on a PendingImport key ${describeExpectation(row.expect.PendingImport)} (AWS)`, async () => {
        casesRun++;
        await runCase(driver, helperKeyId, row, 'PendingImport');
      });
    }
  });

  describe('at the operations level (PendingImport, set through the store)', () => {
    let driver: Driver;
    let helperKeyId: string;
    let casesRun = 0;

    before(async () => {
      driver = operationsDriver();
      helperKeyId = (await driver.createKey()).keyId;
    });

    after(() => {
      assert.equal(casesRun, EXPECTED_ROWS);
    });

    for (const row of ROWS) {
      it(`${row.name} on a PendingImport key ${describeExpectation(row.expect.PendingImport)}`, async () => {
        casesRun++;
        await runCase(driver, helperKeyId, row, 'PendingImport');
      });
    }
  });
});
